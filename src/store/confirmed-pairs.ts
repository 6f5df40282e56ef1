import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/** A cause the repository's own history confirms: a fix (`Fixes:` trailer or revert) and the commit it names. */
export interface ConfirmedPairRow {
  fix: string;
  /** the fix's author date (unix ms): when its incident is taken to have begun */
  fixAt: number;
  cause: string;
}

/**
 * The `limit` newest fixes authored and committed strictly before `before` (a fix committed later was not known
 * yet), with the
 * causes they name, newest first. Merges and fixes naming themselves are left out.
 */
export function confirmedPairsBefore(db: Db, before: number, limit: number): ConfirmedPairRow[] {
  return stmt(
    db,
    `WITH fx AS (
       SELECT c.sha, c.authored_at, c.committed_at, c.reverts_sha FROM commits c
        WHERE c.committed_at < ? AND c.authored_at < ? AND c.is_merge = 0
          AND (c.reverts_sha IS NOT NULL
               OR EXISTS (SELECT 1 FROM commit_fixes f WHERE f.sha = c.sha AND f.fixed_sha IS NOT NULL))
        ORDER BY c.committed_at DESC, c.sha
        LIMIT ?)
     SELECT fix, fixAt, cause FROM (
       SELECT fx.sha AS fix, fx.authored_at AS fixAt, fx.committed_at AS t, f.fixed_sha AS cause
         FROM fx JOIN commit_fixes f ON f.sha = fx.sha
        WHERE f.fixed_sha IS NOT NULL AND f.fixed_sha <> fx.sha
       UNION
       SELECT fx.sha AS fix, fx.authored_at AS fixAt, fx.committed_at AS t, fx.reverts_sha AS cause
         FROM fx WHERE fx.reverts_sha IS NOT NULL AND fx.reverts_sha <> fx.sha) pairs
     ORDER BY t DESC, fix, cause`,
  ).all(before, before, limit) as ConfirmedPairRow[];
}
