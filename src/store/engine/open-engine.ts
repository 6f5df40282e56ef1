// Which engine a --db / HINDSIGHT_DB value names: a postgres:// or postgresql:// URL is PostgreSQL, anything else a
// SQLite file (or :memory:). Both come back migrated to the schema this code knows, or refused if newer.
import { isPostgres, openStore } from '../open.js';
import { isPostgresUrl } from './postgres-url.js';
import type { EngineDb, EngineKind } from './types.js';

export function engineKindOf(target: string): EngineKind {
  return isPostgresUrl(target) ? 'postgres' : 'sqlite';
}

export function engineOf(db: EngineDb): EngineKind {
  return isPostgres(db) ? 'postgres' : 'sqlite';
}

export const openEngine = (target: string): EngineDb => openStore(target);
