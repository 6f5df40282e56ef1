import { prepared } from './prepared.js';
import type { Db } from './open.js';

/** An incident's start and module ('' when it names none), for the incidents-per-module chart. */
export interface IncidentStart {
  ref: string;
  module: string;
  startedAt: number;
}

const STARTS = `SELECT external_id AS ref, COALESCE(module, '') AS module, started_at AS startedAt
  FROM incidents WHERE started_at >= ? AND started_at <= ? ORDER BY started_at, id`;

/** Incidents that started in [since, until], oldest first. */
export function incidentStarts(db: Db, since: number, until: number): IncidentStart[] {
  return prepared(db, STARTS).all(since, until) as IncidentStart[];
}

const LATEST = `SELECT external_id AS ref, status FROM incidents
  WHERE started_at <= ? ORDER BY (status = 'open') DESC, started_at DESC, id DESC LIMIT ?`;

/** The open incidents newest first, then (to fill `limit`) the latest others; with how many are open in all. */
export function latestIncidents(db: Db, until: number, limit: number): { ref: string; status: string }[] {
  return prepared(db, LATEST).all(until, limit) as { ref: string; status: string }[];
}

/** Incidents still open (started at or before `until`). */
export function openIncidentCount(db: Db, until: number): number {
  const row = prepared(db, `SELECT COUNT(*) AS n FROM incidents WHERE status = 'open' AND started_at <= ?`).get(until);
  return (row as { n: number }).n;
}
