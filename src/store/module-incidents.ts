import { inJson, noIndex } from './dialect.js';
import { strongLink } from './incidents.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

// The reads of history/incident-history.ts. A module's incidents are a range of module_incidents (migration 0006:
// its module field, files and frames, strong commit links), kept by triggers and by the commit writer. Finding them
// from the module's commit files instead cost ~80 ms-2 s for a hot module at 1M commits; a range here reads only the
// incidents themselves.

const STRONG_LINK = strongLink('l');

/** The module's incidents (row ids) that started in [since, now], newest first, at most `limit`. */
export function newestModuleIncidents(db: Db, module: string, since: number, now: number, limit: number): number[] {
  return prepared(
    db,
    `SELECT incident_id FROM module_incidents WHERE module = ? AND started_at >= ? AND started_at <= ?
     ORDER BY started_at DESC, incident_id DESC LIMIT ?`,
  )
    .pluck()
    .all(module, since, now, limit) as number[];
}

/** How many of the module's incidents started in [since, now]. */
export function countModuleIncidents(db: Db, module: string, since: number, now: number): number {
  return prepared(db, 'SELECT COUNT(*) FROM module_incidents WHERE module = ? AND started_at >= ? AND started_at <= ?')
    .pluck()
    .get(module, since, now) as number;
}

/** An incident as a module's history lists it. */
export interface IncidentHistoryRow {
  rowid: number;
  id: string;
  title: string;
  severity: string | null;
  startedAt: number;
  resolvedAt: number | null;
  status: string;
  module: string | null;
  url: string | null;
  postmortem: string | null;
}

/** The given incidents (row ids), in no particular order. */
export function incidentHistoryRows(db: Db, ids: readonly number[]): IncidentHistoryRow[] {
  return prepared(
    db,
    `SELECT id AS rowid, external_id AS id, title, severity, started_at AS startedAt,
            resolved_at AS resolvedAt, status, module, url, postmortem_path AS postmortem
     FROM incidents WHERE id IN (${inJson(db, '?', 'bigint')})`,
  ).all(JSON.stringify(ids)) as IncidentHistoryRow[];
}

/** One incident's external id, title and start. */
export function incidentHeadline(db: Db, id: number): { id: string; title: string; startedAt: number } | undefined {
  return prepared(db, 'SELECT external_id AS id, title, started_at AS startedAt FROM incidents WHERE id = ?').get(
    id,
  ) as { id: string; title: string; startedAt: number } | undefined;
}

/** External ids of the given incidents (row ids), newest start first. */
export function externalIdsNewestFirst(db: Db, ids: readonly number[]): string[] {
  return prepared(
    db,
    `SELECT external_id FROM incidents WHERE id IN (${inJson(db, '?', 'bigint')}) ORDER BY started_at DESC`,
  )
    .pluck()
    .all(JSON.stringify(ids)) as string[];
}

/** The files and stack frames the given incidents name in `module`, by incident, kind and path. */
export function moduleIncidentFiles(
  db: Db,
  module: string,
  ids: readonly number[],
): { id: number; kind: 'file' | 'frame'; path: string }[] {
  return prepared(
    db,
    `SELECT incident_id AS id, kind, path FROM incident_files
     WHERE module = ? AND incident_id IN (${inJson(db, '?', 'bigint')})
     ORDER BY incident_id, kind, path`,
  ).all(module, JSON.stringify(ids)) as { id: number; kind: 'file' | 'frame'; path: string }[];
}

/** The given incidents' strong commit links to commits that changed `module`: confirmed first, then by score. */
export function moduleStrongLinks(
  db: Db,
  module: string,
  ids: readonly number[],
): { id: number; sha: string; score: number; status: string; method: string }[] {
  // +cf.module: the lookup is by the commit's primary key (a few files); an index on module would walk the module.
  return prepared(
    db,
    `SELECT l.incident_id AS id, l.target AS sha, l.score, l.status, l.method FROM incident_links l
     WHERE l.incident_id IN (${inJson(db, '?', 'bigint')})
       AND ${STRONG_LINK}
       AND EXISTS (SELECT 1 FROM commit_files cf WHERE cf.sha = l.target AND ${noIndex(db, 'cf.module')} = ?)
     ORDER BY l.incident_id, l.status = 'confirmed' DESC, l.score DESC`,
  ).all(JSON.stringify(ids), module) as {
    id: number;
    sha: string;
    score: number;
    status: string;
    method: string;
  }[];
}
