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
    const insert = stmt(
      db,
      `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of links) {
      if (rejected.has(`${l.kind}:${l.target}`)) continue;
      insert.run(incidentId, l.kind, l.target, l.score, l.status, l.method, JSON.stringify(l.evidence), now);
    }
    stmt(db, 'UPDATE incidents SET attribution_pending = 0 WHERE id = ? AND attribution_pending = 1').run(incidentId);
    if (alsoPending.length > 0) markPending(db, alsoPending);
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

/** Marks every incident pending (`hindsight attribute`). */
export function markAllPending(db: Db): number {
  return stmt(db, 'UPDATE incidents SET attribution_pending = 1 WHERE attribution_pending = 0').run().changes;
}

/** Marks the incidents that began at or after `from`, in `env` (every environment when null). */
export function markPendingStartedFrom(db: Db, from: number, env: string | null = null): number {
  return stmt(
    db,
    `UPDATE incidents SET attribution_pending = 1
     WHERE started_at >= ? AND (? IS NULL OR env = ?) AND attribution_pending = 0`,
  ).run(from, env, env).changes;
}
