import { productionShare } from './signal-share.js';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { ensureModuleRollups } from '../store/commits.js';
import { LINK_SCORE_THRESHOLD } from '../store/incidents.js';
import {
  countedModuleIncidents,
  moduleIncidentBasis,
  moduleIncidentCounts,
  type IncidentBasis,
} from '../store/module-incident-basis.js';
import {
  countModuleIncidents,
  externalIdsNewestFirst,
  incidentHeadline,
  moduleIncidentFiles,
  incidentHistoryRows,
  moduleStrongLinks,
  newestModuleIncidents,
} from '../store/module-incidents.js';
import type { Db } from '../store/open.js';
import { DAY_MS, moduleChangeStats, type ChangeStats } from './change-stats.js';
import { coChangedModules, type ModuleCoupling } from './coupling.js';
import { isKnownModule, knownModules, moduleOfInput, resolveModule, toRepoPath } from './resolve-module.js';
import { notInRepository, notInRepositoryNote } from '../setup-hints.js';

export { LINK_SCORE_THRESHOLD };
/** This many incidents in 90 days in one module is an architectural signal, not bad luck. */
export const SIGNAL_INCIDENTS = 2;

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
  /**
   * named: it names the module (module field, files, frames); cause: its confirmed cause changed the module (both
   * counted); suspect: only an unconfirmed suspect did; elsewhere: a suspect did, but its cause is confirmed elsewhere.
   */
  basis: IncidentBasis;
  postmortem?: string;
  url?: string;
}

export interface IncidentPage {
  items: IncidentItem[];
  limit: number;
  hasMore: boolean;
  /** All matching incidents (since `since`, up to now). */
  total: number;
  /** the key to pass as `after` for the next page, when hasMore */
  next?: IncidentKey;
}

/** Where an incident sits in the list's order (start, then row id; both descending). */
export type IncidentKey = [startedAt: number, rowid: number];
/** Commit links shown per incident (confirmed first, then by score); the rest are counted. */
const LINKS_PER_INCIDENT = 2;

export interface Recurrence {
  /** Counted: incidents that name the module or whose confirmed cause changed it. */
  last30d: number;
  last90d: number;
  allTime: number;
  /** Not counted above: incidents whose only tie to the module is an unconfirmed suspect. */
  suspects90d: number;
  suspectsAllTime: number;
  /** What the counts count, in words ("2 incidents in 90 days …; 3 more with unconfirmed suspects here"). */
  basis: string;
  /** Fires on counted incidents only. */
  architecturalSignal: boolean;
  signal?: string;
  /** The latest counted incident. */
  last?: { id: string; title: string; startedAt: string };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Incident counts for a module relative to `now`, by basis, the architectural signal (and which incidents), the latest. */
export function moduleRecurrence(db: Db, module: string, now: number): Recurrence {
  ensureModuleRollups(db);
  const d90 = now - 90 * DAY_MS;
  const { counted, suspected } = moduleIncidentCounts(db, module, now, now - 30 * DAY_MS, d90);
  const newest = countedModuleIncidents(db, module, Number.MIN_SAFE_INTEGER, now, 1)[0];
  const last = newest === undefined ? undefined : incidentHeadline(db, newest);
  const architecturalSignal = counted.last90d >= SIGNAL_INCIDENTS;
  const which = architecturalSignal ? externalIdsNewestFirst(db, countedModuleIncidents(db, module, d90, now, 5)) : [];
  return {
    last30d: counted.last30d,
    last90d: counted.last90d,
    allTime: counted.allTime,
    suspects90d: suspected.last90d,
    suspectsAllTime: suspected.allTime,
    basis:
      `${counted.last90d} incident(s) in 90 days (${counted.allTime} all time) whose confirmed cause changed ${module} ` +
      `or that name it` +
      (suspected.allTime > 0
        ? `; ${suspected.last90d} more in 90 days (${suspected.allTime} all time) with only unconfirmed suspects here`
        : ''),
    architecturalSignal,
    ...(architecturalSignal
      ? {
          signal:
            `${counted.last90d} incidents in 90 days in ${module} (${which.join(', ')}${counted.last90d > which.length ? ', …' : ''}), ` +
            'each naming the module or confirmed as caused by a change to it: repeated failures in one module point ' +
            'to a structural cause (design, coupling, missing tests or rules); consider an ADR or a structural fix.',
        }
      : {}),
    ...(last ? { last: { id: last.id, title: last.title, startedAt: iso(last.startedAt) } } : {}),
  };
}

/** The module's incidents, newest first, each with the reasons it belongs to the module. */
export function moduleIncidents(
  db: Db,
  module: string,
  options: { now: number; limit: number; since?: number; after?: IncidentKey },
): IncidentPage {
  ensureModuleRollups(db);
  const { now, limit, since = Number.MIN_SAFE_INTEGER } = options;
  // One more than the page, to tell whether another page follows.
  const pageIds = newestModuleIncidents(db, module, since, now, limit + 1, options.after);
  const hasMore = pageIds.length > limit;
  pageIds.length = Math.min(pageIds.length, limit);
  const total = countModuleIncidents(db, module, since, now);
  const byId = new Map(incidentHistoryRows(db, pageIds).map((r) => [r.rowid, r]));
  const page = pageIds.flatMap((id) => byId.get(id) ?? []);
  const reasons = linkReasons(db, module, pageIds);
  const basis = moduleIncidentBasis(db, module, pageIds);
  return {
    items: page.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      startedAt: iso(r.startedAt),
      resolvedAt: r.resolvedAt === null ? null : iso(r.resolvedAt),
      status: r.status,
      linkedBy: [...(r.module === module ? ['module field'] : []), ...(reasons.get(r.rowid) ?? [])],
      basis: basis.get(r.rowid) ?? 'suspect',
      ...(r.postmortem ? { postmortem: r.postmortem } : {}),
      ...(r.url ? { url: r.url } : {}),
    })),
    limit,
    hasMore,
    total,
    ...(hasMore && page.length ? { next: [page.at(-1)!.startedAt, page.at(-1)!.rowid] as IncidentKey } : {}),
  };
}

