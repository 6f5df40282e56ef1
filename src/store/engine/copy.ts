// Moves a hindsight database between engines (SQLite ⇄ PostgreSQL, or the same engine): every table in dependency
// order, in batches, each batch one transaction that also records how far it got in the target (hindsight_copy), so
// a rerun continues where a failure stopped. Then every row is verified: per table, a count and a checksum computed
// the same way (in JS, over canonical row values) on both sides. Both sides must be at this code's schema version.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { ConfigError, EnvironmentError } from '../../errors.js';
import { migrations } from '../migrations/index.js';
import { openEngine } from './open-engine.js';
import { postgresSchemaVersion } from './postgres-migrate.js';
import { displayTarget, isPostgresUrl } from './postgres-url.js';
import { PostgresDb } from './postgres.js';
import { sqliteEngine } from './sqlite.js';
import type { EngineDb } from './types.js';

/**
 * Copy order: every table after those it references. `key`: the columns that order and resume a table (SQLite's
 * rowid where the store reads it; PostgreSQL has a column of that name). `later`: references to rows copied later
 * (a deploy names the later deploy that rolled it back; clusters and fixes name each other), set in a second pass.
 * `replace`: written by the target's own triggers or migrations while the other tables arrive, so cleared and
 * copied whole at its turn (a resumed copy starts such a table again).
 */
const TABLES: readonly { name: string; key: string[]; later?: string[]; replace?: boolean }[] = [
  { name: 'repos', key: ['id'] },
  { name: 'repo_tips', key: ['repo_id', 'sha'] },
  { name: 'commits', key: ['rowid'] },
  { name: 'commit_files', key: ['sha', 'path'] },
  { name: 'commit_trailers', key: ['rowid'] },
  { name: 'commit_fixes', key: ['sha', 'fixed_ref'] },
  { name: 'deploys', key: ['id'], later: ['rolled_back_by_deploy_id', 'rollback_to_deploy_id', 'prev_deploy_id'] },
  { name: 'deploy_commits', key: ['deploy_id', 'sha'] },
  { name: 'incidents', key: ['id'] },
  { name: 'incident_files', key: ['rowid'] },
  { name: 'incident_links', key: ['incident_id', 'kind', 'target'] },
  { name: 'meta', key: ['key'], replace: true },
  { name: 'tasks', key: ['id'] },
  { name: 'clusters', key: ['id'], later: ['fix_id'] },
  { name: 'fixes', key: ['id'] },
  { name: 'interrupts', key: ['id'] },
  { name: 'webhook_deliveries', key: ['delivery_id'] },
  { name: 'builds', key: ['id'] },
  { name: 'pull_requests', key: ['repo', 'number'] },
  { name: 'pull_request_commits', key: ['repo', 'number', 'sha'] },
  { name: 'sync_state', key: ['source', 'repo', 'resource'] },
  { name: 'module_days', key: ['module', 'day', 'agent'] },
  { name: 'module_authors', key: ['module', 'email'] },
  { name: 'module_reverts', key: ['sha', 'module'] },
  { name: 'module_incidents', key: ['module', 'started_at', 'incident_id'], replace: true },
  { name: 'module_pair_days', key: ['module', 'day', 'other'] },
  { name: 'interrupt_days', key: ['day', 'kind', 'category'], replace: true },
  { name: 'access_tokens', key: ['id'] },
  { name: 'signal_series', key: ['id'] },
  { name: 'signal_samples', key: ['series_id', 'at'] },
  { name: 'build_jobs', key: ['repo', 'job_id'] },
  { name: 'deploy_gates', key: ['deploy_id', 'waiting_at'] },
  { name: 'notifications', key: ['incident_id', 'repo', 'number'] },
  // Filled by the target's trigger as the links arrive, with each link's own time: the source's first sightings win.
  { name: 'agent_incidents', key: ['agent', 'incident_id'], replace: true },
  { name: 'digest_marks', key: ['agent'] },
  { name: 'resource_subscriptions', key: ['token_id', 'uri'] },
  // my_deploy_impact's summaries (0016): the target's triggers write and mark them as the rows above arrive, so
  // they come last, whole, as consistent as the source's.
  { name: 'impact_deploys', key: ['ident', 'repo_id', 'last_at', 'deploy_id'], replace: true },
  { name: 'impact_dirty', key: ['deploy_id'], replace: true },
  { name: 'impact_links', key: ['ident', 'committed_at', 'sha', 'incident_id'], replace: true },
  { name: 'impact_reverts', key: ['ident', 'committed_at', 'sha', 'revert_sha'], replace: true },
  // Calibration replays (0018): the target's triggers delete them as older rows arrive, so they too come last, whole.
  { name: 'calibration_replays', key: ['env', 'model', 'fix_key'], replace: true },
];

