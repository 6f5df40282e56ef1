// Two processes write one PostgreSQL database through the synchronous facade at the same time: nothing is lost, and
// immediate transactions (read, then write what was read) are serialised as SQLite serialises them.
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'rolldown';
import { expect, it } from 'vitest';
import { PostgresDb } from '../../../src/store/engine/postgres.js';
import { tempDir } from '../../helpers/gitdir.js';
import { freshPostgresUrl } from '../../helpers/postgres.js';

const run = promisify(execFile);
const ROUNDS = 150;

const WRITER = `
import { PostgresDb } from './engine.mjs';
const [url, who, rounds] = process.argv.slice(2);
const db = new PostgresDb(url);
const read = db.prepare('SELECT n FROM counter WHERE id = 1').pluck();
const write = db.prepare('UPDATE counter SET n = ? WHERE id = 1');
const add = db.prepare('INSERT INTO writes(who, i) VALUES (?, ?)');
const step = db.transaction((i) => { write.run(read.get() + 1); add.run(who, i); });
for (let i = 0; i < Number(rounds); i++) {
  step.immediate(i);
  db.prepare('INSERT INTO writes(who, i) VALUES (?, ?)').run(who + '-auto', i);
}
db.close();
`;

it('two processes writing the same database lose no rows and no increments', async () => {
  const dir = tempDir();
  await build({
    input: resolve('src/store/engine/postgres.ts'),
    platform: 'node',
    output: { file: join(dir, 'engine.mjs'), format: 'esm' },
    logLevel: 'silent',
  });
  mkdirSync(dir, { recursive: true });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules')); // the bundle resolves pg from beside it
  writeFileSync(join(dir, 'writer.mjs'), WRITER);
  const url = freshPostgresUrl();
  const db = new PostgresDb(url);
  db.exec(`CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
    INSERT INTO counter VALUES (1, 0);
    CREATE TABLE writes (who TEXT NOT NULL, i BIGINT NOT NULL, PRIMARY KEY (who, i));`);
  await Promise.all(
    ['a', 'b'].map((who) => run(process.execPath, [join(dir, 'writer.mjs'), url, who, String(ROUNDS)])),
  );
  expect(db.prepare('SELECT n FROM counter').pluck().get()).toBe(2 * ROUNDS);
  expect(db.prepare('SELECT who, count(*) AS n FROM writes GROUP BY who ORDER BY who').all()).toEqual([
    { who: 'a', n: ROUNDS },
    { who: 'a-auto', n: ROUNDS },
    { who: 'b', n: ROUNDS },
    { who: 'b-auto', n: ROUNDS },
  ]);
  db.close();
});
