// The worker thread that owns the PostgreSQL connection (a `pg` Client). The main thread posts one request at a
// time on `port` and sleeps on `flag` (Atomics.wait); the worker answers on the port, then sets and notifies the
// flag. Kept as source text and started with `eval: true`, so the same code runs from src/ under vitest, from dist/
// and from the bundle; `pg` is loaded by absolute path from the main thread's resolution.
export const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, flag, url, statementTimeoutMs } = workerData;
let pg;
let loadError;
try {
  pg = require(workerData.pgPath);
} catch (e) {
  loadError = e; // answered to every request below: the main thread must not wait for a dead worker
}
// As SQLite answers: 64-bit integers and numerics as JS numbers, booleans as 1/0.
const toNumber = (v) => (v === null ? null : Number(v));
if (pg) {
  pg.types.setTypeParser(20, toNumber);
  pg.types.setTypeParser(1700, toNumber);
  pg.types.setTypeParser(16, (v) => (v === 't' ? 1 : 0));
}
const toPg = (v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
let client;
async function handle(m) {
  if (loadError) throw new Error('cannot load the pg driver: ' + loadError.message);
  if (m.op === 'connect') {
    client = new pg.Client({ connectionString: url, statement_timeout: statementTimeoutMs, connectionTimeoutMillis: 10000, application_name: 'hindsight' });
    client.on('error', () => {});
    await client.connect();
    return {};
  }
  if (m.op === 'ping') return {}; // the hop alone, for bench/engine.ts
  if (m.op === 'end') {
    if (client) await client.end();
    return {};
  }
  if (m.op === 'exec') {
    await client.query(m.text);
    return {};
  }
  if (m.before) await client.query(m.before); // a transaction's BEGIN and locks, sent with its first statement
  const q = { text: m.text, values: m.values.map(toPg) };
  if (m.name) q.name = m.name;
  const r = await client.query(q);
  return { rows: r.rows, rowCount: r.rowCount ?? 0, fields: r.fields.map((f) => f.name) };
}
function reply(msg) {
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
let chain = Promise.resolve();
port.on('message', (m) => {
  chain = chain.then(() => handle(m)).then(
    (result) => reply({ id: m.id, ok: true, result }),
    (e) => reply({ id: m.id, ok: false, error: { message: String(e && e.message), code: e && e.code, detail: e && e.detail, constraint: e && e.constraint } }),
  );
});
`;
