import { equalsCaseless, inShortJson } from './dialect.js';
import { inListChunks } from './in-list.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// Reads of commits that answers and the attribution evaluation make: facts for SZZ, who wrote a commit, whose commits
// fall in a window, reverts of a list of commits, and the fix pairs of the repository's own history.

/** A commit as SZZ weighs it. */
export interface SzzCommitRow {
  sha: string;
  authoredAt: number;
  subject: string;
  body: string;
  /** lines added + deleted */
  size: number;
  /** parent shas, space separated */
  parents: string;
}

export function szzCommitRow(db: Db, sha: string): SzzCommitRow | undefined {
  return stmt(
    db,
    'SELECT sha, authored_at AS authoredAt, subject, body, added + deleted AS size, parents FROM commits WHERE sha = ?',
  ).get(sha) as SzzCommitRow | undefined;
}

/** The paths a commit changed, as stored (no order). */
export function commitPaths(db: Db, sha: string): string[] {
  return stmt(db, 'SELECT path FROM commit_files WHERE sha = ?').pluck().all(sha) as string[];
}

/** The modules a commit touched, sorted, each once. */
export function commitModules(db: Db, sha: string): string[] {
  return commitModulesOf(db, [sha]).get(sha) ?? [];
}

/** The modules each of `shas` changed (sorted), in one statement: a commit that changed no file is absent. */
export function commitModulesOf(db: Db, shas: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (shas.length === 0) return out;
  const rows = stmt(
    db,
    `SELECT DISTINCT sha, module FROM commit_files WHERE sha IN (${inShortJson(db, '?')}) ORDER BY sha, module`,
  ).all(JSON.stringify(shas)) as { sha: string; module: string }[];
  for (const r of rows) out.set(r.sha, [...(out.get(r.sha) ?? []), r.module]);
  return out;
}

export interface CommitAuthorRow {
  subject: string;
  author: string;
  email: string;
  authorKind: string;
  agent: string | null;
  /** authored at, unix ms */
  at: number;
}

export function commitAuthor(db: Db, sha: string): CommitAuthorRow | undefined {
  return stmt(
    db,
    `SELECT subject, author_name AS author, author_email AS email, author_kind AS authorKind, agent, authored_at AS at
     FROM commits WHERE sha = ?`,
  ).get(sha) as CommitAuthorRow | undefined;
}

export interface CommitSubjectRow {
  sha: string;
  subject: string;
}

export function commitSubject(db: Db, sha: string): CommitSubjectRow | undefined {
  return stmt(db, 'SELECT sha, subject FROM commits WHERE sha = ?').get(sha) as CommitSubjectRow | undefined;
}

/** The subjects of the stored commits among `shas`, in one statement. */
export function commitSubjects(db: Db, shas: readonly string[]): Map<string, string> {
  if (shas.length === 0) return new Map();
  const rows = stmt(db, `SELECT sha, subject FROM commits WHERE sha IN (${inShortJson(db, '?')})`).all(
    JSON.stringify(shas),
  ) as CommitSubjectRow[];
  return new Map(rows.map((r) => [r.sha, r.subject]));
}

/** Who wrote the commits: an agent's name, or an author's email or name (both case-insensitive). */
export type CommitIdentity = { kind: 'agent'; value: string } | { kind: 'email' | 'name'; value: string };

/**
 * One identity's commits committed in [since, until], newest first, at most `limit`; with `repoId`, only that
 * repository's.
 */
export function commitsBy(
  db: Db,
  who: CommitIdentity,
  q: { since: number; until: number; repoId: number | null; limit: number },
): CommitSubjectRow[] {
  return stmt(db, `SELECT sha, subject ${byWhom(db, who)} ORDER BY committed_at DESC LIMIT ?`).all(
    who.value,
    q.since,
    q.until,
    q.repoId,
    q.repoId,
    q.limit,
  ) as CommitSubjectRow[];
}

/** FROM and WHERE of one identity's commits in [?, ?] of repository ? (all when NULL): five parameters. */
function byWhom(db: Db, who: CommitIdentity): string {
  // NOCASE: the index commits_author_email_nocase (migration 0006) serves the email form.
  const where =
    who.kind === 'agent'
      ? 'agent = ?'
      : who.kind === 'email'
        ? equalsCaseless(db, 'author_email', '?')
        : equalsCaseless(db, 'author_name', '?');
  return `FROM commits WHERE ${where} AND committed_at >= ? AND committed_at <= ?
       AND (CAST(? AS BIGINT) IS NULL OR repo_id = ?)`;
}

/**
 * Which of an identity's commits commitsBy would return, without reading them: their commit times, newest first
 * (an index range), and when there are more than `limit`, the cut — those committed after `after` all count, and of
 * those committed at `after`, only `edge`.
 */
export function commitsByWindow(
  db: Db,
  who: CommitIdentity,
  q: { since: number; until: number; repoId: number | null; limit: number },
): { times: number[]; cut?: { after: number; edge: string[] } } {
  const p = [who.value, q.since, q.until, q.repoId, q.repoId];
  const times = stmt(db, `SELECT committed_at ${byWhom(db, who)} ORDER BY committed_at DESC LIMIT ?`)
    .pluck()
    .all(...p, q.limit + 1) as number[];
  if (times.length <= q.limit) return { times };
  times.pop();
  const after = times.at(-1)!;
  const newer = times.filter((t) => t > after).length;
  // The same order as commitsBy's, so ties at the cut fall the same way.
  const edge = stmt(db, `SELECT sha ${byWhom(db, who)} AND committed_at = ? ORDER BY committed_at DESC LIMIT ?`)
    .pluck()
    .all(...p, after, q.limit - newer) as string[];
  return { times, cut: { after, edge } };
}

/** The reverts of any of `shas`: the reverted commit (`sha`), the revert, and when it was committed. */
export function revertsOfShas(db: Db, shas: readonly string[]): { sha: string; revertedBy: string; at: number }[] {
  const out: { sha: string; revertedBy: string; at: number }[] = [];
  for (const { marks, params } of inListChunks(shas)) {
    out.push(
      ...(stmt(
        db,
        `SELECT reverts_sha AS sha, sha AS revertedBy, committed_at AS at FROM commits
         WHERE reverts_sha IN (${marks}) ORDER BY committed_at DESC`,
      ).all(...params) as { sha: string; revertedBy: string; at: number }[]),
    );
  }
  return out;
}

/** A fix and the commit (full sha or a prefix) it names as its cause, by a `Fixes:` trailer or as a revert. */
export interface FixClaimRow {
  fix: string;
  cause: string;
  source: 'fixes' | 'revert';
}

export function fixClaims(db: Db): FixClaimRow[] {
  return stmt(
    db,
    `SELECT f.sha AS fix, f.fixed_sha AS cause, 'fixes' AS source FROM commit_fixes f WHERE f.fixed_sha IS NOT NULL
     UNION ALL
     SELECT sha AS fix, reverts_sha AS cause, 'revert' AS source FROM commits WHERE reverts_sha IS NOT NULL`,
  ).all() as FixClaimRow[];
}

/** When a commit was authored (unix ms) and whether it is a merge. */
export function commitDateAndMerge(db: Db, sha: string): { at: number; merge: boolean } | undefined {
  const row = stmt(db, 'SELECT authored_at AS at, is_merge AS merge FROM commits WHERE sha = ?').get(sha) as
    { at: number; merge: number | boolean } | undefined;
  return row && { at: row.at, merge: Boolean(row.merge) };
}
