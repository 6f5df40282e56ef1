import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { migratePostgres } from './engine/postgres-migrate.js';
import { isPostgresUrl } from './engine/postgres-url.js';
import { PostgresDb } from './engine/postgres.js';
import type { EngineDb } from './engine/types.js';
import { migrations } from './migrations/index.js';

/** A connection of either engine: better-sqlite3's Database itself, or PostgreSQL behind the same sync API. */
export type Db = EngineDb;

/** Whether `db` is PostgreSQL: the few statements whose dialects differ choose their text by it (store/dialect.ts). */
export function isPostgres(db: Db): db is PostgresDb {
  return db instanceof PostgresDb;
}

/**
 * Opens (creating if needed) the database and brings its schema up to date: a postgres:// URL opens PostgreSQL,
 * anything else a SQLite file. WAL + busy timeout let many agent processes write the same file without losing rows.
 */
export function openStore(path: string): Db {
  if (isPostgresUrl(path)) return openPostgres(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
  } catch (err) {
    db.close(); // not a SQLite file, a newer schema, a lock held too long: leave no handle behind
    throw err;
  }
  return db;
}

function openPostgres(url: string): Db {
  const db = new PostgresDb(url);
  try {
    migratePostgres(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new EnvironmentError(
      `the database ${path} has schema version ${current}, newer than this hindsight knows (${migrations.length}): ` +
        'upgrade hindsight, or point --db (or HINDSIGHT_DB) at another database',
    );
  }
  // IMMEDIATE: two processes opening a fresh file at once must not both migrate.
  const apply = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < migrations.length; i++) {
      db.exec(migrations[i]!.sql);
      db.pragma(`user_version = ${i + 1}`);
    }
  });
  if (current < migrations.length) apply.immediate();
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

const DEFERRED = 'deferred_indexes';

/**
 * Drops the secondary indexes of `tables` (all but those named in `keep`) for a bulk load into empty tables,
 * remembering their SQL in `meta`: building an index once from sorted rows costs far less than keeping it up to
 * date through random-key inserts (measured: −40% CPU for a 100k-commit first ingest). Pair with
 * restoreDeferredIndexes, also after a crash.
 */
export function deferIndexes(db: Db, tables: readonly string[], keep: readonly string[] = []): void {
  db.transaction(() => {
    const rows = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
           AND tbl_name IN (SELECT value FROM json_each(?)) AND name NOT IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(tables), JSON.stringify(keep)) as { name: string; sql: string }[];
    if (rows.length === 0) return;
    const pending = JSON.parse(getMeta(db, DEFERRED) ?? '[]') as string[];
    setMeta(db, DEFERRED, JSON.stringify([...pending, ...rows.map((r) => r.sql)]));
    for (const r of rows) db.exec(`DROP INDEX IF EXISTS "${r.name.replace(/"/g, '""')}"`);
  }).immediate();
}

/**
 * Recreates the indexes deferIndexes dropped (a no-op when none are pending); safe to run from any process.
 * One index per transaction, so other writers wait for one index build at a time, not for all of them.
 */
export function restoreDeferredIndexes(db: Db): void {
  const restoreOne = db.transaction((): boolean => {
    const pending = JSON.parse(getMeta(db, DEFERRED) ?? '[]') as string[];
    const [sql, ...rest] = pending;
    if (sql !== undefined)
      db.exec(sql.replace(/^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?!IF NOT EXISTS)/i, 'CREATE $1INDEX IF NOT EXISTS '));
    if (rest.length > 0) setMeta(db, DEFERRED, JSON.stringify(rest));
    else db.prepare('DELETE FROM meta WHERE key = ?').run(DEFERRED);
    return rest.length > 0;
  });
  for (let more = getMeta(db, DEFERRED) !== undefined; more;) more = restoreOne.immediate();
}
