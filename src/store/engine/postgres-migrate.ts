// Brings a PostgreSQL database's schema up to date, or refuses one newer than this code. The version lives in
// hindsight_schema (one row per applied migration); the whole run is one transaction under the write lock, so two
// processes opening a fresh database at once do not both migrate (DDL is transactional in PostgreSQL).
import { EnvironmentError } from '../../errors.js';
import { migrations as sqliteMigrations } from '../migrations/index.js';
import { postgresMigrations } from './postgres-migrations/index.js';
import { redactUrl } from './postgres-url.js';
import type { PostgresDb } from './postgres.js';

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS hindsight_schema (
  version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;

export function postgresSchemaVersion(db: PostgresDb): number {
  const exists = db.prepare(`SELECT to_regclass('hindsight_schema') IS NOT NULL AS e`).pluck().get();
  if (!exists) return 0;
  return (db.prepare('SELECT COALESCE(MAX(version), 0) FROM hindsight_schema').pluck().get() as number) ?? 0;
}

export function migratePostgres(db: PostgresDb, migrations = postgresMigrations): void {
  const missing = sqliteMigrations.slice(migrations.length).map((m) => m.name);
  if (migrations === postgresMigrations && missing.length > 0)
    throw new EnvironmentError(
      `this hindsight has no PostgreSQL schema for migration ${missing.join(', ')} yet: use a SQLite --db for now`,
    );
  db.transaction(() => {
    db.exec(VERSION_TABLE);
    const current = postgresSchemaVersion(db);
    if (current > migrations.length) {
      throw new EnvironmentError(
        `the database ${redactUrl(db.url)} has schema version ${current}, newer than this hindsight knows ` +
          `(${migrations.length}): upgrade hindsight, or point --db (or HINDSIGHT_DB) at another database`,
      );
    }
    const record = db.prepare('INSERT INTO hindsight_schema(version, name, applied_at) VALUES (?, ?, ?)');
    for (let i = current; i < migrations.length; i++) {
      db.exec(migrations[i]!.sql);
      record.run(i + 1, migrations[i]!.name, Date.now());
    }
  }).immediate();
}
