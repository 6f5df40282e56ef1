import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { SETUP_FIX } from '../setup-hints.js';
import { hasCommits } from '../store/commits.js';
import { newestCommitBefore, windowChanges } from '../store/hotspots.js';
import { servedRepoId } from '../store/repos.js';
import { DAY_MS } from './change-stats.js';
import { generatedFiles, type Reason } from './generated-files.js';
import { headCommit, headLines } from './head-lines.js';

/** code-maat's defaults for its coupling analysis (`-n`, `--min-shared-revs`, `-i`, `--max-changeset-size`). */
export const CODE_MAAT_DEFAULTS = { minRevs: 5, minSharedRevs: 5, minCoupling: 30, maxChangesetSize: 30 };

export type HotspotLevel = 'file' | 'module';

export interface HotspotQuery {
  now: number;
  windowDays: number;
  by: HotspotLevel;
  /** Hotspots and couples listed (each). */
  limit: number;
  minRevs?: number;
  minSharedRevs?: number;
  /** Percent. */
  minCoupling?: number;
  maxChangesetSize?: number;
}

export interface Hotspot {
  /** A path, or a module name. */
  name: string;
  /** The file's module (files only). */
  module?: string;
  revisions: number;
  authors: number;
  added: number;
  deleted: number;
  /** Lines at HEAD (a module: its files' sum); null when it is not a text file at HEAD. */
  lines: number | null;
  /** revisions × lines; null without lines. */
  score: number | null;
  /** 1 = the hottest among the ranked; null when not ranked (no lines at HEAD). */
  rank: number | null;
}

export interface Couple {
  entity: string;
  coupled: string;
  /** shared revisions / the average of both entities' revisions, in percent (code-maat's degree). */
  degree: number;
  averageRevs: number;
  sharedRevs: number;
}

export interface Hotspots {
  by: HotspotLevel;
  window: { since: string; until: string; days: number };
  /** The HEAD commit sizes were read at; null when the repository has none. */
  head: string | null;
  /** Entities changed in the window. */
  changed: number;
  /** Of those, entities with a size at HEAD: what ranks are out of. */
  ranked: number;
  /** Files changed in the window left out: generated, vendored or translation catalogs (see the notes). */
  excluded: number;
  items: Hotspot[];
  hasMore: boolean;
  coupling: {
    items: Couple[];
    hasMore: boolean;
    thresholds: typeof CODE_MAAT_DEFAULTS;
  };
  definitions: string[];
  notes: string[];
}

export const HOTSPOT_DEFINITIONS = [
  'revisions: ordinary commits (no merges) that changed the file or module in the window',
  'authors: distinct author e-mails among those commits; churn: lines added and deleted by them',
  'lines: the size at HEAD, read from git objects (a module: the sum of its files); binary files have none',
  'hotspot score: revisions × lines (change frequency × size, as code-maat and CodeScene rank hotspots)',
  'coupling degree: shared revisions / average revisions of the two, in percent; commits with more files than ' +
    'the change-set limit are left out; a pair needs min revisions each, min shared revisions and min degree',
];

/**
 * Hotspots and change coupling over a window, per file or per module, by code-maat's definitions (revisions,
 * authors, churn, coupling degree = shared / average revisions) with sizes read from git at HEAD.
 */
export async function hotspots(ctx: AppContext, q: HotspotQuery): Promise<Hotspots> {
  const t = { ...CODE_MAAT_DEFAULTS, ...defined(q) };
  for (const [field, v, min] of [
    ['window_days', q.windowDays, 1],
    ['limit', q.limit, 0],
    ['min_revs', t.minRevs, 1],
    ['min_shared_revs', t.minSharedRevs, 1],
    ['min_coupling', t.minCoupling, 0],
    ['max_changeset_size', t.maxChangesetSize, 2],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new UserInputError(`${field} must be a whole number ≥ ${min}`, field);
  }
  const until = q.now;
  const since = until - q.windowDays * DAY_MS;
  const table = await changeTable(ctx, since, until);
  const entityOf = (path: string) => (q.by === 'file' ? path : ctx.modules.moduleOf(path));
  const { all, ranked } = rankEntities(ctx, table, q.by);

  // Coupling counts each commit's distinct entities once.
  const coupled = new Map<string, number>();
  const coupleRevs = new Map<string, number>();
  for (const c of table.commits) {
    // code-maat drops large change sets before it counts anything for coupling.
    if (c.size > t.maxChangesetSize) continue;
    const names = [...new Set(c.files.map((f) => entityOf(f.path)))].sort();
    for (const n of names) coupleRevs.set(n, (coupleRevs.get(n) ?? 0) + 1);
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) {
        const key = `${names[i]}\0${names[j]}`;
        coupled.set(key, (coupled.get(key) ?? 0) + 1);
      }
  }

  const couples: Couple[] = [];
  for (const [key, shared] of coupled) {
    if (shared < t.minSharedRevs) continue;
    const [a, b] = key.split('\0') as [string, string];
    const ra = coupleRevs.get(a) ?? 0;
    const rb = coupleRevs.get(b) ?? 0;
    if (ra < t.minRevs || rb < t.minRevs) continue;
    const average = (ra + rb) / 2;
    const degree = Math.round((shared / average) * 100);
    if (degree < t.minCoupling) continue;
    couples.push({ entity: a, coupled: b, degree, averageRevs: Math.ceil(average), sharedRevs: shared });
  }
  couples.sort((x, y) => y.degree - x.degree || y.sharedRevs - x.sharedRevs || x.entity.localeCompare(y.entity));

  const notes: string[] = [];
  if (table.commits.length === 0) notes.push(quietWindowNote(ctx, since, until, q.windowDays));
  if (table.excluded.size > 0) notes.push(excludedNote(table.excluded));
  if (table.head === null)
    notes.push('the repository has no HEAD commit to read sizes from: hotspots are ranked only when it has one');
  return {
    by: q.by,
    window: { since: iso(since), until: iso(until), days: q.windowDays },
    head: table.head,
    changed: all.length,
    ranked,
    excluded: table.excluded.size,
    items: all.slice(0, q.limit),
    hasMore: all.length > q.limit,
    coupling: { items: couples.slice(0, q.limit), hasMore: couples.length > q.limit, thresholds: t },
    definitions: HOTSPOT_DEFINITIONS,
    notes,
  };
}

