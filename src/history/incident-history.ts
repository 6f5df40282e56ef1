import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import type { Db } from '../store/open.js';
import { DAY_MS, moduleChangeStats, type ChangeStats } from './change-stats.js';
import { coChangedModules, type ModuleCoupling } from './coupling.js';
import { knownModules, resolveModule, toRepoPath } from './resolve-module.js';

/** A suspect commit link counts as "the module's incident" from this score up; confirmed links always count. */
export const LINK_SCORE_THRESHOLD = 0.5;
/** This many incidents in 90 days in one module is an architectural signal, not bad luck. */
export const SIGNAL_INCIDENTS = 2;

// The incidents of module @m: by their module field, by a file or frame in @m, or by a strong commit link
// whose commit touched @m. UNION de-duplicates incidents reached several ways.
const MODULE_INCIDENTS = `
  WITH ids(id) AS (
    SELECT id FROM incidents WHERE module = @m
    UNION
    SELECT incident_id FROM incident_files WHERE module = @m
    UNION
    SELECT l.incident_id FROM incident_links l
    WHERE l.kind = 'commit' AND l.status <> 'rejected'
      AND (l.status = 'confirmed' OR l.score >= ${LINK_SCORE_THRESHOLD})
      AND EXISTS (SELECT 1 FROM commit_files cf WHERE cf.sha = l.target AND cf.module = @m)
  )`;

export interface IncidentItem {
  /** The incident's own id (INC-101, a PagerDuty id …). */
  id: string;
  title: string;
  severity: string | null;
  startedAt: string;
  resolvedAt: string | null;
  status: string;
  /** Why this incident belongs to the module, readable. */
  linkedBy: string[];
  postmortem?: string;
  url?: string;
}

export interface IncidentPage {
  items: IncidentItem[];
  limit: number;
  hasMore: boolean;
  /** All matching incidents (since `since`, up to now). */
  total: number;
}

export interface Recurrence {
  last30d: number;
  last90d: number;
  allTime: number;
  architecturalSignal: boolean;
  signal?: string;
  last?: { id: string; title: string; startedAt: string };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Incident counts for a module relative to `now`, the architectural signal, and the latest incident. */
export function moduleRecurrence(db: Db, module: string, now: number): Recurrence {
  const counts = db
    .prepare(
      `${MODULE_INCIDENTS}
       SELECT COUNT(*) AS allTime,
              COALESCE(SUM(i.started_at >= @d30), 0) AS last30d,
              COALESCE(SUM(i.started_at >= @d90), 0) AS last90d
       FROM incidents i JOIN ids ON ids.id = i.id WHERE i.started_at <= @now`,
    )
    .get({ m: module, now, d30: now - 30 * DAY_MS, d90: now - 90 * DAY_MS }) as {
    allTime: number;
    last30d: number;
    last90d: number;
  };
  const last = db
    .prepare(
      `${MODULE_INCIDENTS}
       SELECT i.external_id AS id, i.title, i.started_at AS startedAt
       FROM incidents i JOIN ids ON ids.id = i.id WHERE i.started_at <= @now
       ORDER BY i.started_at DESC, i.id DESC LIMIT 1`,
    )
    .get({ m: module, now }) as { id: string; title: string; startedAt: number } | undefined;
  const architecturalSignal = counts.last90d >= SIGNAL_INCIDENTS;
  return {
    ...counts,
    architecturalSignal,
    ...(architecturalSignal
      ? {
          signal:
            `${counts.last90d} incidents in 90 days in ${module}: repeated failures in one module point to a ` +
            'structural cause (design, coupling, missing tests or rules); consider an ADR or a structural fix.',
        }
      : {}),
    ...(last ? { last: { id: last.id, title: last.title, startedAt: iso(last.startedAt) } } : {}),
  };
}

interface IncidentRow {
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

/** The module's incidents, newest first, each with the reasons it belongs to the module. */
export function moduleIncidents(
  db: Db,
  module: string,
  options: { now: number; limit: number; since?: number },
): IncidentPage {
  const { now, limit, since = Number.MIN_SAFE_INTEGER } = options;
  const params = { m: module, now, since };
  const total = db
    .prepare(
      `${MODULE_INCIDENTS}
       SELECT COUNT(*) FROM incidents i JOIN ids ON ids.id = i.id
       WHERE i.started_at >= @since AND i.started_at <= @now`,
    )
    .pluck()
    .get(params) as number;
  const rows = db
    .prepare(
      `${MODULE_INCIDENTS}
       SELECT i.id AS rowid, i.external_id AS id, i.title, i.severity, i.started_at AS startedAt,
              i.resolved_at AS resolvedAt, i.status, i.module, i.url, i.postmortem_path AS postmortem
       FROM incidents i JOIN ids ON ids.id = i.id
       WHERE i.started_at >= @since AND i.started_at <= @now
       ORDER BY i.started_at DESC, i.id DESC LIMIT @take`,
    )
    .all({ ...params, take: limit + 1 }) as IncidentRow[];
  const page = rows.slice(0, limit);
  const reasons = linkReasons(
    db,
    module,
    page.map((r) => r.rowid),
  );
  return {
    items: page.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      startedAt: iso(r.startedAt),
      resolvedAt: r.resolvedAt === null ? null : iso(r.resolvedAt),
      status: r.status,
      linkedBy: [...(r.module === module ? ['module field'] : []), ...(reasons.get(r.rowid) ?? [])],
      ...(r.postmortem ? { postmortem: r.postmortem } : {}),
      ...(r.url ? { url: r.url } : {}),
    })),
    limit,
    hasMore: rows.length > limit,
    total,
  };
}

