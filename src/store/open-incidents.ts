import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/**
 * The newest incident still open (not resolved) in one of `modules` that began at or after `from`: through the
 * module rollup, which ties an incident to a module by its field, its files and frames, and strong links.
 */
export function newestOpenIncident(
  db: Db,
  modules: readonly string[],
  from: number,
): { externalId: string; title: string; severity: string | null; startedAt: number; module: string } | undefined {
  const one = stmt(
    db,
    `SELECT i.external_id AS externalId, i.title, i.severity, i.started_at AS startedAt, mi.module
     FROM module_incidents mi JOIN incidents i ON i.id = mi.incident_id
     WHERE mi.module = ? AND mi.started_at >= ? AND i.resolved_at IS NULL AND i.status <> 'resolved'
     ORDER BY mi.started_at DESC LIMIT 1`,
  );
  let best: ReturnType<typeof newestOpenIncident>;
  for (const m of new Set(modules)) {
    const row = one.get(m, from) as NonNullable<ReturnType<typeof newestOpenIncident>> | undefined;
    if (row && (!best || row.startedAt > best.startedAt)) best = row;
  }
  return best;
}
