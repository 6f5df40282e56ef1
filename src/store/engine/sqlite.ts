// SQLite behind the engine interface: better-sqlite3's own Database, unchanged (no wrapper, no cost per call).
// The assignment below is the proof that EngineDb is a subset of its API.
import type Database from 'better-sqlite3';
import type { EngineDb } from './types.js';

export function sqliteEngine(db: Database.Database): EngineDb {
  return db;
}
