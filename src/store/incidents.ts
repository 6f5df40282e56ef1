import { inJson } from './dialect.js';
import { refreshImpactSummaries } from './impact-summaries.js';
import { UserInputError } from '../errors.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

/** An `incidents` row with camelCase fields; times are unix ms. */
export interface IncidentRow {
  id: number;
  source: string;
  externalId: string;
  title: string;
  severity: string | null;
  startedAt: number;
  resolvedAt: number | null;
  env: string;
  service: string | null;
  module: string | null;
  status: string;
  url: string | null;
  summary: string | null;
  fixSha: string | null;
  rootCauseSha: string | null;
  postmortemPath: string | null;
  updatedAt: number;
}

/** A file or stack frame named by an incident; `line` is null for files. */
export interface IncidentFileRow {
  path: string;
  line: number | null;
  kind: 'file' | 'frame';
  module: string;
}

/** Everything but the internal id and the update time: what an import writes. */
export type IncidentFields = Omit<IncidentRow, 'id' | 'updatedAt'>;

const COLUMNS = `SELECT id, source, external_id AS externalId, title, severity, started_at AS startedAt,
  resolved_at AS resolvedAt, env, service, module, status, url, summary, fix_sha AS fixSha,
  root_cause_sha AS rootCauseSha, postmortem_path AS postmortemPath, updated_at AS updatedAt FROM incidents`;
const BY_ID = `${COLUMNS} WHERE id = ?`;
const BY_EXTERNAL = `${COLUMNS} WHERE external_id = ? ORDER BY source`;
const BY_SOURCE = `${COLUMNS} WHERE source = ? AND external_id = ?`;

/**
 * Incidents a reference names: a number is the internal id; text is an external id (every source that uses
 * it), else `source:external_id`, else — when all digits — the internal id.
 */
export function findIncidents(db: Db, ref: string | number): IncidentRow[] {
  if (typeof ref === 'number') {
    const row = stmt(db, BY_ID).get(ref) as IncidentRow | undefined;
    return row ? [row] : [];
  }
  const key = ref.trim();
  const byExternal = stmt(db, BY_EXTERNAL).all(key) as IncidentRow[];
  if (byExternal.length > 0) return byExternal;
  const colon = key.indexOf(':');
  if (colon > 0) {
    const row = getIncidentBySource(db, key.slice(0, colon), key.slice(colon + 1));
    if (row) return [row];
  }
  if (/^\d+$/.test(key)) return findIncidents(db, Number(key));
  return [];
}

/**
 * The one incident a reference names, or undefined. When several sources share the external id this throws a
 * UserInputError listing them, since picking one silently would attribute the wrong incident.
 */
export function getIncident(db: Db, idOrExternal: string | number): IncidentRow | undefined {
  const rows = findIncidents(db, idOrExternal);
  if (rows.length > 1) {
    const options = rows.map((r) => `${r.source}:${r.externalId} (id ${r.id})`).join(', ');
    throw new UserInputError(
      `incident '${String(idOrExternal)}' exists in several sources: ${options}; name it as source:id or by its number`,
      'incident',
    );
  }
  return rows[0];
}

/** The incident an import upserts: (source, external_id) is the unique key. */
export function getIncidentBySource(db: Db, source: string, externalId: string): IncidentRow | undefined {
  return stmt(db, BY_SOURCE).get(source, externalId) as IncidentRow | undefined;
}

/** Files first, then frames, each by path and line. */
export function listIncidentFiles(db: Db, incidentId: number): IncidentFileRow[] {
  return stmt(
    db,
    `SELECT path, line, kind, module FROM incident_files WHERE incident_id = ?
       ORDER BY kind, path, line NULLS FIRST`,
  ).all(incidentId) as IncidentFileRow[];
}

export function countIncidents(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM incidents').get() as { n: number }).n;
}

/** Inserts an incident and returns its internal id; it is pending attribution (the column's default). */
export function insertIncident(db: Db, fields: IncidentFields, updatedAt: number): number {
  const result = stmt(
    db,
    `INSERT INTO incidents (source, external_id, title, severity, started_at, resolved_at, env, service, module,
         status, url, summary, fix_sha, root_cause_sha, postmortem_path, updated_at)
       VALUES (@source, @externalId, @title, @severity, @startedAt, @resolvedAt, @env, @service, @module,
         @status, @url, @summary, @fixSha, @rootCauseSha, @postmortemPath, @updatedAt)
       RETURNING id`,
  ).get({ ...fields, updatedAt }) as { id: number };
  return result.id;
}

/** Overwrites every imported column of an incident (the key stays), and marks it pending attribution. */
export function updateIncident(db: Db, id: number, fields: IncidentFields, updatedAt: number): void {
  stmt(
    db,
    `UPDATE incidents SET title = @title, severity = @severity, started_at = @startedAt, resolved_at = @resolvedAt,
       env = @env, service = @service, module = @module, status = @status, url = @url, summary = @summary,
       fix_sha = @fixSha, root_cause_sha = @rootCauseSha, postmortem_path = @postmortemPath, updated_at = @updatedAt,
       attribution_pending = 1
     WHERE id = @id`,
  ).run({ ...fields, id, updatedAt });
  refreshImpactSummaries(db); // a start or env that moved changes which deploys came before it
}

