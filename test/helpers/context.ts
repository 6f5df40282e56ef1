import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { tempDir } from './gitdir.js';
import { freshPostgresUrl } from './postgres.js';

/** Which engine this test run's stores use: the `postgres` vitest project sets HINDSIGHT_TEST_ENGINE. */
export const testEngine: 'sqlite' | 'postgres' =
  process.env.HINDSIGHT_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * For `it.skipIf(sqliteMechanism)`: a test of a mechanism only SQLite has (another connection's BEGIN IMMEDIATE,
 * PRAGMA user_version, a read-only file). Its PostgreSQL counterpart, where one exists, is in test/store/engine.
 */
export const sqliteMechanism = testEngine === 'postgres';

/** Where a new, empty store of this run's engine lives: a temp SQLite file, or a fresh PostgreSQL schema's URL. */
export function testDbTarget(): string {
  return testEngine === 'postgres' ? freshPostgresUrl() : join(tempDir('hindsight-db-'), 'test.db');
}

/**
 * A real context over a real, fresh database of this run's engine and the given repository.
 * `logs` collects what would go to stderr.
 */
export function testContext(repoPath: string, overrides: Partial<Config> = {}): AppContext & { logs: string[] } {
  const config = {
    ...loadConfig({ cwd: repoPath, env: {}, flags: { db: testDbTarget() } }),
    ...overrides,
  };
  const logs: string[] = [];
  const ctx = createContext(config, { log: (m) => logs.push(m) });
  return Object.assign(ctx, { logs });
}
