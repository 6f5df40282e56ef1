import { COUPLING_MAX_FILES, ensureModuleRollups } from '../store/commits.js';
import {
  coChangedFileCounts,
  coModulesOf,
  latestModuleCommits,
  latestPathCommitRows,
  modulePairCutDay,
  modulePairTotals,
  type CommitWindow,
} from '../store/coupling.js';
import type { Db } from '../store/open.js';
import { DAY_MS, share } from './change-stats.js';

/** Commits touching more files than this are sweeping changes (formatting, renames, bumps): no coupling signal. */
export const MAX_FILES_PER_COMMIT = COUPLING_MAX_FILES;
/** Most recent commits read per question, so a hot module or file answers in bounded time. */
export const MAX_COMMITS = 2000;

export interface CoChangedModule {
  module: string;
  /** Commits (of the basis) that changed both modules. */
  commits: number;
  /** commits / basis, 2 decimals. */
  share: number;
}

export interface ModuleCoupling {
  module: string;
  /** The module's own commits that were read (no merges, ≤ 50 files, the last 2,000). */
  basis: number;
  items: CoChangedModule[];
  hasMore: boolean;
}

export interface CouplingOptions {
  now: number;
  limit?: number;
  maxFiles?: number;
  maxCommits?: number;
}

/**
 * Modules most often changed in the same commits as `module`, over its last 2,000 ordinary commits. Whole days of
 * that basis come from module_pair_days (store/commits.ts), the partial days at its edges (today's commits up to
 * `now`, and the oldest day when it holds more than the basis still needs) from the commits themselves, ordered like
 * the raw walk. So the answer equals counting the 2,000 commits one by one (12-45 ms at 1M commits, one seek per
 * commit) from two statements over the rollup: where the basis ends (a running sum of the module's own days), then
 * the pair rows of the days after it summed per module. Walking those rows day by day in JS cost ~7 ms a call for a
 * module whose 2,000 commits span years (most modules), ~3.5 µs a row.
 */
