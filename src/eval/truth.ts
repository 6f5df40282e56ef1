import { createHash } from 'node:crypto';
import { runGit } from '../attribution/blame.js';
import type { Db } from '../store/open.js';
import { commitDateAndMerge, fixClaims } from '../store/commit-facts.js';
import { shasWithPrefix } from '../store/commits.js';

/** One confirmed pair from the repository's own history: a fix and the commit(s) it names as the cause. */
export interface FixPair {
  fix: string;
  /** the fix's author date (unix ms): the incident's start */
  fixAt: number;
  /** the inducing commits the fix names (full shas) — the answer, never shown to the algorithm */
  truth: string[];
  /** where the truth came from */
  source: 'fixes' | 'revert';
}

export interface TruthOptions {
  /** only fixes authored at or after this time (unix ms) */
  since?: number;
  /** evaluate at most this many fixes, picked deterministically (by a hash of the sha) */
  sample?: number;
  /** concurrent git calls when checking ancestry */
  concurrency?: number;
  /**
   * 'default' (the default): only fixes on the default branch (reachable from HEAD); backports on release
   * branches are the same fix again, and are counted apart. 'all': every ingested ref.
   */
  branches?: 'default' | 'all';
}

/** Why a backport is left out of a default-branch run (a key of `TruthSet.excluded`). */
export const BACKPORT = 'fix not on the default branch (backport)';

export interface TruthSet {
  pairs: FixPair[];
  /** fix pairs found (before sampling and the ancestry check) */
  found: number;
  /** why pairs were left out, with counts */
  excluded: Record<string, number>;
}

/**
 * Ground truth: commits with `Fixes: <sha>` trailers (resolved by the git ingest into `commit_fixes`) and
 * reverts (`This reverts commit <sha>`). A pair is kept when the named commit is an ancestor of the fix —
 * otherwise blame at the fix's parent could never reach it, and the trailer names a commit of another branch.
 */
export async function loadTruth(db: Db, repoPath: string, options: TruthOptions = {}): Promise<TruthSet> {
  const rows = fixClaims(db);
  const excluded: Record<string, number> = {};
  const drop = (why: string) => (excluded[why] = (excluded[why] ?? 0) + 1);

  const byFix = new Map<string, FixPair>();
  for (const r of rows) {
    const cause = r.cause.length >= 40 ? r.cause : resolvePrefix(db, r.cause);
    if (!cause) {
      drop('cause not found or ambiguous');
      continue;
    }
    const fix = commitDateAndMerge(db, r.fix);
    if (!fix || fix.merge) {
      drop('fix is a merge');
      continue;
    }
    if (cause === r.fix) {
      drop('fix names itself');
      continue;
    }
    const pair = byFix.get(r.fix) ?? { fix: r.fix, fixAt: fix.at, truth: [], source: r.source };
    if (!pair.truth.includes(cause)) pair.truth.push(cause);
    byFix.set(r.fix, pair);
  }

  let pairs = [...byFix.values()].filter((p) => options.since === undefined || p.fixAt >= options.since);
  if (options.since !== undefined && pairs.length < byFix.size) excluded['before --since'] = byFix.size - pairs.length;
  if ((options.branches ?? 'default') === 'default') {
    const onDefault = new Set((await runGit(repoPath, ['rev-list', 'HEAD'])).split('\n'));
    const before = pairs.length;
    pairs = pairs.filter((p) => onDefault.has(p.fix));
    if (pairs.length < before) excluded[BACKPORT] = before - pairs.length;
  }
  const found = pairs.length;
  // Sampled in a fixed pseudo-random order (a hash of the sha); ancestry is checked only until the sample is full.
  const ordered = pairs
    .map((p) => ({ p, k: createHash('sha1').update(`sample:${p.fix}`).digest('hex') }))
    .sort((a, b) => a.k.localeCompare(b.k))
    .map((x) => x.p);
  const want = options.sample ?? ordered.length;
  pairs = [];
  let next = 0;
  while (next < ordered.length && pairs.length < want) {
    const batch = ordered.slice(next, next + want - pairs.length);
    next += batch.length;
    pairs.push(...(await keepAncestors(repoPath, batch, options.concurrency ?? 4, drop)));
  }
  pairs.sort((a, b) => a.fixAt - b.fixAt || a.fix.localeCompare(b.fix));
  return { pairs, found, excluded };
}

function resolvePrefix(db: Db, prefix: string): string | undefined {
  const found = shasWithPrefix(db, prefix, 2);
  return found.length === 1 ? found[0] : undefined;
}

async function keepAncestors(
  repoPath: string,
  pairs: FixPair[],
  concurrency: number,
  drop: (why: string) => void,
): Promise<FixPair[]> {
  const kept: FixPair[] = [];
  await forEachLimit(pairs, concurrency, async (p) => {
    const ok: string[] = [];
    for (const cause of p.truth) {
      if (await isAncestor(repoPath, cause, p.fix)) ok.push(cause);
      else drop('cause is not an ancestor of the fix');
    }
    if (ok.length > 0) kept.push({ ...p, truth: ok });
  });
  return kept;
}

async function isAncestor(repoPath: string, a: string, b: string): Promise<boolean> {
  try {
    await runGit(repoPath, ['merge-base', '--is-ancestor', a, b]);
    return true;
  } catch {
    return false;
  }
}

/** Runs `work` over `items` with at most `limit` in flight (git processes are the cost, not the CPU here). */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
