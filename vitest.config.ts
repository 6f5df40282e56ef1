import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One PostgreSQL server per run for the engine tests; the run fails if none can be started.
    globalSetup: ['test/helpers/postgres-server.ts'],
  },
});
