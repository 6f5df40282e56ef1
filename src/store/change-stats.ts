import { inJson, joinInOrder } from './dialect.js';
import { moduleDayRows } from './commits.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

// Reads of the per-module rollups (module_days, module_authors, module_reverts: migration 0006, kept by
// store/commits.ts) for history/change-stats.ts. Callers run ensureModuleRollups first.

/** Commits of `module` reverted by a revert landing in [from, to] (unix ms). */
export function moduleRevertCount(db: Db, module: string, from: number, to: number): number {
  return prepared(db, 'SELECT COUNT(*) FROM module_reverts WHERE module = ? AND reverted_at >= ? AND reverted_at <= ?')
    .pluck()
    .get(module, from, to) as number;
}

/** A window split into whole UTC days (read from the rollup) and the raw commit ranges at either edge. */
export interface DaySplit {
  firstDay: number;
  lastDay: number;
  head: { from: number; to: number };
  tail: { from: number; to: number };
}

// Whole days of the window from the rollup, plus the raw commits of the partial days at either edge (at most two
// days of the module's commits), counted by the same definition as the rollup rows.
const BY_AGENT = `
  SELECT agent, SUM(commits) AS commits FROM (
    SELECT agent, commits FROM module_days WHERE module = @module AND day >= @firstDay AND day <= @lastDay
    UNION ALL SELECT agent, commits FROM (
      ${moduleDayRows('cf.module = @module AND cf.committed_at >= @headFrom AND cf.committed_at <= @headTo')}) head
    UNION ALL SELECT agent, commits FROM (
      ${moduleDayRows('cf.module = @module AND cf.committed_at >= @tailFrom AND cf.committed_at <= @tailTo')}) tail
  ) days GROUP BY agent`;

/** Ordinary commits of `module` in the split window per agent ('' = by humans). */
export function moduleCommitsByAgent(db: Db, module: string, w: DaySplit): { agent: string; commits: number }[] {
  return prepared(db, BY_AGENT).all({
    module,
    firstDay: w.firstDay,
    lastDay: w.lastDay,
    headFrom: w.head.from,
    headTo: w.head.to,
    tailFrom: w.tail.from,
    tailTo: w.tail.to,
  }) as { agent: string; commits: number }[];
}

/**
 * Authors of `module` whose first and last commit there decide whether they committed in [lo, to] (`sure`), and
 * those whose commits straddle the window on both sides (`straddling`: lower-cased emails), who must be checked
 * against the window's commits with authorsInWindow.
 */
export function moduleAuthorSpans(
  db: Db,
  module: string,
  lo: number,
  to: number,
): { sure: number; straddling: string[] } {
  const sure = prepared(
    db,
    `SELECT COUNT(*) FROM module_authors WHERE module = ? AND first_at <= ? AND last_at >= ?
       AND (first_at >= ? OR last_at <= ?)`,
  )
    .pluck()
    .get(module, to, lo, lo, to) as number;
  const straddling = prepared(db, 'SELECT email FROM module_authors WHERE module = ? AND first_at < ? AND last_at > ?')
    .pluck()
    .all(module, lo, to) as string[];
  return { sure, straddling };
}

/** How many of `emails` (lower-cased) have an ordinary commit to `module` in [lo, to]. */
export function authorsInWindow(db: Db, module: string, lo: number, to: number, emails: readonly string[]): number {
  return prepared(
    db,
    `SELECT COUNT(DISTINCT lower(c.author_email)) FROM commit_files cf JOIN commits c ON c.sha = cf.sha
     WHERE cf.module = ? AND cf.committed_at >= ? AND cf.committed_at <= ? AND c.is_merge = 0
       AND lower(c.author_email) IN (${inJson(db, '?')})`,
  )
    .pluck()
    .get(module, lo, to, JSON.stringify(emails)) as number;
}

/** A commit touching some of the asked paths that was reverted in the window, once per path it touched. */
export interface PathRevertRow {
  sha: string;
  subject: string;
  revertSha: string;
  revertedAt: number;
  path: string;
}

/** Commits touching `paths` that were reverted in [since, now], newest revert first. */
export function revertsTouchingPaths(db: Db, paths: readonly string[], since: number, now: number): PathRevertRow[] {
  return prepared(
    db,
    // From the window's reverts (commits_reverts_time), few even at 1M commits, to the files they undid: starting
    // from the paths instead read every commit of a hot file (~0.3 s).
    `SELECT c.sha AS sha, c.subject AS subject, r.sha AS revertSha, r.committed_at AS revertedAt, cf.path AS path
     FROM commits r
     ${joinInOrder(db)} commit_files cf ON cf.sha = r.reverts_sha
     JOIN commits c ON c.sha = cf.sha
     WHERE r.reverts_sha IS NOT NULL AND r.committed_at >= ? AND r.committed_at <= ?
       AND cf.path IN (${inJson(db, '?')})
     ORDER BY r.committed_at DESC, c.sha, cf.path`,
  ).all(since, now, JSON.stringify(paths)) as PathRevertRow[];
}
