import { inJson, jsonValues, noIndex } from './dialect.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

// module_incidents (migration 0006) says which incidents touch a module at all, suspects included; its basis
// (migration 0017, kept by the same triggers and writers: store/incidents.ts moduleIncidentRows) says on what basis:
// counted when the incident names the module (module field, files, stack frames) or its confirmed cause changed it;
// "suspected" when only an unconfirmed suspect changed it and no cause is confirmed anywhere (an incident confirmed
// in another module is not this one's). The counts are then one range of the table's key; deriving the basis per
// call cost ~4 seeks per incident (~5 ms for a hot module's 1,600 incidents at 100k commits).
const COUNTED = `mi.basis IN ('named', 'cause')`;

/** Why an incident is a module's: it names the module, its confirmed cause changed it, or only a suspect did. */
export type IncidentBasis = 'named' | 'cause' | 'suspect' | 'elsewhere';

export interface ModuleIncidentCounts {
  /** incidents that name the module or whose confirmed cause changed it */
  counted: { last30d: number; last90d: number; allTime: number };
  /** incidents with only unconfirmed suspects in the module (and no confirmed cause anywhere) */
  suspected: { last90d: number; allTime: number };
}

/** The module's incident counts by basis, up to `now`. */
export function moduleIncidentCounts(
  db: Db,
  module: string,
  now: number,
  d30: number,
  d90: number,
): ModuleIncidentCounts {
  const r = prepared(
    db,
    `SELECT count(*) FILTER (WHERE ${COUNTED} AND mi.started_at >= @d30) AS c30,
         count(*) FILTER (WHERE ${COUNTED} AND mi.started_at >= @d90) AS c90,
         count(*) FILTER (WHERE ${COUNTED}) AS call,
         count(*) FILTER (WHERE mi.basis = 'suspect' AND mi.started_at >= @d90) AS s90,
         count(*) FILTER (WHERE mi.basis = 'suspect') AS sall
       FROM module_incidents mi WHERE mi.module = @m AND mi.started_at <= @now`,
  ).get({ m: module, now, d30, d90 }) as Record<'c30' | 'c90' | 'call' | 's90' | 'sall', number>;
  return {
    counted: { last30d: r.c30, last90d: r.c90, allTime: r.call },
    suspected: { last90d: r.s90, allTime: r.sall },
  };
}

/** The module's counted incidents (row ids) that started in [since, now], newest first, at most `limit`. */
export function countedModuleIncidents(db: Db, module: string, since: number, now: number, limit: number): number[] {
  return prepared(
    db,
    `SELECT mi.incident_id FROM module_incidents mi
       WHERE mi.module = @m AND mi.started_at >= @since AND mi.started_at <= @now AND ${COUNTED}
       ORDER BY mi.started_at DESC, mi.incident_id DESC LIMIT @limit`,
  )
    .pluck()
    .all({ m: module, since, now, limit }) as number[];
}

/** The basis of each given incident (row ids) in the module. */
export function moduleIncidentBasis(db: Db, module: string, ids: readonly number[]): Map<number, IncidentBasis> {
  const rows = prepared(
    db,
    `SELECT mi.incident_id AS id, mi.basis FROM module_incidents mi
       WHERE mi.module = @m AND mi.incident_id IN (${inJson(db, '@ids', 'bigint')})`,
  ).all({ m: module, ids: JSON.stringify(ids) }) as { id: number; basis: IncidentBasis }[];
  return new Map(rows.map((r) => [r.id, r.basis]));
}

/**
 * What ties each incident (row ids) to the module, as repository places: the files and stack-frame lines it names
 * there, and the files there its confirmed cause changed.
 */
export function moduleIncidentPlaces(
  db: Db,
  module: string,
  ids: readonly number[],
): { id: number; externalId: string; place: string; via: 'names' | 'cause'; sha: string | null }[] {
  return prepared(
    db,
    `SELECT i.id, i.external_id AS externalId, f.path || COALESCE(':' || f.line, '') AS place, 'names' AS via,
              NULL AS sha
       FROM incidents i JOIN incident_files f ON f.incident_id = i.id
       WHERE f.module = @m AND i.id IN (${inJson(db, '@ids', 'bigint')})
       UNION
       SELECT i.id, i.external_id, cf.path, 'cause', l.target
       FROM incidents i JOIN incident_links l ON l.incident_id = i.id AND l.kind = 'commit' AND l.status = 'confirmed'
         JOIN commit_files cf ON cf.sha = l.target
       WHERE ${noIndex(db, 'cf.module')} = @m AND i.id IN (${inJson(db, '@ids', 'bigint')})
       ORDER BY 1, 4 DESC, 3`,
  ).all({ m: module, ids: JSON.stringify(ids) }) as {
    id: number;
    externalId: string;
    place: string;
    via: 'names' | 'cause';
    sha: string | null;
  }[];
}

/** Of `paths` (repository paths; a directory without its trailing slash), those any commit or incident names. */
export function recordedPaths(db: Db, paths: readonly string[]): Set<string> {
  return new Set(
    prepared(
      db,
      `SELECT p.value FROM ${jsonValues(db, '@paths', 'p')}
         WHERE EXISTS (SELECT 1 FROM commit_files cf WHERE cf.path = p.value)
            OR EXISTS (SELECT 1 FROM commit_files cf WHERE cf.path > p.value || '/' AND cf.path < p.value || '0')
            OR EXISTS (SELECT 1 FROM incident_files f WHERE f.path = p.value)`,
    )
      .pluck()
      .all({ paths: JSON.stringify(paths) }) as string[],
  );
}
