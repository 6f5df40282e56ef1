import { inShortJson, joinInOrder } from './dialect.js';
import { inListChunks } from './in-list.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/** A link as attribution writes it: evidence is stored as JSON. */
export interface LinkRow {
  kind: 'deploy' | 'commit';
  target: string;
  score: number;
  status: string;
  method: string;
  evidence: unknown;
}

const LINKS_PER_INSERT = 50;

/**
 * Replaces an incident's computed links and clears its pending mark, in one transaction: after a crash the incident
 * is either still pending or has its links. Links a human rejected stay rejected (and are not written again).
 * `alsoPending`: incidents these links can change, marked in the same transaction.
 */
export function replaceLinks(
  db: Db,
  incidentId: number,
  links: readonly LinkRow[],
  now: number,
  alsoPending: readonly number[] = [],
): void {
  db.transaction(() => {
    const rejected = new Set(
      stmt(db, "SELECT kind || ':' || target FROM incident_links WHERE incident_id = ? AND status = 'rejected'")
        .pluck()
        .all(incidentId) as string[],
    );
    stmt(db, "DELETE FROM incident_links WHERE incident_id = ? AND status != 'rejected'").run(incidentId);
    // One statement per 50 links (an incident has up to ~35): on PostgreSQL each statement is a round trip.
    const rows = links.filter((l) => !rejected.has(`${l.kind}:${l.target}`));
    for (let i = 0; i < rows.length; i += LINKS_PER_INSERT) {
      const chunk = rows.slice(i, i + LINKS_PER_INSERT);
      stmt(
        db,
        `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      ).run(
        ...chunk.flatMap((l) => [
          incidentId,
          l.kind,
          l.target,
          l.score,
          l.status,
          l.method,
          JSON.stringify(l.evidence),
          now,
        ]),
      );
    }
    stmt(db, 'UPDATE incidents SET attribution_pending = 0 WHERE id = ? AND attribution_pending = 1').run(incidentId);
    if (alsoPending.length > 0) markPending(db, alsoPending);
    // The impact summaries this marked are recomputed once per attribution run (refreshAttribution), not per
    // incident: per incident it was ~55 ms of a ~12 ms attribution on bench 6's history.
  }).immediate(); // takes the write lock before reading: a read that turned into a write could fail at once
}

/** The commits an incident's own fix or root cause confirmed (not those borrowed from a recurrence). */
export function confirmedCauses(db: Db, incidentId: number): { sha: string; score: number; authoredAt: number }[] {
  return stmt(
    db,
    `SELECT l.target AS sha, l.score, c.authored_at AS authoredAt FROM incident_links l JOIN commits c ON c.sha = l.target
     WHERE l.incident_id = ? AND l.kind = 'commit' AND l.status = 'confirmed' AND l.method IN ('fix-blame', 'root-cause')`,
  ).all(incidentId) as { sha: string; score: number; authoredAt: number }[];
}

/** A link's evidence as stored: the reasons it was ranked or confirmed, and blamed lines for fix-blame links. */
export interface StoredEvidence {
  reasons: string[];
  factors?: Record<string, number>;
  blamed?: string[];
}

export interface StoredLink {
  kind: 'deploy' | 'commit';
  target: string;
  score: number;
  status: string;
  method: string;
  evidence: StoredEvidence;
}

/** An incident's links but the rejected ones: confirmed first, then by score, then by target. */
export function incidentLinks(db: Db, incidentId: number): StoredLink[] {
  const rows = stmt(
    db,
    `SELECT kind, target, score, status, method, evidence FROM incident_links
     WHERE incident_id = ? AND status != 'rejected'
     ORDER BY (status = 'confirmed') DESC, score DESC, target`,
  ).all(incidentId) as (Omit<StoredLink, 'evidence'> & { evidence: string })[];
  return rows.map((r) => ({ ...r, evidence: JSON.parse(r.evidence) as StoredEvidence }));
}

/** A commit link without its evidence. */
export interface CommitLinkRow {
  incidentId: number;
  target: string;
  score: number;
  status: string;
}

/** The links to any of `shas` that are confirmed or score at least `minScore` (never rejected ones). */
export function commitLinksTo(db: Db, shas: readonly string[], minScore: number): CommitLinkRow[] {
  const out: CommitLinkRow[] = [];
  for (const { marks, params } of inListChunks(shas)) {
    out.push(
      ...(stmt(
        db,
        `SELECT incident_id AS incidentId, target, score, status FROM incident_links
         WHERE kind = 'commit' AND status != 'rejected' AND (status = 'confirmed' OR score >= ?)
           AND target IN (${marks})`,
      ).all(minScore, ...params) as CommitLinkRow[]),
    );
  }
  return out;
}

/**
 * The evidence of each (incident, commit) link among `pairs` that exists, in one statement, keyed by
 * evidenceKey(incidentId, sha).
 */
export function commitLinkEvidences(
  db: Db,
  pairs: readonly { incidentId: number; sha: string }[],
): Map<string, StoredEvidence> {
  const out = new Map<string, StoredEvidence>();
  if (pairs.length === 0) return out;
  const rows = stmt(
    db,
    `SELECT incident_id AS incidentId, target, evidence FROM incident_links
     WHERE kind = 'commit' AND incident_id IN (${inShortJson(db, '?', 'bigint')}) AND target IN (${inShortJson(db, '?')})`,
  ).all(JSON.stringify(pairs.map((p) => p.incidentId)), JSON.stringify(pairs.map((p) => p.sha))) as {
    incidentId: number;
    target: string;
    evidence: string;
  }[];
  const wanted = new Set(pairs.map((p) => evidenceKey(p.incidentId, p.sha)));
  for (const r of rows) {
    const key = evidenceKey(r.incidentId, r.target);
    if (wanted.has(key)) out.set(key, JSON.parse(r.evidence) as StoredEvidence);
  }
  return out;
}

export const evidenceKey = (incidentId: number, sha: string): string => `${incidentId}\u0000${sha}`;

/** The evidence of an incident's link to a commit; undefined when there is no such link. */
export function commitLinkEvidence(db: Db, incidentId: number, sha: string): StoredEvidence | undefined {
  return commitLinkEvidences(db, [{ incidentId, sha }]).get(evidenceKey(incidentId, sha));
}

// ------------------------------------------------------------------------------------------- the pending marker

/**
 * Pending incidents, the ones with a known fix or root cause first (their causes are evidence for other
 * occurrences of the same failure), then by start.
 */
export function pendingIncidents(db: Db): number[] {
  return stmt(
    db,
    `SELECT id FROM incidents WHERE attribution_pending = 1
     ORDER BY (fix_sha IS NULL AND root_cause_sha IS NULL), started_at, id`,
  )
    .pluck()
    .all() as number[];
}

export function countPending(db: Db): number {
  return stmt(db, 'SELECT count(*) FROM incidents WHERE attribution_pending = 1').pluck().get() as number;
}

/** Marks incidents pending by id; unknown ids are ignored. */
export function markPending(db: Db, ids: Iterable<number>): number {
  const mark = stmt(db, 'UPDATE incidents SET attribution_pending = 1 WHERE id = ? AND attribution_pending = 0');
  let n = 0;
  db.transaction(() => {
    for (const id of ids) n += mark.run(id).changes;
  })();
  return n;
}

/** What to mark pending at once; see markPendingTogether. */
export interface PendingMarks {
  all?: boolean;
  ids?: readonly number[];
  /** incidents that began at or after `from`, in `env` (every environment when null) */
  startedFrom?: readonly { from: number; env: string | null }[];
  /** the incidents commits stored after this rowid can change (see markPendingForNewCommits) */
  newCommits?: { afterRowid: number; lookbackMs: number };
}

/** Marks every kind of `marks` in one transaction: a crash leaves all of them marked or none. */
export function markPendingTogether(db: Db, marks: PendingMarks): void {
  db.transaction(() => {
    if (marks.all) markAllPending(db);
    if (marks.ids) markPending(db, marks.ids);
    for (const s of marks.startedFrom ?? []) markPendingStartedFrom(db, s.from, s.env);
    if (marks.newCommits) markPendingForNewCommits(db, marks.newCommits.afterRowid, marks.newCommits.lookbackMs);
  })();
}

/** Marks every incident pending (`hindsight attribute`). */
export function markAllPending(db: Db): number {
  return stmt(db, 'UPDATE incidents SET attribution_pending = 1 WHERE attribution_pending = 0').run().changes;
}

/** Marks the incidents that began at or after `from`, in `env` (every environment when null). */
export function markPendingStartedFrom(db: Db, from: number, env: string | null = null): number {
  return stmt(
    db,
    `UPDATE incidents SET attribution_pending = 1
     WHERE started_at >= ? AND (CAST(? AS TEXT) IS NULL OR env = ?) AND attribution_pending = 0`,
  ).run(from, env, env).changes;
}

/**
 * Marks the incidents whose attribution the commits stored after `afterRowid` can change, and only those:
 * - its fix or root cause names one of them (now resolvable, or a prefix now ambiguous);
 * - its fix names (`Fixes:`) one of them, resolved by this ingest;
 * - a candidate deploy shipped one of them or a commit one of them reverts: a deploy of its environment that finished
 *   before it began, within `lookbackMs`;
 * - a deploy of its environment that finished before it began shipped one of them, touching a module it names
 *   (its files' or its own): suspects reach back through each named file's history, however long ago (a commit a
 *   deploy named before it was ingested — a CI build of a ref never fetched — is stored only later);
 * - one of them is a revert committed while it was open (up to a day after it was resolved);
 * - one of them reverts a commit it links to (a confirmed cause shipped before the look-back).
 * A new commit cannot be blamed by a fix stored before it (a fix's ancestors are stored with it), so nothing else
 * reads it. Set-based: an ingest of one commit costs a few index seeks, not one query per incident.
 */
export function markPendingForNewCommits(db: Db, afterRowid: number, lookbackMs: number): number {
  // From the new commits outward: SQLite otherwise started the late-shipped rules from the incidents and walked
  // every commit file of their modules (~3 s for one new commit on bench 7's history).
  const j = joinInOrder(db);
  const names = (col: string) =>
    `(i.${col} IS NOT NULL AND EXISTS (SELECT 1 FROM commits c WHERE c.sha >= lower(trim(i.${col}))
       AND c.sha < lower(trim(i.${col})) || 'g' AND c.rowid > ?))`;
  return stmt(
    db,
    `UPDATE incidents SET attribution_pending = 1 WHERE attribution_pending = 0 AND id IN (
       SELECT i.id FROM incidents i WHERE ${names('fix_sha')} OR ${names('root_cause_sha')}
       UNION
       SELECT i.id FROM commits n JOIN commit_fixes f ON f.fixed_sha = n.sha
         JOIN incidents i ON i.fix_sha IS NOT NULL AND f.sha >= lower(trim(i.fix_sha)) AND f.sha < lower(trim(i.fix_sha)) || 'g'
         WHERE n.rowid > ?
       UNION
       SELECT i.id FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
         JOIN incidents i ON i.env = d.env AND i.started_at > d.finished_at AND i.started_at <= d.finished_at + ?
         WHERE dc.sha IN (SELECT sha FROM commits WHERE rowid > ?
                          UNION SELECT reverts_sha FROM commits WHERE rowid > ? AND reverts_sha IS NOT NULL)
       UNION
       SELECT i.id FROM commits n ${j} deploy_commits dc ON dc.sha = n.sha ${j} deploys d ON d.id = dc.deploy_id
         ${j} commit_files cf ON cf.sha = n.sha ${j} incident_files f ON f.module = cf.module
         ${j} incidents i ON i.id = f.incident_id AND i.env = d.env AND i.started_at > d.finished_at
         WHERE n.rowid > ?
       UNION
       SELECT i.id FROM commits n ${j} deploy_commits dc ON dc.sha = n.sha ${j} deploys d ON d.id = dc.deploy_id
         ${j} commit_files cf ON cf.sha = n.sha
         ${j} incidents i ON i.module = cf.module AND i.env = d.env AND i.started_at > d.finished_at
         WHERE n.rowid > ?
       UNION
       SELECT i.id FROM commits n JOIN incidents i
         ON i.started_at <= n.committed_at AND coalesce(i.resolved_at, i.started_at) + 86400000 >= n.committed_at
         WHERE n.rowid > ? AND n.reverts_sha IS NOT NULL
       UNION
       SELECT l.incident_id FROM commits n JOIN incident_links l ON l.kind = 'commit' AND l.target = n.reverts_sha
         WHERE n.rowid > ?)`,
  ).run(
    afterRowid,
    afterRowid,
    afterRowid,
    lookbackMs,
    afterRowid,
    afterRowid,
    afterRowid,
    afterRowid,
    afterRowid,
    afterRowid,
  ).changes;
}
