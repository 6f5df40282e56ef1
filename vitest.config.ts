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
          exclude: [
            // Engine suites open both engines themselves.
            'test/store/engine/**',
            // SQLite's own mechanisms (file open, PRAGMA user_version migrations from old files, WAL busy
            // handling, index deferral): PostgreSQL's counterparts are tested in test/store/engine.
            'test/store/open.test.ts',
            'test/store/migrations.test.ts',
            'test/store/write-lock.test.ts',
            'test/store/agent-incidents.test.ts',
            'test/store/attribution-pending.test.ts',
            'test/ingest/bulk-load.test.ts',
            'test/webhooks/failures.test.ts',
          ],
          env: { HINDSIGHT_TEST_ENGINE: 'postgres' },
        },
      },
    ],
  },
});
