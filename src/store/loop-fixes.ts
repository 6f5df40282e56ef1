import type { FixInfo } from './clusters.js';
import { getClusters, insertFix, linkFix, type EvidenceCluster } from './fixes.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

// The `fixes` rows the loop owns: those with a `hindsight/*` branch; these touch only the loop's columns (status,
// pr_number, pr_url, branch, merged_at). Below the domain because two rooms settle them: the loop (its runs) and
// github (webhooks and ingest of the loop's pull requests).

/** The loop's branches; a pull request from one of them carries a structural fix. */
export const LOOP_BRANCH_PREFIX = 'hindsight/';

/** A fix the loop opened a pull request for. */
export interface LoopFix extends FixInfo {
  branch: string;
  prNumber: number | null;
  /** The commit the loop pushed last (from the evidence JSON): a branch head other than this is someone else's. */
  commit: string | null;
}

const COLUMNS = `SELECT id, type, title, path, status, cluster_id AS clusterId, branch, pr_number AS prNumber,
  pr_url AS prUrl, evidence, created_at AS createdAt, merged_at AS mergedAt
  FROM fixes`;

/** The pushed commit is read from the evidence JSON here rather than in SQL, where each engine spells it differently. */
function toLoopFix(row: unknown): LoopFix | undefined {
  if (row === undefined) return undefined;
  const { evidence, ...fix } = row as Omit<LoopFix, 'commit'> & { evidence: string | null };
  let commit: unknown = null;
  try {
    commit = evidence === null ? null : (JSON.parse(evidence) as { commit?: unknown }).commit;
  } catch {
    commit = null; // not JSON: written by hand; no commit to compare with
  }
  return { ...fix, commit: typeof commit === 'string' ? commit : null };
}

/** Fixes whose pull request is open (as far as the database knows), oldest first. */
export function openLoopFixes(db: Db): LoopFix[] {
  return prepared(db, `${COLUMNS} WHERE status = 'open_pr' AND branch IS NOT NULL ORDER BY id`)
    .all()
    .map((r) => toLoopFix(r)!);
}

/** A branch already used by another cluster's fix (so a new one picks another name). */
export function branchTaken(db: Db, branch: string, clusterId: number): boolean {
  return (
    prepared(db, `SELECT 1 FROM fixes WHERE branch = ? AND coalesce(cluster_id, -1) <> ? LIMIT 1`).get(
      branch,
      clusterId,
    ) !== undefined
  );
}

/**
 * The loop fix a merged or closed pull request belongs to: by branch (and number, when both are known), or by
 * number alone among the loop's fixes.
 */
export function findLoopFix(db: Db, by: { branch?: string; prNumber?: number }): LoopFix | undefined {
  if (by.branch !== undefined) {
    return toLoopFix(
      prepared(
        db,
        `${COLUMNS} WHERE branch = @branch AND (CAST(@pr AS BIGINT) IS NULL OR pr_number IS NULL OR pr_number = @pr)
          ORDER BY id DESC LIMIT 1`,
      ).get({ branch: by.branch, pr: by.prNumber ?? null }),
    );
  }
  if (by.prNumber === undefined) return undefined;
  return toLoopFix(
    prepared(db, `${COLUMNS} WHERE pr_number = ? AND branch IS NOT NULL ORDER BY id DESC LIMIT 1`).get(by.prNumber),
  );
}

/** Clusters whose loop PR is still open (and still their fix), with their entry count in [since, until], when they still recur. */
export function openLoopClusters(
  db: Db,
  since: number,
  until: number,
  minEntries: number,
): { cluster: EvidenceCluster & { count: number }; fix: LoopFix }[] {
  const count = prepared(
    db,
    'SELECT count(*) AS n FROM interrupts WHERE cluster_id = ? AND created_at >= ? AND created_at <= ?',
  );
  const out: { cluster: EvidenceCluster & { count: number }; fix: LoopFix }[] = [];
  for (const fix of openLoopFixes(db)) {
    if (fix.clusterId === null) continue;
    const cluster = getClusters(db, [fix.clusterId])[0];
    const n = (count.get(fix.clusterId, since, until) as { n: number }).n;
    // A fix proposed since (by hand) took the cluster over: this PR is no longer its fix, so it is not refreshed.
    if (cluster && cluster.fixId === fix.id && n >= minEntries) out.push({ cluster: { ...cluster, count: n }, fix });
  }
  return out;
}

