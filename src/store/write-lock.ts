import type { Statement } from './engine/types.js';
import { UpstreamError } from '../errors.js';
import { isBusy } from './busy.js';
import { isPostgres, type Db } from './open.js';

const statements = new WeakMap<
  Db,
  Record<'begin' | 'commit' | 'rollback' | 'noWait' | 'restore', Statement> & { timeoutMs: number }
>();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Another process held the write lock past our busy timeout. Nothing was written; the caller may retry.
 * The SQLite error (code SQLITE_BUSY…) is kept as the cause.
 */
export class DatabaseBusyError extends UpstreamError {
  constructor(timeoutMs: number, cause: unknown) {
    super(
      'database',
      `busy: another process held the write lock for over ${timeoutMs / 1000} s; nothing was written, retry`,
      true,
      { cause },
    );
  }
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction, waiting for the write lock in short random sleeps (50 µs growing
 * to 2 ms) rather than SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries: with
 * many writers each holding the lock well under a millisecond, those sleeps left the lock idle most of the
 * time (8 processes wrote slower than one). Gives up after the connection's busy timeout, as SQLite would, with
 * a DatabaseBusyError. Inside a caller's transaction it runs as a savepoint of it.
 *
 * With a `scope`, PostgreSQL excludes only the other writers of that scope (and every unscoped writer); SQLite has
 * one writer at a time whatever the scope. The caller names a scope only where writes of different scopes cannot
 * conflict.
 *
 * The wait blocks the thread, so no code in this process may hold a write transaction across an event-loop turn
 * (the git ingest writes each chunk synchronously): the lock can then only be held by another process.
 */
export function immediateTransaction<T>(db: Db, fn: () => T, scope?: string): T {
  if (db.inTransaction) return db.transaction(fn)();
  // PostgreSQL queues lock waiters in the server (the engine's advisory write lock), so no client-side spinning.
  if (isPostgres(db)) return scope ? db.scopedTransaction(scope, fn) : db.transaction(fn).immediate();
  const s = statementsOf(db);
  s.noWait.get(); // BUSY comes back at once
  try {
    const deadline = performance.now() + s.timeoutMs;
    for (let sleepMs = 0.05; ; sleepMs = Math.min(sleepMs * 2, 2)) {
      try {
        s.begin.run();
        break;
      } catch (err) {
        if (!isBusy(err)) throw err;
        if (performance.now() >= deadline) throw new DatabaseBusyError(s.timeoutMs, err);
        Atomics.wait(sleeper, 0, 0, sleepMs * (0.5 + Math.random()));
      }
    }
  } finally {
    s.restore.get();
  }
  try {
    const result = fn();
    s.commit.run();
    return result;
  } catch (err) {
    if (db.inTransaction) s.rollback.run();
    throw err;
  }
}

function statementsOf(db: Db) {
  let s = statements.get(db);
  if (!s) {
    // The connection's own timeout, read before the PRAGMA statements below: SQLite applies one's setting as it
    // is prepared as well as when it runs.
    const timeoutMs = db.pragma('busy_timeout', { simple: true }) as number;
    s = {
      timeoutMs,
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      noWait: db.prepare('PRAGMA busy_timeout = 0'),
      restore: db.prepare(`PRAGMA busy_timeout = ${timeoutMs}`),
    };
    statements.set(db, s);
  }
  return s;
}