export function coChangedModules(db: Db, module: string, options: CouplingOptions): ModuleCoupling {
  const { now, limit = 5, maxFiles = MAX_FILES_PER_COMMIT, maxCommits = MAX_COMMITS } = options;
  const tally = new Map<string, number>();
  const add = (other: string, commits: number) => tally.set(other, (tally.get(other) ?? 0) + commits);
  const countRaw = (since: number, until: number, take: number): number => {
    const commits = latestModuleCommits(db, module, { since, now: until, maxFiles, maxCommits: take });
    // A commit of one file changed no other module: nothing to look up.
    const shas = commits.filter((c) => c.files > 1).map((c) => c.sha);
    for (const r of coModulesOf(db, module, shas)) add(r.module, r.commits);
    return commits.length;
  };

  let basis: number;
  if (maxFiles !== COUPLING_MAX_FILES) {
    // The rollup counts only commits of at most COUPLING_MAX_FILES files.
    basis = countRaw(Number.MIN_SAFE_INTEGER, now, maxCommits);
  } else {
    ensureModuleRollups(db);
    const today = Math.floor(now / DAY_MS);
    basis = countRaw(today * DAY_MS, now, maxCommits);
    const need = maxCommits - basis;
    if (need > 0) {
      // Whole days newest first until the module's own commits reach `need`: the days after the cut day come whole
      // from the rollup, summed in SQL; the cut day too when it ends the basis exactly, else its newest commits are
      // counted from rows, as the one-by-one walk would.
      const cut = modulePairCutDay(db, module, today, need);
      const whole = cut === undefined ? Number.MIN_SAFE_INTEGER : cut.through === need ? cut.day : cut.day + 1;
      let own = 0;
      for (const r of modulePairTotals(db, module, whole, today)) {
        if (r.other === module) own = r.commits;
        else add(r.other, r.commits);
      }
      basis += own;
      if (cut !== undefined && cut.through > need)
        basis += countRaw(cut.day * DAY_MS, (cut.day + 1) * DAY_MS - 1, need - own);
    }
  }
  // ORDER BY commits DESC, module (binary order), as SQL would.
  const rows = [...tally]
    .map(([m, commits]) => ({ module: m, commits }))
    .sort((a, b) => b.commits - a.commits || (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
  return {
    module,
    basis,
    items: rows.slice(0, limit).map((r) => ({ ...r, share: share(r.commits, basis) })),
    hasMore: rows.length > limit,
  };
}

interface BasisCommit {
  /** The input paths it changed. */
  touched: string[];
  /** All the files it changed. */
  files: number;
}

/**
 * The latest ordinary commits touching any of `paths` (as latestModuleCommits), each with the input paths it
 * touched. One merged walk: the per-path walks newest first are one compound SELECT that SQLite merges in order, so
 * it stops after maxCommits commits in all instead of reading maxCommits per path.
 */
function latestPathCommits(db: Db, paths: readonly string[], w: CommitWindow): Map<string, BasisCommit> {
  const out = new Map<string, BasisCommit>();
  if (paths.length === 0) return out;
  // A commit touching several inputs comes once per input, in adjacent rows (same time and sha).
  for (const r of latestPathCommitRows(db, paths, w)) {
    const seen = out.get(r.sha);
    if (seen) seen.touched.push(r.path);
    else if (out.size === w.maxCommits) break;
    else out.set(r.sha, { touched: [r.path], files: r.files });
  }
  return out;
}

export interface CoChangedFile {
  path: string;
  module: string;
  /** Commits that changed this file together with `with`. */
  support: number;
  /** support / commits that changed `with`, 2 decimals: how often a change of `with` also changed this file. */
  confidence: number;
  /** The input path this file is coupled to most strongly. */
  with: string;
  reason: string;
}

export interface FileCoupling {
  items: CoChangedFile[];
  limit: number;
  hasMore: boolean;
  /** Commits read: touching any input path, no merges, ≤ 50 files, within the window, the last 2,000. */
  basis: number;
  since: number;
}

export interface FileCouplingOptions extends CouplingOptions {
  /** unix ms; default two years before now. */
  since?: number;
  /** Fewer co-changes than this are coincidence, not coupling. */
  minSupport?: number;
}

/**
 * Files that usually change together with `paths` (association p → f). Each candidate keeps its strongest
 * input path; ranked by confidence, then support. The input paths themselves are never listed.
 */
export function coChangedFiles(db: Db, paths: readonly string[], options: FileCouplingOptions): FileCoupling {
  const {
    now,
    limit = 10,
    maxFiles = MAX_FILES_PER_COMMIT,
    maxCommits = MAX_COMMITS,
    since = now - 730 * DAY_MS,
    minSupport = 2,
  } = options;
  const inputs = [...new Set(paths)];
  const basis = latestPathCommits(db, inputs, { since, now, maxFiles, maxCommits });

  // Per input path: the basis commits that changed it, and the other files changed with them, counted in SQL so only
  // the pairs above the support floor reach JS (materialising every file row of 2,000 commits cost ~15 ms). CROSS
  // JOIN keeps the basis outermost: one primary-key seek per commit.
  // Commits that changed only input paths (half of all commits change one file) have nothing to look up.
  const touching = new Map<string, { commits: number; shas: string[] }>(
    inputs.map((p) => [p, { commits: 0, shas: [] }]),
  );
  for (const [sha, c] of basis) {
    for (const src of c.touched) {
      const t = touching.get(src);
      if (!t) continue;
      t.commits++;
      if (c.files > c.touched.length) t.shas.push(sha);
    }
  }
  const changes = new Map<string, number>();
  const support: { src: string; path: string; module: string; support: number }[] = [];
  for (const [src, { commits, shas }] of touching) {
    changes.set(src, commits);
    if (shas.length < minSupport) continue;
    for (const r of coChangedFileCounts(db, shas, inputs, minSupport)) support.push({ src, ...r });
  }
  // Ties keep the first pair in (input path, file) order.
  const pairs = support.sort((a, b) =>
    a.src < b.src ? -1 : a.src > b.src ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );

  const best = new Map<string, CoChangedFile>();
  for (const p of pairs) {
    const total = changes.get(p.src) ?? p.support;
    const confidence = share(p.support, total);
    const prev = best.get(p.path);
    if (prev && (prev.confidence > confidence || (prev.confidence === confidence && prev.support >= p.support)))
      continue;
    best.set(p.path, {
      path: p.path,
      module: p.module,
      support: p.support,
      confidence,
      with: p.src,
      reason: `changed in ${p.support} of ${total} commits touching ${p.src}`,
    });
  }
  const ranked = [...best.values()].sort(
    (a, b) => b.confidence - a.confidence || b.support - a.support || a.path.localeCompare(b.path),
  );
  return { items: ranked.slice(0, limit), limit, hasMore: ranked.length > limit, basis: basis.size, since };
}
