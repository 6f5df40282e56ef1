import { deferIndexes, isPostgres, restoreDeferredIndexes, type Db } from './open.js';

export interface BulkLoadOptions {
  /** Page cache while the load runs, in KiB. */
  cacheKib: number;
  /** WAL pages between automatic checkpoints while the load runs. */
  walCheckpointPages: number;
  /** Tables loaded into empty (their secondary indexes are dropped and rebuilt once), and indexes to keep. */
  deferIndexesOf?: { tables: readonly string[]; keep: readonly string[] };
}

/**
 * Runs `work` with the connection tuned for a long run of write chunks, restoring the settings afterwards (also on
 * failure). Shas arrive in random order, so inserts touch random index pages; a larger page cache keeps them in
 * memory (measured: inserts ~20% faster at 100k commits). As each chunk rewrites many of the same pages,
 * checkpointing every few chunks rather than after each copies and syncs each page once for several chunks
 * (measured with 100-ms chunks: CPU −10%, wall −20% at 50k commits).
 */
export async function withBulkLoad<T>(db: Db, options: BulkLoadOptions, work: () => Promise<T>): Promise<T> {
  // PostgreSQL: its shared buffers and checkpoints are the server's to tune, not one client's.
  if (isPostgres(db)) return work();
  const cache = db.pragma('cache_size', { simple: true }) as number;
  const checkpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.trunc(options.cacheKib)}`);
  db.pragma(`wal_autocheckpoint = ${Math.trunc(options.walCheckpointPages)}`);
  const deferred = options.deferIndexesOf;
  if (deferred) deferIndexes(db, deferred.tables, deferred.keep);
  try {
    return await work();
  } finally {
    if (deferred) restoreDeferredIndexes(db);
    db.pragma(`cache_size = ${cache}`);
    db.pragma(`wal_autocheckpoint = ${checkpoint}`);
  }
}

/**
 * Refreshes the planner's statistics where they are missing or stale, reading at most ~1,000 rows per index
 * (analysis_limit), so a large ingest takes milliseconds more. The tools' queries are written to need no statistics
 * (a user's first run has none); this keeps the rest of the plans from depending on luck.
 */
export function optimizeStatistics(db: Db): void {
  if (isPostgres(db)) {
    db.exec('ANALYZE'); // autovacuum would get there later; the first answers after an ingest should not wait
    return;
  }
  db.pragma('analysis_limit = 1000');
  db.pragma('optimize = 0x10002');
}

/**
 * PostgreSQL plans from statistics, and a long load outgrows them: a first ingest starts with none, and the per-chunk
 * rollup statements then pick plans that scan what was loaded so far (measured: module_reverts 1–2 s a chunk at
 * 10–20k commits instead of under a millisecond). Analyses the commit tables when the rows this run added
 * (`addedThisRun`) reach twice those the statistics last saw — a few times in a load, never for a small increment.
 * SQLite: nothing; its plans for these statements do not depend on statistics (see optimizeStatistics).
 */
export function keepCommitStatistics(db: Db, addedThisRun: number): void {
  if (!isPostgres(db) || addedThisRun < STATS_MIN_ROWS) return;
  const seen = db.prepare("SELECT reltuples FROM pg_class WHERE oid = CAST('commits' AS regclass)").pluck().get();
  if (addedThisRun < 2 * Number(seen ?? 0)) return;
  db.exec('ANALYZE commits, commit_files');
}

/** Below this many new commits the default estimates serve (a first chunk, a day's increment). */
const STATS_MIN_ROWS = 1000;
