import type { Db } from '../store/open.js';
import { DAY_MS, share } from './change-stats.js';

/** Commits touching more files than this are sweeping changes (formatting, renames, bumps): no coupling signal. */
export const MAX_FILES_PER_COMMIT = 50;
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

/** Modules most often changed in the same commits as `module`, over its last 2,000 ordinary commits. */
export function coChangedModules(db: Db, module: string, options: CouplingOptions): ModuleCoupling {
  const { now, limit = 5, maxFiles = MAX_FILES_PER_COMMIT, maxCommits = MAX_COMMITS } = options;
  const shas = latestCommitsTouching(db, 'module', [module], {
    since: Number.MIN_SAFE_INTEGER,
    now,
    maxFiles,
    maxCommits,
  });
  const rows = db
    .prepare(
      `SELECT cf.module AS module, COUNT(DISTINCT cf.sha) AS commits
       FROM json_each(@shas) s JOIN commit_files cf ON cf.sha = s.value
       WHERE cf.module <> @module
       GROUP BY cf.module ORDER BY commits DESC, cf.module LIMIT @take`,
    )
    .all({ shas: JSON.stringify(shas), module, take: limit + 1 }) as { module: string; commits: number }[];
  return {
    module,
    basis: shas.length,
    items: rows.slice(0, limit).map((r) => ({ ...r, share: share(r.commits, shas.length) })),
    hasMore: rows.length > limit,
  };
}

interface Window {
  since: number;
  now: number;
  maxFiles: number;
  maxCommits: number;
}

/**
 * The latest ordinary commits (no merges, ≤ maxFiles files, committed in [since, now]) with a commit_files row whose
 * `column` is one of `values`. Each value's rows are walked newest first on (module|path, committed_at) and the walk
 * stops after maxCommits qualifying commits; the latest maxCommits of all values are among those. At 1M commits, for
 * a module touched by 233k commits: ~100 ms (walking every commit newest first) → a few ms.
 */
function latestCommitsTouching(db: Db, column: 'module' | 'path', values: readonly string[], w: Window): string[] {
  // DISTINCT: a commit with several files in one module is met once per file. files_changed is the commit's
  // numstat entry count, the number of its commit_files rows.
  const latest = db.prepare(
    `SELECT DISTINCT cf.sha AS sha, cf.committed_at AS at FROM commit_files cf JOIN commits c ON c.sha = cf.sha
     WHERE cf.${column} = @value AND cf.committed_at >= @since AND cf.committed_at <= @now
       AND c.is_merge = 0 AND c.files_changed <= @maxFiles
     ORDER BY cf.committed_at DESC, cf.sha DESC LIMIT @maxCommits`,
  );
  const found = new Map<string, number>();
  for (const value of values) {
    for (const r of latest.all({ ...w, value }) as { sha: string; at: number }[]) found.set(r.sha, r.at);
  }
  if (values.length === 1) return [...found.keys()];
  return [...found]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0))
    .slice(0, w.maxCommits)
    .map(([sha]) => sha);
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
  const shas = latestCommitsTouching(db, 'path', paths, { since, now, maxFiles, maxCommits });

  // The basis commits' files in one pass (one primary-key seek per commit; CROSS JOIN keeps the basis outermost, or
  // the planner walks every commit of a hot path and scans the 2,000-sha list inside that loop: 17 s at 1M commits).
  // Per input path: the commits that changed it, and the other files changed with it.
  const inputs = new Set(paths);
  const changes = new Map<string, number>();
  const support = new Map<string, { src: string; path: string; module: string; support: number }>();
  let commit: { sha: string; touched: string[]; others: { path: string; module: string }[] } | undefined;
  const flush = () => {
    if (!commit) return;
    for (const src of commit.touched) {
      changes.set(src, (changes.get(src) ?? 0) + 1);
      for (const o of commit.others) {
        const key = `${src}\u0000${o.path}`;
        const hit = support.get(key);
        if (hit) hit.support++;
        else support.set(key, { src, path: o.path, module: o.module, support: 1 });
      }
    }
  };
  for (const f of db
    .prepare(
      `SELECT s.value AS sha, f.path AS path, f.module AS module
       FROM json_each(@shas) s CROSS JOIN commit_files f ON f.sha = s.value`,
    )
    .iterate({ shas: JSON.stringify(shas) }) as Iterable<{ sha: string; path: string; module: string }>) {
    if (commit?.sha !== f.sha) {
      flush();
      commit = { sha: f.sha, touched: [], others: [] };
    }
    if (inputs.has(f.path)) commit.touched.push(f.path);
    else commit.others.push(f);
  }
  flush();
  // Ties keep the first pair in (input path, file) order.
  const pairs = [...support.values()]
    .filter((p) => p.support >= minSupport)
    .sort((a, b) => (a.src < b.src ? -1 : a.src > b.src ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

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
  return { items: ranked.slice(0, limit), limit, hasMore: ranked.length > limit, basis: shas.length, since };
}