/** Readable file and commit-link reasons for the given incidents (row ids), restricted to the module. */
function linkReasons(db: Db, module: string, rowids: number[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (rowids.length === 0) return out;
  const ids = JSON.stringify(rowids);
  const add = (id: number, reason: string) => out.set(id, [...(out.get(id) ?? []), reason]);

  const files = db
    .prepare(
      `SELECT incident_id AS id, kind, path FROM incident_files
       WHERE module = @m AND incident_id IN (SELECT value FROM json_each(@ids))
       ORDER BY incident_id, kind, path`,
    )
    .all({ m: module, ids }) as { id: number; kind: 'file' | 'frame'; path: string }[];
  const grouped = new Map<string, { id: number; kind: string; paths: string[] }>();
  for (const f of files) {
    const key = `${f.id}\u0000${f.kind}`;
    const g = grouped.get(key) ?? { id: f.id, kind: f.kind, paths: [] };
    if (!g.paths.includes(f.path)) g.paths.push(f.path);
    grouped.set(key, g);
  }
  for (const g of grouped.values()) {
    const shown = g.paths.slice(0, 3).join(', ') + (g.paths.length > 3 ? ` +${g.paths.length - 3} more` : '');
    add(g.id, `${g.kind === 'file' ? 'files' : 'stack frames'}: ${shown}`);
  }

  const links = db
    .prepare(
      `SELECT l.incident_id AS id, l.target AS sha, l.score, l.status, l.method FROM incident_links l
       WHERE l.incident_id IN (SELECT value FROM json_each(@ids))
         AND l.kind = 'commit' AND l.status <> 'rejected'
         AND (l.status = 'confirmed' OR l.score >= ${LINK_SCORE_THRESHOLD})
         AND EXISTS (SELECT 1 FROM commit_files cf WHERE cf.sha = l.target AND cf.module = @m)
       ORDER BY l.incident_id, l.status = 'confirmed' DESC, l.score DESC`,
    )
    .all({ m: module, ids }) as { id: number; sha: string; score: number; status: string; method: string }[];
  for (const l of links) {
    add(
      l.id,
      l.status === 'confirmed'
        ? `confirmed cause ${l.sha.slice(0, 7)} (${l.method})`
        : `suspect ${l.sha.slice(0, 7)} score ${l.score.toFixed(2)}`,
    );
  }
  return out;
}

export interface ModuleHistoryQuery {
  module?: string;
  path?: string;
  limit?: number;
  /** unix ms */
  since?: number;
}

export interface ModuleIncidentHistory {
  module: string;
  /** How the module was found when the query was not an exact name (fuzzy match or a path). */
  resolvedFrom?: string;
  since?: string;
  incidents: IncidentPage;
  recurrence: Recurrence;
  changes: ChangeStats;
  coChangedModules: ModuleCoupling;
  notes: string[];
}

/** Everything an agent should know about a module's past before changing it: incidents, recurrence, churn, coupling. */
export function readModuleHistory(ctx: AppContext, query: ModuleHistoryQuery): ModuleIncidentHistory {
  const db = ctx.store;
  const now = ctx.clock();
  const limit = query.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50)
    throw new UserInputError(`limit must be an integer from 1 to 50 (got ${limit})`, 'limit');
  if ((query.module === undefined) === (query.path === undefined)) {
    throw new UserInputError(
      'pass exactly one of module (a module name, fuzzy) or path (a repository path whose module is wanted)',
      query.module === undefined ? 'module' : 'path',
    );
  }
  const known = knownModules(db);
  const notes: string[] = [];
  let module: string;
  let resolvedFrom: string | undefined;
  if (query.path !== undefined) {
    const path = toRepoPath(ctx.config.repoPath, query.path, 'path');
    module = ctx.modules.moduleOf(path);
    resolvedFrom = `path ${path} is in module '${module}'`;
  } else {
    ({ module, resolvedFrom } = resolveModule(db, query.module ?? '', 'module', known));
  }
  if (!known.includes(module)) notes.push(`no commits or incidents are recorded for module '${module}' yet`);

  return {
    module,
    ...(resolvedFrom ? { resolvedFrom } : {}),
    ...(query.since !== undefined ? { since: iso(query.since) } : {}),
    incidents: moduleIncidents(db, module, {
      now,
      limit,
      ...(query.since !== undefined ? { since: query.since } : {}),
    }),
    recurrence: moduleRecurrence(db, module, now),
    changes: moduleChangeStats(db, module, now),
    coChangedModules: coChangedModules(db, module, { now }),
    notes,
  };
}