/** Replaces an incident's files or frames (one kind), leaving the other kind as it is; marks it pending attribution. */
export function replaceIncidentFiles(
  db: Db,
  incidentId: number,
  kind: IncidentFileRow['kind'],
  rows: readonly Omit<IncidentFileRow, 'kind'>[],
): void {
  stmt(db, 'DELETE FROM incident_files WHERE incident_id = ? AND kind = ?').run(incidentId, kind);
  const insert = stmt(db, 'INSERT INTO incident_files (incident_id, path, line, kind, module) VALUES (?, ?, ?, ?, ?)');
  for (const r of rows) insert.run(incidentId, r.path, r.line, kind, r.module);
  stmt(db, 'UPDATE incidents SET attribution_pending = 1 WHERE id = ?').run(incidentId);
}

/**
 * The full sha of the one known commit starting with `prefix`, or undefined (unknown or ambiguous).
 * A range scan on the primary key, since LIKE would not use it.
 */
export function resolveCommitPrefix(db: Db, prefix: string): string | undefined {
  const p = prefix.toLowerCase();
  const rows = stmt(db, 'SELECT sha FROM commits WHERE sha >= ? AND sha < ? LIMIT 2').all(p, `${p}g`) as {
    sha: string;
  }[];
  return rows.length === 1 ? rows[0]!.sha : undefined;
}

/** A suspect commit link counts as "the module's incident" from this score up; confirmed links always count. */
export const LINK_SCORE_THRESHOLD = 0.5;

/**
 * A commit link strong enough to tie an incident to the modules its commit touched, for a link aliased `l`.
 * Written the same way in 0005-perf-links' partial index incident_links_strong, which a query can use only when it
 * repeats these terms.
 */
export const strongLink = (l: string): string =>
  `${l}.kind = 'commit' AND ${l}.status <> 'rejected' AND (${l}.status = 'confirmed' OR ${l}.score >= ${LINK_SCORE_THRESHOLD})`;

/**
 * An incident's basis in one of its modules from the strongest tie there, `rank` (an SQL expression: 1 it names the
 * module, 2 its confirmed cause changed it, 3 only an unconfirmed strong link did), for an incidents row aliased `i`.
 * A rank-3 tie is 'elsewhere' when a cause is confirmed anywhere (another module's incident), else 'suspect'.
 */
export const basisOfRank = (rank: string, i: string): string =>
  `CASE ${rank} WHEN 1 THEN 'named' WHEN 2 THEN 'cause' ELSE CASE WHEN EXISTS (SELECT 1 FROM incident_links k
     WHERE k.incident_id = ${i}.id AND k.kind = 'commit' AND k.status = 'confirmed') THEN 'elsewhere' ELSE 'suspect' END END`;

/** The rank of a strong commit link aliased `l` (see basisOfRank). */
export const linkRank = (l: string): string => `CASE WHEN ${l}.status = 'confirmed' THEN 2 ELSE 3 END`;

/** ON CONFLICT of module_incidents: a new tie replaces the kept basis unless that one is stronger. */
export const KEEP_STRONGER_BASIS = `basis = CASE WHEN module_incidents.basis IN ('named', 'cause')
  THEN module_incidents.basis ELSE excluded.basis END`;

/**
 * The (module, started_at, incident_id, basis) rows of `module_incidents` for the incidents `scope` selects (a
 * condition on `i`, the incidents row): an incident belongs to a module by its module field, by a file or frame it
 * names there, or by a strong link to a commit that touched it; its basis there is the strongest of those ties
 * (basisOfRank). Used by the full rebuild; migration 0017 writes the same out for the triggers (a migration must
 * not change with live code), and the commit writer adds the rows of links stored before their commit alike.
 */
export function moduleIncidentRows(scope: string): string {
  return `SELECT t.module, i.started_at, i.id, ${basisOfRank('MIN(t.rank)', 'i')}
    FROM (SELECT i.id, i.module, 1 AS rank FROM incidents i WHERE i.module IS NOT NULL AND ${scope}
      UNION ALL SELECT i.id, f.module, 1 FROM incidents i JOIN incident_files f ON f.incident_id = i.id WHERE ${scope}
      UNION ALL SELECT i.id, cf.module, ${linkRank('l')} FROM incidents i
        JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
        WHERE ${strongLink('l')} AND ${scope}) t
    JOIN incidents i ON i.id = t.id
    GROUP BY t.module, i.started_at, i.id`;
}

/** Recomputes `module_incidents` for every incident (after commit_files.module values were relabelled). */
export function rebuildModuleIncidents(db: Db): void {
  db.exec(`DELETE FROM module_incidents;
    INSERT INTO module_incidents(module, started_at, incident_id, basis) ${moduleIncidentRows('1=1')};`);
}

/** The sources that store an incident under `externalId`. */
export function incidentSources(db: Db, externalId: string): string[] {
  return stmt(db, 'SELECT source FROM incidents WHERE external_id = ?').pluck().all(externalId) as string[];
}

/** External ids (INC-101 …) of the given incidents (row ids). */
export function incidentExternalIds(db: Db, ids: readonly number[]): Map<number, string> {
  const rows = stmt(db, `SELECT id, external_id AS name FROM incidents WHERE id IN (${inJson(db, '?', 'bigint')})`).all(
    JSON.stringify(ids),
  ) as { id: number; name: string }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}
