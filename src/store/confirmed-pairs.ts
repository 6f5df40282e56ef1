import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/** A cause the repository's own history confirms: a fix (`Fixes:` trailer or revert) and the commit it names. */
export interface ConfirmedPairRow {
  fix: string;
  /** the fix's author date (unix ms): when its incident is taken to have begun */
  fixAt: number;
  /** when the fix was committed: it is known from then on */
  committedAt: number;
  cause: string;
}

/**
 * Every fix with the causes it names, newest commit first (ties by sha). Read once per attribution run: each
 * incident's calibration takes the newest ones before its start from this list (one statement per incident cost
 * ~8 ms on bench 6's history). Merges and fixes naming themselves are left out.
 */
export function confirmedPairs(db: Db): ConfirmedPairRow[] {
  return stmt(
    db,
    `SELECT fix, fixAt, committedAt, cause FROM (
       SELECT c.sha AS fix, c.authored_at AS fixAt, c.committed_at AS committedAt, f.fixed_sha AS cause
         FROM commit_fixes f JOIN commits c ON c.sha = f.sha
        WHERE f.fixed_sha IS NOT NULL AND f.fixed_sha <> c.sha AND c.is_merge = 0
       UNION
       SELECT c.sha AS fix, c.authored_at AS fixAt, c.committed_at AS committedAt, c.reverts_sha AS cause
         FROM commits c WHERE c.reverts_sha IS NOT NULL AND c.reverts_sha <> c.sha AND c.is_merge = 0) pairs
     ORDER BY committedAt DESC, fix, cause`,
  ).all() as ConfirmedPairRow[];
}
