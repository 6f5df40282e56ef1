// Which engine a --db / HINDSIGHT_DB value names: a postgres:// or postgresql:// URL is PostgreSQL, anything else a
// SQLite file (or :memory:). Both come back migrated to the schema this code knows, or refused if newer.
import { openStore } from '../open.js';
import { migratePostgres } from './postgres-migrate.js';
import { isPostgresUrl } from './postgres-url.js';
import { PostgresDb, type PostgresOptions } from './postgres.js';
import { sqliteEngine } from './sqlite.js';
import type { EngineDb, EngineKind } from './types.js';

export function engineKindOf(target: string): EngineKind {
  return isPostgresUrl(target) ? 'postgres' : 'sqlite';
}

export function engineOf(db: EngineDb): EngineKind {
  return db instanceof PostgresDb ? 'postgres' : 'sqlite';
}

export function openEngine(target: string, options: PostgresOptions = {}): EngineDb {
  if (engineKindOf(target) === 'sqlite') return sqliteEngine(openStore(target));
  const db = new PostgresDb(target, options);
  try {
    migratePostgres(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
