// The facts the write-back to GitHub (issue 18) joins: which pull request brought a commit (which deploy shipped it:
// deploy-shipments.ts).
import type { PullRequestRow } from './github.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/**
 * The stored pull requests that brought a commit in: those listing it among their commits, or whose merge (or
 * squash) commit it is. Merged ones first, then the newest.
 */
export function pullsOfCommit(db: Db, sha: string, repo?: string): PullRequestRow[] {
  const rows = stmt(
    db,
    `SELECT repo, number, title, author, state, draft, created_at AS createdAt, merged_at AS mergedAt,
       closed_at AS closedAt, merge_sha AS mergeSha, head_ref AS headRef, base_ref AS baseRef, url
     FROM pull_requests p
     WHERE (p.merge_sha = ? OR EXISTS (SELECT 1 FROM pull_request_commits c
       WHERE c.sha = ? AND c.repo = p.repo AND c.number = p.number))
       AND (CAST(? AS TEXT) IS NULL OR p.repo = ?)
     ORDER BY (p.merged_at IS NULL), p.number DESC`,
  ).all(sha, sha, repo ?? null, repo ?? null) as (Omit<PullRequestRow, 'draft'> & { draft: number })[];
  return rows.map((r) => ({ ...r, draft: r.draft === 1 }));
}
