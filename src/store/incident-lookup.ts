import { equalsCaseless, inShortJson, likeCaseless } from './dialect.js';
import type { IncidentRow } from './incidents.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// Finding incidents by what a caller typed (an external id in any case, an internal id, title words), and the short
// views of an incident that answers list.

/** An incident as an answer about its suspects shows it. */
export type IncidentCard = Pick<
  IncidentRow,
  'id' | 'externalId' | 'title' | 'severity' | 'status' | 'startedAt' | 'resolvedAt' | 'env' | 'service' | 'module'
> &
  Pick<IncidentRow, 'fixSha' | 'url'> & {
    /** the postmortem's path in the repository */
    postmortem: string | null;
  };

const CARD = `SELECT id, external_id AS externalId, title, severity, status, started_at AS startedAt,
  resolved_at AS resolvedAt, env, service, module, fix_sha AS fixSha, postmortem_path AS postmortem, url FROM incidents`;

/** Incidents whose external id is `ref`, whatever its case (INC-101, inc-101). */
export function incidentCardsByExternalId(db: Db, ref: string): IncidentCard[] {
  return stmt(db, `${CARD} WHERE ${equalsCaseless(db, 'external_id', '?')}`).all(ref) as IncidentCard[];
}

export function incidentCardById(db: Db, id: number): IncidentCard | undefined {
  return stmt(db, `${CARD} WHERE id = ?`).get(id) as IncidentCard | undefined;
}

/** Up to `limit` incidents whose title contains `words` (LIKE wildcards in it are taken literally), newest first. */
export function incidentCardsByTitle(db: Db, words: string, limit: number): IncidentCard[] {
  const pattern = `%${words.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  return stmt(db, `${CARD} WHERE ${likeCaseless(db, 'title', '?')} ESCAPE '\\' ORDER BY started_at DESC LIMIT ?`).all(
    pattern,
    limit,
  ) as IncidentCard[];
}

/** The external ids of the latest `limit` incidents, newest first. */
export function recentIncidentIds(db: Db, limit: number): string[] {
  return stmt(db, 'SELECT external_id FROM incidents ORDER BY started_at DESC LIMIT ?').pluck().all(limit) as string[];
}

/** Up to `limit` distinct paths an incident names (files and frames), in the order it names them. */
export function incidentNamedPaths(db: Db, incidentId: number, limit: number): string[] {
  // rowid: the order they were stored in, on both engines (PostgreSQL's incident_files has the column too).
  return stmt(db, 'SELECT path FROM incident_files WHERE incident_id = ? GROUP BY path ORDER BY MIN(rowid) LIMIT ?')
    .pluck()
    .all(incidentId, limit) as string[];
}

/** An incident as a line in an answer about a deploy. */
export interface IncidentLine {
  id: string;
  title: string;
  severity: string | null;
  startedAt: number;
  status: string;
  env: string;
}

/** The incidents (row ids) as lines, by row id: one read for an answer's hundreds of linked incidents. */
export function incidentLines(db: Db, ids: readonly number[]): Map<number, IncidentLine> {
  const rows = stmt(
    db,
    `SELECT id AS rowid, external_id AS id, title, severity, started_at AS startedAt, status, env FROM incidents
     WHERE id IN (${inShortJson(db, '?', 'bigint')})`,
  ).all(JSON.stringify(ids)) as (IncidentLine & { rowid: number })[];
  return new Map(rows.map(({ rowid, ...line }) => [rowid, line]));
}
