import { isPostgres, type Db } from './open.js';

/**
 * SQLite said another connection holds the write lock (better-sqlite3 `SqliteError` codes SQLITE_BUSY*), directly
 * or as the cause of write-lock.ts's DatabaseBusyError (a lock wait that timed out).
 */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code.startsWith('SQLITE_BUSY');
  const cause = (err as { cause?: unknown } | null)?.cause;
  return err instanceof Error && cause !== undefined && cause !== err && isBusy(cause);
}

/**
 * Runs `work` again while SQLite answers busy, waiting between tries *without* holding the event loop (the
 * driver's own busy timeout spins synchronously and would stall every other request of a server). Safe for
 * work that writes in one transaction: a busy answer means that transaction never started.
 */
export async function untilNotBusy<T>(work: () => Promise<T>, giveUpAfterMs = 30_000): Promise<T> {
  const deadline = Date.now() + giveUpAfterMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      return await work();
    } catch (err) {
      if (!isBusy(err) || Date.now() + wait > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random())));
    }
  }
}

/**
 * How long a statement on this connection waits for another process's write lock before SQLITE_BUSY; 0 answers
 * BUSY at once (for a server whose requests share one connection and wait asynchronously with untilNotBusy).
 */
export function setBusyTimeout(db: Db, ms: number): void {
  if (isPostgres(db)) return; // lock waits happen in the server, bounded by the connection's statement timeout
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
}
