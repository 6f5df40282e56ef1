import { posix } from 'node:path';
import {
  getCluster,
  insertCluster,
  joinCluster,
  recentClusters,
  setClusterProfile,
  type ClusterProfile,
} from '../store/clusters.js';
import {
  clusterMembers,
  entriesAfter,
  insertInterrupt,
  parseStringList,
  searchInterrupts,
  type Candidate,
  type NewInterrupt,
} from '../store/interrupts.js';
import type { Db } from '../store/open.js';
import { stem } from './stem.js';
import { cosine, searchWords, termBag, type TermBag } from './terms.js';

/**
 * How clustering decides (all tunable here, measured in test/triage/clusters.test.ts):
 * an entry joins the best cluster of its category (and module, when its paths name one) whose score reaches
 * JOIN_THRESHOLD, else it starts a new cluster. A cluster's score is the better of its best member's
 * similarity (members found by FTS5: the newest 50 entries sharing one of its 4 longest words) and the
 * similarity to its profile (top terms and paths; the 20 newest clusters in scope are compared this way).
 */
export const JOIN_THRESHOLD = 0.3;
/** A path shared with the other entry adds this much (a shared directory half): evidence, never enough alone. */
const PATH_BONUS = 0.15;
/** Texts sharing fewer terms than this are not similar, whatever their cosine. */
const MIN_SHARED_TERMS = 2;
/**
 * The newest full-text matches compared with each new entry. 200 matches of 6 words cost a quarter of a write's
 * CPU; 50 of 4 clustered as well on bench/clustering.ts's long histories (bench/FINDINGS.md, section 5).
 */
const FTS_CANDIDATES = 50;
const SEARCH_WORDS = 4;
const PROFILE_CANDIDATES = 20;
const PROFILE_MEMBERS = 30;
/**
 * A cluster's profile is recomputed from its newest PROFILE_MEMBERS members on each join until it has that many,
 * then on every PROFILE_REFRESH-th join: one member more moves a full cluster's profile by a thirtieth at most,
 * and reading and scoring 30 members was a tenth of a write.
 */
const PROFILE_REFRESH = 5;
const PROFILE_TERMS = 12;
const PROFILE_PATHS = 20;
const LABEL_TERMS = 4;
/** Earlier entries below this similarity are not worth showing as "seen before". */
const SIMILAR_MIN = 0.2;

/** When a cluster recurs: at least `minEntries` entries within `windowDays` (the default: 2 in 7). */
export interface Recurrence {
  minEntries: number;
  windowDays: number;
}
export const DEFAULT_RECURRENCE: Recurrence = { minEntries: 2, windowDays: 7 };

/** What an entry is compared by. */
export interface Comparable {
  summary: string;
  detail: string | null;
  paths: readonly string[];
}

export interface SimilarEntry {
  entry: Candidate;
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
export function similarity(
  a: TermBag,
  aPaths: readonly string[],
  b: TermBag,
  bPaths: readonly string[] | (() => readonly string[]),
): number {
  // One shared word (a product name, "error") is chance, not the same problem.
  let shared = 0;
  for (const t of a.weights.keys()) if (b.weights.has(t)) shared++;
  if (shared < MIN_SHARED_TERMS) return 0;
  const paths = typeof bPaths === 'function' ? bPaths() : bPaths;
  return Math.min(1, cosine(a.weights, b.weights) + PATH_BONUS * pathOverlap(aPaths, paths));
}

/** 1 when the entries share a file, 0.5 when they share a directory of two or more segments, else 0. */
export function pathOverlap(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const files = new Set(a);
  if (b.some((p) => files.has(p))) return 1;
  const dirs = new Set(a.map((p) => posix.dirname(p)).filter((d) => d.includes('/')));
  return b.some((p) => dirs.has(posix.dirname(p))) ? 0.5 : 0;
}

/** What clustering needs of the entry being stored. */
export interface ClusterInput extends Comparable {
  category: string;
  /** 'suggested': the category was only guessed, so clusters of any category may take the entry (it takes theirs) */
  categorySource?: string;
  module: string;
  createdAt: number;
}

/**
 * Clustering decided from a snapshot, before the entry is written. Finding and scoring candidates is most of
 * the work, so log_interrupt does it before taking the write lock; applyCluster then only scores what other
 * writers added since (`seenThrough`) and writes.
 */
export interface ClusterPlan {
  /** the best score of each cluster in scope */
  scores: Map<number, number>;
  /** earlier entries at or above SIMILAR_MIN */
  similar: SimilarEntry[];
  /** the newest entry id the snapshot held */
  seenThrough: number;
  /** the best cluster's category: the entry's, when it was only guessed */
  category?: string;
  /** the best cluster's profile with the entry in it, valid while the cluster still has `size` members */
  profile?: { clusterId: number; size: number; profile: ClusterProfile };
}

/** Whether a cluster of `size` members recomputes its profile when one more joins. */
function profileDue(size: number): boolean {
  return size + 1 <= PROFILE_MEMBERS || (size + 1) % PROFILE_REFRESH === 0;
}

/** Finds and scores the clusters an entry could join (reads only; call before inserting it). */
export function planCluster(db: Db, entry: ClusterInput, threshold = JOIN_THRESHOLD): ClusterPlan {
  const bag = termBag(entry.summary, entry.detail);
  const scores = new Map<number, number>();
  const similar: SimilarEntry[] = [];
  const category = entry.categorySource === 'suggested' ? null : entry.category;
  // One snapshot: an entry committed after it has a larger id than seenThrough and is scored under the write lock.
  const { seenThrough, candidates } = searchInterrupts(db, {
    words: searchWords(`${entry.summary} ${entry.detail ?? ''}`, SEARCH_WORDS),
    category,
    module: entry.module,
    scan: FTS_CANDIDATES,
  });
  scoreCandidates(bag, entry.paths, candidates, scores, similar);
  const recent = recentClusters(db, category, entry.module, PROFILE_CANDIDATES);
  for (const c of recent) {
    const score = similarity(bag, entry.paths, profileBag(c.terms), c.paths);
    scores.set(c.id, Math.max(scores.get(c.id) ?? 0, score));
  }
  const plan: ClusterPlan = { scores, similar, seenThrough };
  const best = bestCluster(scores, threshold);
  const cluster = best && (recent.find((c) => c.id === best.id) ?? getCluster(db, best.id));
  if (cluster) {
    plan.category = cluster.category;
    if (profileDue(cluster.size))
      plan.profile = { clusterId: cluster.id, size: cluster.size, profile: joinedProfile(db, cluster.id, entry) };
  }
  return plan;
}

/** A cluster's profile once `entry` has joined: it sorts first among members of the same time, having the largest id. */
function joinedProfile(db: Db, clusterId: number, entry: Comparable & { createdAt: number }): ClusterProfile {
  const members = [entry, ...clusterMembers(db, clusterId, PROFILE_MEMBERS)]
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, PROFILE_MEMBERS);
  return clusterProfile(members);
}

