import { posix } from 'node:path';
import { growCluster, insertCluster, recentClusters, type ClusterProfile } from '../store/clusters.js';
import {
  clusterCountBetween,
  clusterMembers,
  searchInterrupts,
  setInterruptCluster,
  type InterruptRow,
} from '../store/interrupts.js';
import type { Db } from '../store/open.js';
import { stem } from './stem.js';
import { cosine, searchWords, termBag, type TermBag } from './terms.js';

/**
 * How clustering decides (all tunable here, measured in test/triage/clusters.test.ts):
 * an entry joins the best cluster of its category (and module, when its paths name one) whose score reaches
 * JOIN_THRESHOLD, else it starts a new cluster. A cluster's score is the better of its best member's
 * similarity (members found by FTS5: the newest 200 entries sharing a word) and the similarity to its
 * profile (top terms and paths; the 20 newest clusters in scope are compared this way).
 */
export const JOIN_THRESHOLD = 0.3;
/** A path shared with the other entry adds this much (a shared directory half): evidence, never enough alone. */
const PATH_BONUS = 0.15;
/** Texts sharing fewer terms than this are not similar, whatever their cosine. */
const MIN_SHARED_TERMS = 2;
/** The newest full-text matches compared with each new entry. */
const FTS_CANDIDATES = 200;
const PROFILE_CANDIDATES = 20;
const PROFILE_MEMBERS = 30;
const PROFILE_TERMS = 12;
const PROFILE_PATHS = 20;
const LABEL_TERMS = 4;
/** Earlier entries below this similarity are not worth showing as "seen before". */
const SIMILAR_MIN = 0.2;

const DAY = 86_400_000;

/** When a cluster recurs: at least `minEntries` entries within `windowDays` (the default: 2 in 7). */
export interface Recurrence {
  minEntries: number;
  windowDays: number;
}
export const DEFAULT_RECURRENCE: Recurrence = { minEntries: 2, windowDays: 7 };

/** Whether a cluster recurs as of `at`: its entries in the `windowDays` before `at` reach `minEntries`. */
export function isRecurring(db: Db, clusterId: number, at: number, r: Recurrence = DEFAULT_RECURRENCE): boolean {
  return clusterCountBetween(db, clusterId, at - r.windowDays * DAY, at) >= r.minEntries;
}

/** What an entry is compared by. */
export interface Comparable {
  summary: string;
  detail: string | null;
  paths: readonly string[];
}

export interface SimilarEntry {
  entry: InterruptRow;
  score: number;
}

export interface ClusterAssignment {
  clusterId: number;
  created: boolean;
  /** the score that decided the join (0 for a new cluster) */
  score: number;
  /** the most similar earlier entries in scope, best first (≤ 3) */
  similar: SimilarEntry[];
}

/** Similarity of two entries in [0, 1]: cosine of their stemmed terms, plus a bonus for shared paths. */
export function similarity(a: TermBag, aPaths: readonly string[], b: TermBag, bPaths: readonly string[]): number {
  // One shared word (a product name, "error") is chance, not the same problem.
  let shared = 0;
  for (const t of a.weights.keys()) if (b.weights.has(t)) shared++;
  if (shared < MIN_SHARED_TERMS) return 0;
  return Math.min(1, cosine(a.weights, b.weights) + PATH_BONUS * pathOverlap(aPaths, bPaths));
}

/** 1 when the entries share a file, 0.5 when they share a directory of two or more segments, else 0. */
export function pathOverlap(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const files = new Set(a);
  if (b.some((p) => files.has(p))) return 1;
  const dirs = new Set(a.map((p) => posix.dirname(p)).filter((d) => d.includes('/')));
  return b.some((p) => dirs.has(posix.dirname(p))) ? 0.5 : 0;
}

/**
 * Puts a just-inserted entry into a cluster: joins the best one in scope above the threshold or starts one.
 * Call inside the insert's transaction so entry and cluster never disagree. Same input order → same clusters.
 */