/**
 * Every entity changed in the window's table with its revisions, authors, churn and size, hottest first, ranked
 * among those with a size at HEAD.
 */
function rankEntities(ctx: AppContext, table: ChangeTable, by: HotspotLevel): { all: Hotspot[]; ranked: number } {
  const entityOf = (path: string) => (by === 'file' ? path : ctx.modules.moduleOf(path));
  type Tally = Hotspot & { shas: Set<string>; emails: Set<string> };
  const stats = new Map<string, Tally>();
  for (const c of table.commits) {
    for (const f of c.files) {
      const name = entityOf(f.path);
      let s = stats.get(name);
      if (!s) {
        s = {
          name,
          ...(by === 'file' ? { module: ctx.modules.moduleOf(name) } : {}),
          ...{ revisions: 0, authors: 0, added: 0, deleted: 0, lines: null, score: null, rank: null },
          shas: new Set<string>(),
          emails: new Set<string>(),
        };
        stats.set(name, s);
      }
      s.shas.add(c.sha);
      s.emails.add(c.email);
      s.added += f.added;
      s.deleted += f.deleted;
    }
  }
  for (const [path, lines] of table.lines) {
    const s = stats.get(entityOf(path));
    if (s) s.lines = (s.lines ?? 0) + lines;
  }
  const all: Hotspot[] = [...stats.values()].map(({ shas, emails, ...h }) => ({
    ...h,
    revisions: shas.size,
    authors: emails.size,
  }));
  for (const h of all) h.score = h.lines === null ? null : h.revisions * h.lines;
  all.sort(
    (a, b) =>
      (b.score ?? -1) - (a.score ?? -1) ||
      b.revisions - a.revisions ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  let ranked = 0;
  for (const h of all) if (h.score !== null) h.rank = ++ranked;
  return { all, ranked };
}

/** The file ranking of a cached window table, computed once per table (change_risk asks on every call). */
const fileRanks = new WeakMap<ChangeTable, { byPath: Map<string, Hotspot>; ranked: number }>();

/**
 * Per module, where its hottest input path ranks among the files changed in the last 90 days:
 * "hotspot: rank 3 of 412 files, src/x.ts (41 revisions × 1,820 lines)"; modules none of whose paths rank are absent.
 */
export async function hotspotNotes(
  ctx: AppContext,
  groups: readonly { module: string; paths: readonly string[] }[],
): Promise<Map<string, string>> {
  const notes = new Map<string, string>();
  if (groups.length === 0) return notes;
  // The ranking of hotspots(ctx, { by: 'file', windowDays: 90 }), without its coupling, once per cached table: it
  // tallied the whole window on every change_risk call (~250 ms at 100k commits under load).
  const until = ctx.clock();
  const table = await changeTable(ctx, until - 90 * DAY_MS, until);
  let h = fileRanks.get(table);
  if (!h) {
    const { all, ranked } = rankEntities(ctx, table, 'file');
    fileRanks.set(table, (h = { byPath: new Map(all.filter((i) => i.rank !== null).map((i) => [i.name, i])), ranked }));
  }
  const byPath = h.byPath;
  for (const g of groups) {
    const best = g.paths
      .map((p) => byPath.get(p))
      .filter((i) => i !== undefined)
      .sort((x, y) => x.rank! - y.rank!)[0];
    if (best)
      notes.set(
        g.module,
        `hotspot: rank ${best.rank} of ${h.ranked} files changed in 90 days, ${best.name} ` +
          `(${best.revisions} revisions × ${best.lines!.toLocaleString('en-US')} lines)`,
      );
  }
  return notes;
}

interface ChangeTable {
  head: string | null;
  commits: { sha: string; email: string; size: number; files: { path: string; added: number; deleted: number }[] }[];
  /** Lines at HEAD of the paths changed in the window. */
  lines: Map<string, number>;
  /** Paths changed in the window that are not ranked: generated, vendored or translation catalogs. */
  excluded: Map<string, Reason>;
}

// A window's table is reused for a minute: change_risk asks it on every call, and the window barely moves.
const CACHE_MS = 60_000;
const cache = new WeakMap<object, Map<string, { at: number; table: Promise<ChangeTable> }>>();

function changeTable(ctx: AppContext, since: number, until: number): Promise<ChangeTable> {
  let own = cache.get(ctx.store);
  if (!own) cache.set(ctx.store, (own = new Map()));
  // By the minute: on the real clock every call has its own `until`, and a minute's drift moves no ranking much.
  const key = `${ctx.config.repoPath}|${Math.floor(since / CACHE_MS)}|${Math.floor(until / CACHE_MS)}`;
  const hit = own.get(key);
  const wall = Date.now();
  if (hit && wall - hit.at < CACHE_MS) return hit.table;
  if (own.size > 16) own.clear();
  const table = readTable(ctx, since, until);
  own.set(key, { at: wall, table });
  table.catch(() => own.delete(key));
  return table;
}

async function readTable(ctx: AppContext, since: number, until: number): Promise<ChangeTable> {
  const repoId = servedRepoId(ctx.store, ctx.config.repoPath) ?? null;
  const headSha = await headCommit(ctx.config.repoPath);
  const generated = await generatedFiles(ctx.config.repoPath, headSha);
  const commits: ChangeTable['commits'] = [];
  const paths = new Set<string>();
  const excluded = new Map<string, Reason>();
  for (const r of windowChanges(ctx.store, { since, until, repoId })) {
    let c = commits.at(-1);
    // A commit's size stays what it changed (code-maat's change-set limit); only ranked files are listed.
    if (c?.sha !== r.sha) commits.push((c = { sha: r.sha, email: r.email, size: r.files, files: [] }));
    const reason = excluded.get(r.path) ?? (paths.has(r.path) ? undefined : generated.reasonOf(r.path));
    if (reason) {
      excluded.set(r.path, reason);
      continue;
    }
    c.files.push({ path: r.path, added: r.added, deleted: r.deleted });
    paths.add(r.path);
  }
  const { head, lines } = await headLines(ctx.config.repoPath, paths, headSha);
  return { head, commits, lines, excluded };
}

/** "left out 23 files changed in the window: 21 translation catalogs (po/fr.po, …), 2 generated (…)". */
function excludedNote(excluded: Map<string, Reason>): string {
  const byReason = new Map<Reason, string[]>();
  for (const [path, reason] of excluded) byReason.set(reason, [...(byReason.get(reason) ?? []), path]);
  const biggest = [...byReason].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const parts = biggest.map(([reason, paths]) => {
    const shown = paths.sort().slice(0, 2).join(', ');
    const label = reason === 'translation catalog' && paths.length > 1 ? 'translation catalogs' : reason;
    return `${paths.length} ${label}${paths.length > 2 ? ` (${shown}, …)` : ` (${shown})`}`;
  });
  return (
    `left out ${excluded.size} file(s) changed in the window: ${parts.join('; ')} — by built-in rules and the ` +
    `repository's .gitattributes (linguist-generated, linguist-vendored): mark a path -linguist-generated there to ` +
    `rank it`
  );
}

function defined(q: HotspotQuery): Partial<typeof CODE_MAAT_DEFAULTS> {
  const out: Partial<typeof CODE_MAAT_DEFAULTS> = {};
  for (const k of Object.keys(CODE_MAAT_DEFAULTS) as (keyof typeof CODE_MAAT_DEFAULTS)[]) {
    const v = q[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Why a window holds no commits: none ingested (and the line that ingests them), or the newest is older than the
 * window (a repository nobody committed to lately) and how far back `--since` must reach.
 */
function quietWindowNote(ctx: AppContext, since: number, until: number, days: number): string {
  const newest = newestCommitBefore(ctx.store, {
    before: until + 1,
    repoId: servedRepoId(ctx.store, ctx.config.repoPath) ?? null,
  });
  if (newest === null)
    return hasCommits(ctx.store)
      ? `no commits in the ${days} days before ${iso(until)}: every ingested commit is later`
      : SETUP_FIX.commits(ctx.config);
  if (newest >= since) return `only merge commits in the ${days} days before ${iso(until)} (hotspots count the others)`;
  const reach = Math.ceil((until - newest) / DAY_MS);
  return (
    `no commits in the ${days} days before ${iso(until)}; the newest was committed ${iso(newest).slice(0, 10)}, ` +
    `${reach} days before: widen the window with --since ${reach}d`
  );
}