const PROGRESS = `CREATE TABLE IF NOT EXISTS hindsight_copy (
  tbl TEXT PRIMARY KEY, source TEXT NOT NULL, last_key TEXT, rows_copied BIGINT NOT NULL DEFAULT 0,
  done BIGINT NOT NULL DEFAULT 0)`;

export interface CopyProgress {
  table: string;
  rows: number;
  total: number;
}

export interface CopyReport {
  tables: { name: string; rows: number; checksum: string }[];
  resumed: boolean;
}

const schemaVersion = (db: EngineDb): number =>
  db instanceof PostgresDb ? postgresSchemaVersion(db) : (db.pragma('user_version', { simple: true }) as number);

/** How a source is named in the target's progress: an absolute path, or a URL without credentials. */
const sourceId = (target: string): string => (isPostgresUrl(target) ? displayTarget(target) : resolve(target));

function openSource(from: string): EngineDb {
  if (isPostgresUrl(from)) return new PostgresDb(from);
  try {
    return sqliteEngine(new Database(from, { readonly: true, fileMustExist: true }));
  } catch (err) {
    throw new ConfigError(`--from ${from}: cannot open it as a SQLite database (${(err as Error).message})`);
  }
}

function columnsOf(db: EngineDb, table: string): string[] {
  const sql =
    db instanceof PostgresDb
      ? `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
         ORDER BY ordinal_position`
      : 'SELECT name FROM pragma_table_info(?) ORDER BY cid';
  return db.prepare(sql).pluck().all(table) as string[];
}

/** The columns copied and compared: the logical ones, plus rowid where it is the table's key. */
function copiedColumns(db: EngineDb, t: (typeof TABLES)[number]): string[] {
  const cols = columnsOf(db, t.name).filter((c) => c !== 'rowid');
  return t.key[0] === 'rowid' ? ['rowid', ...cols] : cols;
}

const quote = (c: string) => `"${c}"`;

/** Canonical text of a value, the same whichever engine returned it. */
function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'n';
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `d${String(v)}`;
  return `s${String(v)}`;
}

/** Rows of `table` after `after` (its key values) in key order, at most `limit`. */
function batch(
  db: EngineDb,
  t: (typeof TABLES)[number],
  cols: string[],
  after: unknown[] | null,
  limit: number,
): unknown[][] {
  const keyList = t.key.map(quote).join(', ');
  const where = after ? `WHERE (${keyList}) > (${t.key.map(() => '?').join(', ')})` : '';
  const rows = db
    .prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${t.name} ${where} ORDER BY ${keyList} LIMIT ${limit}`)
    .all(...(after ?? [])) as Record<string, unknown>[];
  return rows.map((r) => cols.map((c) => r[c]));
}

/** Count and order-independent checksum (sum of per-row sha256 prefixes, mod 2^64) of a table's rows. */
export function tableChecksum(db: EngineDb, table: string, batchSize = 5000): { rows: number; checksum: string } {
  const t = TABLES.find((x) => x.name === table)!;
  const cols = copiedColumns(db, t);
  const keyIdx = t.key.map((k) => cols.indexOf(k));
  let sum = 0n;
  let rows = 0;
  for (let after: unknown[] | null = null; ;) {
    const got = batch(db, t, cols, after, batchSize);
    for (const r of got) {
      const h = createHash('sha256').update(r.map(canonical).join('\u0000')).digest();
      sum = (sum + h.readBigUInt64BE(0)) % 2n ** 64n;
    }
    rows += got.length;
    if (got.length < batchSize) break;
    const last = got[got.length - 1]!;
    after = keyIdx.map((i) => last[i]);
  }
  return { rows, checksum: sum.toString(16).padStart(16, '0') };
}

function resetIdentities(db: EngineDb): void {
  if (!(db instanceof PostgresDb)) return;
  const ids = db
    .prepare(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
       WHERE table_schema = current_schema() AND is_identity = 'YES'`,
    )
    .all() as { t: string; c: string }[];
  for (const { t, c } of ids)
    db.prepare(
      `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX("${c}") FROM ${t}), 0) + 1, false)`,
    ).get(t, c);
}

export interface CopyOptions {
  batchSize?: number;
  onProgress?: (p: CopyProgress) => void;
}