export function assignCluster(
  db: Db,
  entryId: number,
  entry: InterruptRow,
  threshold = JOIN_THRESHOLD,
): ClusterAssignment {
  const bag = termBag(entry.summary, entry.detail);
  const scored = new Map<number, number>();
  const similar: SimilarEntry[] = [];
  const words = searchWords(`${entry.summary} ${entry.detail ?? ''}`);
  for (const cand of searchInterrupts(db, {
    words,
    category: entry.category,
    module: entry.module,
    scan: FTS_CANDIDATES,
  })) {
    if (cand.id === entryId) continue;
    const score = similarity(bag, entry.paths, termBag(cand.summary, cand.detail), cand.paths);
    if (score >= SIMILAR_MIN) similar.push({ entry: cand, score });
    if (cand.clusterId !== null) scored.set(cand.clusterId, Math.max(scored.get(cand.clusterId) ?? 0, score));
  }
  for (const c of recentClusters(db, entry.category, entry.module, PROFILE_CANDIDATES)) {
    const profile = profileBag(c.terms);
    const score = similarity(bag, entry.paths, profile, c.paths);
    scored.set(c.id, Math.max(scored.get(c.id) ?? 0, score));
  }
  let best: { id: number; score: number } | undefined;
  for (const [id, score] of [...scored].sort((x, y) => x[0] - y[0])) {
    if (score >= threshold && (!best || score > best.score)) best = { id, score };
  }
  similar.sort((x, y) => y.score - x.score || x.entry.id - y.entry.id);
  const top = similar.slice(0, 3).map((s) => ({ ...s, score: round(s.score) }));

  if (best) {
    setInterruptCluster(db, entryId, best.id);
    growCluster(db, best.id, entry.createdAt, clusterProfile(clusterMembers(db, best.id, PROFILE_MEMBERS)));
    return { clusterId: best.id, created: false, score: round(best.score), similar: top };
  }
  const clusterId = insertCluster(db, {
    category: entry.category,
    module: entry.module,
    at: entry.createdAt,
    ...clusterProfile([entry]),
  });
  setInterruptCluster(db, entryId, clusterId);
  return { clusterId, created: true, score: 0, similar: top };
}

/** The stored profile terms as a term bag (they are already canonical words: stem them, weight 1). */
function profileBag(terms: readonly string[]): TermBag {
  const weights = new Map<string, number>();
  const surface = new Map<string, string>();
  for (const t of terms) {
    const s = stem(t);
    weights.set(s, 1);
    if (!surface.has(s)) surface.set(s, t);
  }
  return { weights, surface };
}

/**
 * A cluster's profile from its members: terms ranked by how many members use them (summary terms count 1,
 * detail-only terms 0.5), ties alphabetical; the label is the top terms that two or more members share.
 */
export function clusterProfile(members: readonly Comparable[]): ClusterProfile {
  const score = new Map<string, number>();
  const users = new Map<string, number>();
  const surface = new Map<string, string>();
  const pathCount = new Map<string, number>();
  // Oldest first, so the word a cluster is labelled with is the one its first entry used.
  for (const m of [...members].reverse()) {
    const bag = termBag(m.summary, m.detail);
    for (const [t, w] of bag.weights) {
      score.set(t, (score.get(t) ?? 0) + w);
      users.set(t, (users.get(t) ?? 0) + 1);
      if (!surface.has(t)) surface.set(t, bag.surface.get(t)!);
    }
    for (const p of new Set(m.paths)) pathCount.set(p, (pathCount.get(p) ?? 0) + 1);
  }
  const ranked = [...score.keys()].sort((a, b) => score.get(b)! - score.get(a)! || a.localeCompare(b));
  const shared = members.length > 1 ? ranked.filter((t) => users.get(t)! > 1) : ranked;
  const labelTerms = (shared.length > 0 ? shared : ranked).slice(0, LABEL_TERMS);
  return {
    label: labelTerms.map((t) => surface.get(t)!).join(', ') || '(no terms)',
    terms: ranked.slice(0, PROFILE_TERMS).map((t) => surface.get(t)!),
    paths: [...pathCount.keys()]
      .sort((a, b) => pathCount.get(b)! - pathCount.get(a)! || a.localeCompare(b))
      .slice(0, PROFILE_PATHS),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
