import { refreshImpactSummaries } from './impact-summaries.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/** What a person's rejection did to the link: it was live and is rejected now, was rejected already, or is new. */
export type RejectOutcome = 'rejected' | 'already' | 'recorded';

/**
 * A person says this commit (or deploy) did not cause the incident. The link keeps its score and evidence, gains the
 * person's reason, and turns `rejected`, which attribution never overwrites; with no link yet, a rejected one is
 * written so attribution never proposes it. One transaction.
 */
export function rejectLink(
  db: Db,
  link: { incidentId: number; kind: 'commit' | 'deploy'; target: string },
  reason: string,
  now: number,
): RejectOutcome {
  return db.transaction((): RejectOutcome => {
    const row = stmt(
      db,
      'SELECT status, evidence FROM incident_links WHERE incident_id = ? AND kind = ? AND target = ?',
    ).get(link.incidentId, link.kind, link.target) as { status: string; evidence: string } | undefined;
    if (row?.status === 'rejected') return 'already';
    const said = `rejected by a person: ${reason}`;
    if (row) {
      const evidence = JSON.parse(row.evidence) as { reasons?: string[] };
      const updated = { ...evidence, reasons: [said, ...(evidence.reasons ?? [])] };
      stmt(
        db,
        `UPDATE incident_links SET status = 'rejected', evidence = ?, updated_at = ?
          WHERE incident_id = ? AND kind = ? AND target = ?`,
      ).run(JSON.stringify(updated), now, link.incidentId, link.kind, link.target);
      refreshImpactSummaries(db);
      return 'rejected';
    }
    stmt(
      db,
      `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
       VALUES (?, ?, ?, 0, 'rejected', 'human', ?, ?)`,
    ).run(link.incidentId, link.kind, link.target, JSON.stringify({ reasons: [said], factors: {} }), now);
    return 'recorded';
  })();
}