/** Readable file and commit-link reasons for the given incidents (row ids), restricted to the module. */
function linkReasons(db: Db, module: string, rowids: number[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (rowids.length === 0) return out;
  const add = (id: number, reason: string) => out.set(id, [...(out.get(id) ?? []), reason]);

  const files = moduleIncidentFiles(db, module, rowids);
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

  const links = moduleStrongLinks(db, module, rowids);
  const shown = new Map<number, number>();
  for (const l of links) {
    const n = (shown.get(l.id) ?? 0) + 1;
    shown.set(l.id, n);
    if (n > LINKS_PER_INCIDENT) continue;
    add(
      l.id,
      l.status === 'confirmed'
        ? `confirmed cause ${l.sha.slice(0, 7)} (${l.method})`
        : `suspect ${l.sha.slice(0, 7)} score ${l.score.toFixed(2)}`,
    );
  }
  for (const [id, n] of shown) if (n > LINKS_PER_INCIDENT) add(id, `+${n - LINKS_PER_INCIDENT} more commit links`);
  return out;
}

export interface ModuleHistoryQuery {
  module?: string;
  path?: string;
  limit?: number;
  /** unix ms */
  since?: number;
  /** the previous page's `next` */
  after?: IncidentKey;
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
  // Five: with their reasons, ten incidents of a busy module took more than an answer's 2k tokens; the rest page.
  const limit = query.limit ?? 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50)
    throw new UserInputError(`limit must be an integer from 1 to 50 (got ${limit})`, 'limit');
  if ((query.module === undefined) === (query.path === undefined)) {
    throw new UserInputError(
      'pass exactly one of module (a module name, fuzzy) or path (a repository path whose module is wanted)',
      query.module === undefined ? 'module' : 'path',
    );
  }
  const notes: string[] = [];
  let module: string;
  let resolvedFrom: string | undefined;
  if (query.path !== undefined) {
    const path = toRepoPath(ctx.config.repoPath, query.path, 'path');
    module = moduleOfInput(ctx.modules, path, query.path);
    resolvedFrom = `path ${path} is in module '${module}'`;
    if (notInRepository(ctx.config.repoPath, [path]).length)
      notes.push(notInRepositoryNote(ctx.config.repoPath, [path]));
  } else {
    // A module named exactly resolves to itself (resolveModule's first rule): three index seeks instead of listing
    // every module (~2 ms a call at 240 modules), which only a fuzzy name needs.
    const exact = (query.module ?? '').trim();
    ({ module, resolvedFrom } = isKnownModule(db, exact)
      ? { module: exact, resolvedFrom: undefined }
      : resolveModule(db, query.module ?? '', 'module', knownModules(db)));
  }
  if (!isKnownModule(db, module)) notes.push(`no commits or incidents are recorded for module '${module}' yet`);
  const production = productionShare(db, module, now);
  if (production) notes.push(`production: ${production}`);

  return {
    module,
    ...(resolvedFrom ? { resolvedFrom } : {}),
    ...(query.since !== undefined ? { since: iso(query.since) } : {}),
    incidents: moduleIncidents(db, module, {
      now,
      limit,
      ...(query.since !== undefined ? { since: query.since } : {}),
      ...(query.after ? { after: query.after } : {}),
    }),
    recurrence: moduleRecurrence(db, module, now),
    changes: moduleChangeStats(db, module, now),
    coChangedModules: coChangedModules(db, module, { now }),
    notes,
  };
}