/** What the loop records once its pull request is open. */
export interface OpenedFix {
  type: LoopFix['type'];
  title: string;
  path: string;
  clusterId: number;
  interruptIds: readonly number[];
  evidence: Record<string, unknown>;
  branch: string;
  prNumber: number;
  prUrl: string;
  at: number;
}

/**
 * Records an opened (or refreshed) pull request in one transaction: a new fix covers the cluster and its
 * entries; a refreshed one keeps its id and coverage time and takes the entries that joined since.
 */
export function saveOpenedFix(db: Db, fix: OpenedFix, existingId?: number): number {
  return db.transaction(() => {
    let id = existingId;
    if (id === undefined) {
      id = insertFix(db, { ...fix, createdAt: fix.at });
      linkFix(db, id, [fix.clusterId], fix.interruptIds, fix.at);
    } else {
      prepared(db, 'UPDATE interrupts SET fix_id = ? WHERE cluster_id = ? AND fix_id IS NULL').run(id, fix.clusterId);
    }
    prepared(
      db,
      `UPDATE fixes SET type = @type, title = @title, path = @path, evidence = @evidence, status = 'open_pr',
         branch = @branch, pr_number = @prNumber, pr_url = @prUrl WHERE id = @id`,
    ).run({
      id,
      type: fix.type,
      title: fix.title,
      path: fix.path,
      evidence: JSON.stringify(fix.evidence),
      branch: fix.branch,
      prNumber: fix.prNumber,
      prUrl: fix.prUrl,
    });
    return id;
  })();
}

/** Sets a loop fix's outcome; merged also makes sure its cluster is covered by it. */
export function setLoopFixOutcome(
  db: Db,
  fix: LoopFix,
  outcome: { status: 'merged' | 'rejected'; at: number; prNumber?: number },
): void {
  db.transaction(() => {
    prepared(
      db,
      `UPDATE fixes SET status = @status, merged_at = @mergedAt, pr_number = coalesce(pr_number, @pr) WHERE id = @id`,
    ).run({
      id: fix.id,
      status: outcome.status,
      mergedAt: outcome.status === 'merged' ? outcome.at : null,
      pr: outcome.prNumber ?? null,
    });
    if (outcome.status === 'merged' && fix.clusterId !== null) {
      prepared(
        db,
        `UPDATE clusters SET fix_id = @fix, covered_at = coalesce(covered_at, @at)
          WHERE id = @cluster AND (fix_id IS NULL OR fix_id = @fix)`,
      ).run({ fix: fix.id, at: outcome.at, cluster: fix.clusterId });
    }
  })();
}

/** Which pull request: its head branch (`hindsight/…`) and/or its number. */
export interface PullRef {
  branch?: string;
  prNumber?: number;
}

export interface FixOutcome {
  fixId: number;
  clusterId: number | null;
  /** false when the fix already had this outcome (a replayed webhook) */
  changed: boolean;
}

/**
 * Settles the loop fix of a merged or closed pull request, idempotently; undefined when no loop fix matches. A merge
 * is final, and a rejection never overrides one (GitHub sends `closed` for merged pull requests too). The look-up and
 * the write are one IMMEDIATE transaction, so a webhook and an ingest settling the same pull request at once cannot
 * both see it open.
 */
export function settleLoopFix(db: Db, pr: PullRef, status: 'merged' | 'rejected', at: number): FixOutcome | undefined {
  if (pr.branch !== undefined && !pr.branch.startsWith(LOOP_BRANCH_PREFIX)) return undefined;
  return db
    .transaction((): FixOutcome | undefined => {
      const fix = findLoopFix(db, pr);
      if (!fix) return undefined;
      if (fix.status === status || fix.status === 'merged')
        return { fixId: fix.id, clusterId: fix.clusterId, changed: false };
      setLoopFixOutcome(db, fix, { status, at, ...(pr.prNumber !== undefined ? { prNumber: pr.prNumber } : {}) });
      return { fixId: fix.id, clusterId: fix.clusterId, changed: true };
    })
    .immediate();
}
