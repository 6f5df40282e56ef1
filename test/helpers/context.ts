import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/context.js';
import { tempDir } from './gitdir.js';

/**
 * A real context over a real temp-file SQLite database and the given repository.
 * `logs` collects what would go to stderr.
 */
export function testContext(repoPath: string, overrides: Partial<Config> = {}): AppContext & { logs: string[] } {
  const config = {
    ...loadConfig({ cwd: repoPath, env: {}, flags: { db: join(tempDir('hindsight-db-'), 'test.db') } }),
    ...overrides,
  };
  const logs: string[] = [];
  const ctx = createContext(config, { log: (m) => logs.push(m) });
  return Object.assign(ctx, { logs });
}
