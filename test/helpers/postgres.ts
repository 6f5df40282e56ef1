// A fresh, empty PostgreSQL database for tests, on the run's server (test/helpers/postgres-server.ts): one real
// database per test file (CREATE DATABASE, made on first use), and within it a new schema per call, selected by
// the URL's search_path — as isolated as a database for everything hindsight creates, at a fraction of the cost.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { PostgresDb } from '../../src/store/engine/postgres.js';

let fileDatabase: string | undefined;

function withDatabase(admin: string, name: string): URL {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url;
}

function run(url: string, sql: string): void {
  const db = new PostgresDb(url);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** The URL of this test file's database (created on first call). */
export function fileDatabaseUrl(): string {
  const admin = inject('postgresUrl');
  if (fileDatabase === undefined) {
    const name = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
    run(admin, `CREATE DATABASE ${name}`);
    fileDatabase = name;
  }
  return withDatabase(admin, fileDatabase).toString();
}

let fileConnection: PostgresDb | undefined;

/** A URL whose connections see only a new, empty schema of this file's database. */
export function freshPostgresUrl(): string {
  const base = fileDatabaseUrl();
  const schema = `s_${randomBytes(6).toString('hex')}`;
  // One connection per file makes the schemas (the worker's process exit closes it).
  (fileConnection ??= new PostgresDb(base)).exec(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