export function copyDatabase(from: string, to: string, options: CopyOptions = {}): CopyReport {
  const batchSize = options.batchSize ?? 2000;
  const source = openSource(from);
  let target: EngineDb | undefined;
  try {
    const expected = migrations.length;
    const sv = schemaVersion(source);
    if (sv !== expected)
      throw new EnvironmentError(
        `--from ${displayTarget(from)} has schema version ${sv}, this hindsight ${expected}: open it once with this ` +
          'hindsight (any command) to upgrade it, then copy',
      );
    target = openEngine(to);
    const tv = schemaVersion(target);
    if (tv !== sv)
      throw new EnvironmentError(`--to ${displayTarget(to)} has schema version ${tv}, the source ${sv}: copy refused`);
    const dst = target;
    const id = sourceId(from);
    dst.exec(PROGRESS);
    const progress = new Map(
      (
        dst.prepare('SELECT tbl, source, last_key, rows_copied, done FROM hindsight_copy').all() as {
          tbl: string;
          source: string;
          last_key: string | null;
          rows_copied: number;
          done: number;
        }[]
      ).map((r) => [r.tbl, r]),
    );
    const other = [...progress.values()].find((r) => r.source !== id);
    if (other)
      throw new ConfigError(
        `--to ${displayTarget(to)} is a partial copy of ${other.source}, not of ${id}: copy refused`,
      );
    const resumed = progress.size > 0;
    if (!resumed) {
      const busy = TABLES.filter((t) => !t.replace).find(
        (t) => dst.prepare(`SELECT 1 FROM ${t.name} LIMIT 1`).get() !== undefined,
      );
      if (busy)
        throw new ConfigError(
          `--to ${displayTarget(to)} already holds data (table ${busy.name}): copy into a new, empty database`,
        );
    }

    const record = dst.prepare(
      `INSERT INTO hindsight_copy(tbl, source, last_key, rows_copied, done) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tbl) DO UPDATE SET last_key = excluded.last_key, rows_copied = excluded.rows_copied,
         done = excluded.done`,
    );
    for (const t of TABLES) {
      const state = progress.get(t.name);
      const cols = copiedColumns(source, t);
      const later = new Set(t.later ?? []);
      if (state?.done) {
        if (later.size > 0) setLater(source, dst, t, cols, [...later], batchSize); // idempotent: a crash may have cut it
        continue;
      }
      const keyIdx = t.key.map((k) => cols.indexOf(k));
      const insert = dst.prepare(
        `INSERT INTO ${t.name} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      );
      const total = source.prepare(`SELECT count(*) FROM ${t.name}`).pluck().get() as number;
      let after: unknown[] | null = t.replace || !state?.last_key ? null : (JSON.parse(state.last_key) as unknown[]);
      let copied = t.replace ? 0 : (state?.rows_copied ?? 0);
      if (t.replace) dst.prepare(`DELETE FROM ${t.name}`).run();
      for (;;) {
        const rows = batch(source, t, cols, after, batchSize);
        const last = rows[rows.length - 1];
        const nextKey = last ? keyIdx.map((i) => last[i]) : after;
        const finished = rows.length < batchSize;
        dst.transaction(() => {
          for (const r of rows) insert.run(...r.map((v, i) => (later.has(cols[i]!) ? null : v)));
          copied += rows.length;
          // A replaced table is only done once whole: a resumed copy clears and copies it again.
          record.run(t.name, id, t.replace ? null : JSON.stringify(nextKey), copied, finished ? 1 : 0);
        })();
        options.onProgress?.({ table: t.name, rows: copied, total });
        if (finished) break;
        after = nextKey;
      }
      if (later.size > 0) setLater(source, dst, t, cols, [...later], batchSize);
    }
    resetIdentities(dst);

    const tables = TABLES.map((t) => {
      const a = tableChecksum(source, t.name);
      const b = tableChecksum(dst, t.name);
      if (a.rows !== b.rows || a.checksum !== b.checksum)
        throw new EnvironmentError(
          `verification failed for table ${t.name}: source ${a.rows} rows (${a.checksum}), target ${b.rows} rows ` +
            `(${b.checksum}); the target keeps its progress: fix the cause and run the copy again`,
        );
      return { name: t.name, ...a };
    });
    dst.exec('DROP TABLE hindsight_copy');
    return { tables, resumed };
  } finally {
    source.close();
    target?.close();
  }
}

/** The second pass: references to rows copied after their table (set to NULL in the first). */
function setLater(
  source: EngineDb,
  dst: EngineDb,
  t: (typeof TABLES)[number],
  cols: string[],
  later: string[],
  batchSize: number,
): void {
  const keyIdx = t.key.map((k) => cols.indexOf(k));
  const laterIdx = later.map((c) => cols.indexOf(c));
  const update = dst.prepare(
    `UPDATE ${t.name} SET ${later.map((c) => `${quote(c)} = ?`).join(', ')}
     WHERE ${t.key.map((k) => `${quote(k)} = ?`).join(' AND ')}`,
  );
  for (let after: unknown[] | null = null; ;) {
    const rows = batch(source, t, cols, after, batchSize);
    dst.transaction(() => {
      for (const r of rows)
        if (laterIdx.some((i) => r[i] !== null)) update.run(...laterIdx.map((i) => r[i]), ...keyIdx.map((i) => r[i]));
    })();
    if (rows.length < batchSize) break;
    const last = rows[rows.length - 1]!;
    after = keyIdx.map((i) => last[i]);
  }
}
