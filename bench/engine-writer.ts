// One of the concurrent PostgreSQL writers of bench/engine.ts: inserts `rows` rows in transactions of `batch`
// through the synchronous facade, then prints how many it wrote.
import { PostgresDb } from '../src/store/engine/postgres.js';

const [url, who, rows, batch] = process.argv.slice(2) as [string, string, string, string];
const db = new PostgresDb(url);
const insert = db.prepare('INSERT INTO writes(who, i, payload) VALUES (?, ?, ?)');
const chunk = db.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) insert.run(who, i, `row ${i} of ${who}`);
});
const total = Number(rows);
for (let i = 0; i < total; i += Number(batch)) chunk(i, Math.min(total, i + Number(batch)));
db.close();
process.stdout.write(`${total}\n`);
