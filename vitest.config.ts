import { defineConfig } from 'vitest/config';

// Every test runs on SQLite (the embedded default). The store and domain tests run a second time on PostgreSQL
// (HINDSIGHT_TEST_ENGINE=postgres: test/helpers/context.ts hands them a fresh schema on the run's server instead of
// a temp file); the closing summary counts each engine's tests (test/helpers/engine-summary.ts).
const onPostgres = [
  'test/store/**/*.test.ts',
  'test/attribution/**/*.test.ts',
  'test/history/**/*.test.ts',
  'test/delivery/**/*.test.ts',
  'test/triage/**/*.test.ts',
  'test/ingest/**/*.test.ts',
  'test/loop/**/*.test.ts',
  'test/notify/**/*.test.ts',
  'test/report/**/*.test.ts',
  'test/github/**/*.test.ts',
  'test/decisions/**/*.test.ts',
  'test/webhooks/**/*.test.ts',
  'test/mcp/**/*.test.ts',
  'test/demo/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One PostgreSQL server per run for the engine tests; the run fails if none can be started.
    globalSetup: ['test/helpers/postgres-server.ts'],
    reporters: ['default', './test/helpers/engine-summary.ts'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: onPostgres,
          // Engine-specific suites already open both engines themselves.
          exclude: ['test/store/engine/**'],
          env: { HINDSIGHT_TEST_ENGINE: 'postgres' },
        },
      },
    ],
  },
});
