import type { Db } from './open.js';

/**
 * Runs `fn` in one transaction (a savepoint when the caller already holds one): everything or nothing is written,
 * and every read sees one snapshot. `fn` must be synchronous: no transaction may span an event-loop turn.
 */
export function withTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn)();
}

/**
 * As withTransaction, but takes the write lock at BEGIN (IMMEDIATE): for a read-then-write (dedupe checks, upserts
 * decided in code) that must not see the database change between its read and its write.
 */
export function withImmediateTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Whether a transaction is open on this connection (a caller's, that a bulk load must not break up). */
export function inTransaction(db: Db): boolean {
  return db.inTransaction;
}
