import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// What each agent has not yet read about: incidents linked to its commits (kept by a trigger, 0012-notify) after
// its digest read mark.

/** When the agent last read its digest (unix ms), if ever. */
export function digestMark(db: Db, agent: string): number | undefined {
  return stmt(db, 'SELECT read_at FROM digest_marks WHERE agent = ?').pluck().get(agent) as number | undefined;
}

/** Moves the agent's read mark forward to `at` (never back: two readers cannot un-read each other's news). */
export function advanceDigestMark(db: Db, agent: string, at: number): void {
  stmt(
    db,
    `INSERT INTO digest_marks (agent, read_at) VALUES (?, ?)
     ON CONFLICT (agent) DO UPDATE SET read_at = excluded.read_at WHERE excluded.read_at > digest_marks.read_at`,
  ).run(agent, at);
}

/** Incidents first linked to the agent's commits after `since` (exclusive), newest link first. */
export function incidentsLinkedSince(
  db: Db,
  agent: string,
  since: number,
  limit: number,
): { incidentId: number; linkedAt: number }[] {
  return stmt(
    db,
    `SELECT incident_id AS incidentId, linked_at AS linkedAt FROM agent_incidents
     WHERE agent = ? AND linked_at > ? ORDER BY linked_at DESC, incident_id DESC LIMIT ?`,
  ).all(agent, since, limit) as { incidentId: number; linkedAt: number }[];
}

/**
 * A value that changes whenever an incident is first linked to the agent's commits (how many, and the newest
 * time): what a digest subscription polls. One index range per call.
 */
export function agentLinksFingerprint(db: Db, agent: string): string {
  const row = stmt(db, 'SELECT count(*) AS n, max(linked_at) AS last FROM agent_incidents WHERE agent = ?').get(
    agent,
  ) as { n: number; last: number | null };
  return `${row.n}:${row.last ?? 0}`;
}