/** Where insertClustered put an entry: its id, the cluster's label, size (with the entry) and fix. */
export interface InsertedEntry extends ClusterAssignment {
  entryId: number;
  label: string;
  size: number;
  fixId: number | null;
}

/**
 * Inserts an entry into a cluster: joins the best one in scope above the threshold or starts one. Call inside a
 * write transaction (interruptWriteLock says which) so entry and cluster never disagree. Entries other writers
 * committed after the plan's snapshot are scored first, so two writers logging the same new problem at once end
 * up in one cluster: the second to take the lock sees the first's entry and joins its cluster. Same input order
 * → same clusters.
 */
export function insertClustered(
  db: Db,
  entry: NewInterrupt,
  plan: ClusterPlan,
  threshold = JOIN_THRESHOLD,
): InsertedEntry {
  const scores = new Map(plan.scores);
  const similar = [...plan.similar];
  const since = entriesAfter(db, { afterId: plan.seenThrough, category: entry.category, module: entry.module });
  if (since.length > 0) {
    const seen = new Set(similar.map((s) => s.entry.id));
    const fresh = since.filter((c) => !seen.has(c.id));
    scoreCandidates(termBag(entry.summary, entry.detail), entry.paths, fresh, scores, similar);
  }
  similar.sort((x, y) => y.score - x.score || x.entry.id - y.entry.id);
  const top = similar.slice(0, 3).map((s) => ({ ...s, score: round(s.score) }));

  for (let best = bestCluster(scores, threshold); best; best = bestCluster(scores, threshold)) {
    // Nobody joined since the snapshot: the profile computed then still holds (joinCluster checks the size).
    const planned = plan.profile?.clusterId === best.id ? plan.profile : undefined;
    const joined = joinCluster(db, {
      id: best.id,
      category: entry.category,
      at: entry.createdAt,
      profile: planned?.profile,
      ifSize: planned?.size,
    });
    if (!joined) {
      // Gone since the snapshot (clusters are not deleted today; this keeps the entry from pointing nowhere), or
      // of another category than the one a guessed entry took from the plan's cluster.
      scores.delete(best.id);
      continue;
    }
    let label = joined.label;
    if (profileDue(joined.size - 1) && !joined.profiled) {
      const profile = joinedProfile(db, best.id, entry);
      setClusterProfile(db, best.id, profile);
      label = profile.label;
    }
    // Last: its rollup triggers lock the day's counter row, which every writer of the day and category updates.
    const entryId = insertInterrupt(db, entry, best.id);
    return {
      entryId,
      clusterId: best.id,
      created: false,
      score: round(best.score),
      similar: top,
      label,
      size: joined.size,
      fixId: joined.fixId,
    };
  }
  const profile = clusterProfile([entry]);
  const clusterId = insertCluster(db, {
    category: entry.category,
    module: entry.module,
    at: entry.createdAt,
    ...profile,
  });
  const entryId = insertInterrupt(db, entry, clusterId);
  return { entryId, clusterId, created: true, score: 0, similar: top, label: profile.label, size: 1, fixId: null };
}

function scoreCandidates(
  bag: TermBag,
  paths: readonly string[],
  candidates: readonly Candidate[],
  scores: Map<number, number>,
  similar: SimilarEntry[],
): void {
  for (const cand of candidates) {
    const score = similarity(bag, paths, termBag(cand.summary, cand.detail), () => parseStringList(cand.paths));
    if (score >= SIMILAR_MIN) similar.push({ entry: cand, score });
    if (cand.clusterId !== null) scores.set(cand.clusterId, Math.max(scores.get(cand.clusterId) ?? 0, score));
  }
}

/** The highest score at or above the threshold; ties go to the oldest cluster. */
function bestCluster(
  scores: ReadonlyMap<number, number>,
  threshold: number,
): { id: number; score: number } | undefined {
  let best: { id: number; score: number } | undefined;
  for (const [id, score] of [...scores].sort((x, y) => x[0] - y[0])) {
    if (score >= threshold && (!best || score > best.score)) best = { id, score };
  }
  return best;
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
