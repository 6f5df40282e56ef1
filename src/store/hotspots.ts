import { prepared } from './prepared.js';
import type { Db } from './open.js';

export interface ChangeWindow {
  since: number;
  until: number;
  /** Only this repository's commits; null: every repository in the store. */
  repoId: number | null;
}

/** One file changed by one ordinary commit of the window. */
export interface WindowChange {
  sha: string;
  path: string;
  /** The author's e-mail, case-folded: code-maat counts an author once however the address is spelt. */
  email: string;
  added: number;
  deleted: number;
  /** Files the commit changed in all (its change set's size). */
  files: number;
}

// Merges are left out: they repeat changes already counted (code-maat reads `git log --no-merges`).
const WINDOW_CHANGES = `
  SELECT cf.sha AS sha, cf.path AS path, lower(c.author_email) AS email,
    COALESCE(cf.added, 0) AS added, COALESCE(cf.deleted, 0) AS deleted, c.files_changed AS files
  FROM commit_files cf JOIN commits c ON c.sha = cf.sha
  WHERE cf.committed_at >= @since AND cf.committed_at <= @until AND c.is_merge = 0
    AND (CAST(@repoId AS BIGINT) IS NULL OR c.repo_id = @repoId)
  ORDER BY cf.sha`;

/** Every file change of the ordinary commits in [since, until], grouped by commit. */
export function windowChanges(db: Db, w: ChangeWindow): Iterable<WindowChange> {
  return prepared(db, WINDOW_CHANGES).iterate(w) as Iterable<WindowChange>;
}

/** When the newest commit before `before` was committed (unix ms), of one repository or of all; null if none. */
export function newestCommitBefore(db: Db, q: { before: number; repoId: number | null }): number | null {
  // Two shapes, so each walks its own index backwards from `before` (commits_repo_time, commits_time).
  const sql =
    q.repoId === null
      ? 'SELECT committed_at FROM commits WHERE committed_at < @before ORDER BY committed_at DESC LIMIT 1'
      : 'SELECT committed_at FROM commits WHERE repo_id = @repoId AND committed_at < @before ORDER BY committed_at DESC LIMIT 1';
  const at = prepared(db, sql).pluck().get(q) as number | undefined;
  return at ?? null;
}
