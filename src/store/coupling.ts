import { inJson, joinInOrder, jsonValues } from './dialect.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

// The co-change reads of history/coupling.ts: module_pair_days (migration 0008, kept by store/commits.ts) and the
// time-ordered commit files of migration 0006.

/**
 * The whole day before `beforeDay` on which the module's own commits, counted newest day first, reach `need`: that
 * day, its own commits and the running total through it. Undefined when all its days before `beforeDay` hold fewer.
 * The running sum is SQL's, so a module with years of days costs one scan in the engine, not a row per day in JS.
 */
export function modulePairCutDay(
  db: Db,
  module: string,
  beforeDay: number,
  need: number,
): { day: number; own: number; through: number } | undefined {
  return prepared(
    db,
    // other = module, not other = @m: the partial index module_pair_days_own (migration 0020) holds those rows. The
    // running total rises with every day, so exactly one day crosses `need`.
    `SELECT day, own, through FROM (
       SELECT day, commits AS own, SUM(commits) OVER (ORDER BY day DESC) AS through
       FROM module_pair_days WHERE module = @m AND other = module AND day < @before
     ) d WHERE through >= @need AND through - own < @need`,
  ).get({ m: module, before: beforeDay, need }) as { day: number; own: number; through: number } | undefined;
}

/** The module's pair rows of the whole days in [fromDay, beforeDay), summed per other module (itself included). */
export function modulePairTotals(
  db: Db,
  module: string,
  fromDay: number,
  beforeDay: number,
): { other: string; commits: number }[] {
  return prepared(
    db,
    `SELECT other, SUM(commits) AS commits FROM module_pair_days
     WHERE module = ? AND day >= ? AND day < ? GROUP BY other`,
  ).all(module, fromDay, beforeDay) as { other: string; commits: number }[];
}

/** Other modules changed by `shas`, with how many of those commits changed each. */
export function coModulesOf(db: Db, module: string, shas: readonly string[]): { module: string; commits: number }[] {
  if (shas.length === 0) return [];
  return prepared(
    db,
    `SELECT cf.module AS module, COUNT(DISTINCT cf.sha) AS commits
     FROM ${jsonValues(db, '?', 's')} JOIN commit_files cf ON cf.sha = s.value
     WHERE cf.module <> ?
     GROUP BY cf.module`,
  ).all(JSON.stringify(shas), module) as { module: string; commits: number }[];
}

/** The commits a coupling question reads: ordinary (no merges), ≤ maxFiles files, committed in [since, now]. */
export interface CommitWindow {
  since: number;
  now: number;
  maxFiles: number;
  maxCommits: number;
}

/**
 * The latest ordinary commits of `module` in the window: its rows are walked newest first on (module, committed_at)
 * and the walk stops after maxCommits qualifying commits.
 */
export function latestModuleCommits(db: Db, module: string, w: CommitWindow): { sha: string; files: number }[] {
  // DISTINCT: a commit with several files in one module is met once per file. basis_files is the commit's numstat
  // entry count (NULL for a merge), kept on its file rows (migration 0014): the walk reads no commits row.
  return prepared(
    db,
    `SELECT DISTINCT cf.sha AS sha, cf.committed_at AS at, cf.basis_files AS files
     FROM commit_files cf
     WHERE cf.module = ? AND cf.committed_at >= ? AND cf.committed_at <= ? AND cf.basis_files <= ?
     ORDER BY cf.committed_at DESC, cf.sha DESC LIMIT ?`,
  ).all(module, w.since, w.now, w.maxFiles, w.maxCommits) as { sha: string; files: number }[];
}

/**
 * The ordinary commits in the window touching any of `paths`, newest first, once per path they touched (a commit
 * touching several comes in adjacent rows), read lazily: the caller stops after the commits it needs. The per-path
 * walks are one compound SELECT that SQLite merges in order, so it never reads maxCommits per path.
 */
export function latestPathCommitRows(
  db: Db,
  paths: readonly string[],
  w: Omit<CommitWindow, 'maxCommits'>,
): Iterable<{ sha: string; path: string; files: number }> {
  const arm = (i: number) =>
    `SELECT cf.sha AS sha, cf.committed_at AS at, cf.path AS path, cf.basis_files AS files
     FROM commit_files cf
     WHERE cf.path = @p${i} AND cf.committed_at >= @since AND cf.committed_at <= @now AND cf.basis_files <= @maxFiles`;
  // One statement per number of paths (at most MAX_PATHS), prepared once each.
  const sql = `${paths.map((_, i) => arm(i)).join(' UNION ALL ')} ORDER BY at DESC, sha DESC`;
  const params: Record<string, unknown> = { since: w.since, now: w.now, maxFiles: w.maxFiles };
  paths.forEach((p, i) => (params[`p${i}`] = p));
  return prepared(db, sql).iterate(params) as Iterable<{ sha: string; path: string; files: number }>;
}

/**
 * Files other than `inputs` changed by `shas`, with how many of those commits changed each, from `minSupport` up:
 * counted in SQL so only the pairs above the floor reach the caller. CROSS JOIN keeps the shas outermost: one
 * primary-key seek per commit.
 */
export function coChangedFileCounts(
  db: Db,
  shas: readonly string[],
  inputs: readonly string[],
  minSupport: number,
): { path: string; module: string; support: number }[] {
  return prepared(
    db,
    `SELECT f.path AS path, MAX(f.module) AS module, COUNT(*) AS support
     FROM ${jsonValues(db, '?', 's')} ${joinInOrder(db)} commit_files f ON f.sha = s.value
     WHERE f.path NOT IN (${inJson(db, '?')})
     GROUP BY f.path HAVING COUNT(*) >= ?`,
  ).all(JSON.stringify(shas), JSON.stringify(inputs), minSupport) as {
    path: string;
    module: string;
    support: number;
  }[];
}
