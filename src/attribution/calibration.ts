import type { Db } from '../store/open.js';
import { confirmedPairs, type ConfirmedPairRow } from '../store/confirmed-pairs.js';
import { commitRow } from '../store/suspect-facts.js';
import { shasWithPrefix } from '../store/commits.js';
import { createHash } from 'node:crypto';
import type { Link } from './link.js';
import { round, SUSPECT_MODEL } from './score.js';
import { changeKey } from './score-commit.js';
import { SUSPECT_MODEL_VERSION } from './weights.js';

// Turning SUSPECT_MODEL's score into a chance that holds on this repository (issue 16: "0.8" right about 80 % of the
// time). The model's fitted constants come from two other repositories and are over-confident elsewhere; a Platt
// map — a logistic over the model's log-odds — refitted on the repository's own confirmed causes corrects that,
// reordering suspects only where hand-set evidence weighs in. The hand-set evidence — a revert or a rollback after
// the start, a deploy shortly before it — gets a weight of its own, fitted too but kept in [C_MIN, 1]: a replayed
// incident starts at its fix's date, not when it began, so the timing it shows is partly an artefact, and an
// unbounded fit would discount the strongest sign of a real incident, a deploy an hour before; left at 1 (the
// first round) it made the scores above 0.3 over-confident (0.45 → 22 %, docs/attribution-eval.md).

/** p = σ(a · fitted log-odds + b + c · hand-set log-odds) */
export interface CalibrationMap {
  a: number;
  b: number;
  /** weight of the hand-set log-odds, in [C_MIN, 1] */
  c: number;
  /** confirmed incidents of this repository the map was fitted on (0: the global map) */
  pairs: number;
}

/**
 * The map used when a repository has fewer than MIN_PAIRS confirmed incidents before the scored one, and the prior
 * every repository's fit is pulled towards: fitted once on the top-5 suspects of the default-branch fix pairs of
 * the two repositories SUSPECT_MODEL was fitted on (shemminger/iproute2, linux-nvme/nvme-cli: 412 incidents naming
 * files, 2,058 suspects; Brier 0.0745 → 0.0693; docs/attribution-eval.md), shipped as constants. Hand-set evidence
 * keeps its whole weight here (c = 1): nothing measured this repository's.
 */
export const GLOBAL_CALIBRATION: CalibrationMap = { a: 0.722, b: -1.064, c: 1, pairs: 0 };

/**
 * The least weight a fitted map gives hand-set evidence: a deploy an hour before a real incident still adds half its
 * 4 log-odds (measured on five repositories, docs/attribution-eval.md: the fits went below it only on the replays'
 * artefact timing).
 */
export const C_MIN = 0.5;

/** Fewer confirmed incidents than this: the global map applies. */
export const MIN_PAIRS = 30;
/** The newest confirmed incidents a repository's map is fitted on (each costs one suspect ranking, memoised). */
export const MAX_PAIRS = 100;
/** Suspects per confirmed incident that feed the fit: what `incident_suspects` lists by default. */
export const TOP = 5;
/** Strength of the pull towards the global map (a pseudo-count in the penalised fit). */
const PRIOR = 10;

/** One suspect of an earlier confirmed incident: the model's log-odds, and whether it was the cause. */
export type CalibrationPoint = [logOdds: number, handSet: number, hit: 0 | 1];

/** The model's log-odds of a scored suspect, as scoreCommit records them in its factors. */
export function modelLogOdds(link: Link): { logOdds: number; handSet: number } {
  return { logOdds: link.evidence.factors['logOdds'] ?? 0, handSet: link.evidence.factors['handSet'] ?? 0 };
}

/** An earlier confirmed incident as the fit replays it: the fix's files, as of the fix. */
export interface ConfirmedIncident {
  fix: string;
  startedAt: number;
  causes: string[];
}

/**
 * The confirmed incidents a map for an incident starting at `startedAt` may learn from: fixes authored and committed
 * strictly before it (a fix at or after the start is future information), newest first, at most MAX_PAIRS. `pairs`:
 * every confirmed pair, newest first (an attribution run reads them once).
 */
export function confirmedIncidentsBefore(
  db: Db,
  startedAt: number,
  pairs: readonly ConfirmedPairRow[] = confirmedPairs(db),
): ConfirmedIncident[] {
  const byFix = new Map<string, ConfirmedIncident>();
  for (const r of pairs) {
    if (r.committedAt >= startedAt || r.fixAt >= startedAt) continue;
    if (!byFix.has(r.fix) && byFix.size >= MAX_PAIRS) break;
    const cause = r.cause.length >= 40 ? r.cause : single(shasWithPrefix(db, r.cause, 2));
    if (!cause) continue;
    const inc = byFix.get(r.fix) ?? { fix: r.fix, startedAt: r.fixAt, causes: [] };
    if (!inc.causes.includes(cause)) inc.causes.push(cause);
    byFix.set(r.fix, inc);
  }
  return [...byFix.values()];
}

/** A replay's key: the fix and the causes its points are judged against. */
export function replayKey(inc: ConfirmedIncident): string {
  return `${inc.fix}:${[...inc.causes].sort().join(',')}`;
}

/**
 * What produced a replay's points: the scoring's version, its fitted constants (a change the version bump forgot
 * still reads no old points) and how many suspects a replay keeps.
 */
export const REPLAY_MODEL = `${SUSPECT_MODEL_VERSION}/${TOP}/${createHash('sha256')
  .update(JSON.stringify(SUSPECT_MODEL))
  .digest('hex')
  .slice(0, 12)}`;

function single(found: string[]): string | undefined {
  return found.length === 1 ? found[0] : undefined;
}

/**
 * The map for one incident: fitted on its repository's earlier confirmed incidents (`pointsOf` replays one as of
 * its start and returns its top suspects' model scores and whether each was the cause), or the global map.
 */
export function calibrationFor(
  incidents: readonly ConfirmedIncident[],
  pointsOf: (inc: ConfirmedIncident) => CalibrationPoint[],
): CalibrationMap {
  if (incidents.length < MIN_PAIRS) return { ...GLOBAL_CALIBRATION, pairs: incidents.length };
  const points = incidents.flatMap(pointsOf);
  return { ...fitPlatt(points, GLOBAL_CALIBRATION), pairs: incidents.length };
}

/** Whether a map was fitted on the repository, or is the global fallback. */
export function isFitted(map: CalibrationMap): boolean {
  return map.pairs >= MIN_PAIRS;
}

/** The calibrated chance for the model's log-odds. */
export function calibrate(map: CalibrationMap, logOdds: number, handSet = 0): number {
  return sigmoid(map.a * logOdds + map.b + map.c * handSet);
}

/** Applies the map to a heuristic link: its score becomes the calibrated chance; the model's score stays a factor. */
export function applyCalibration(link: Link, map: CalibrationMap): void {
  const modelScore = link.score;
  const { logOdds, handSet } = modelLogOdds(link);
  // Five digits: the map compresses the model's range, and two suspects the model told apart stay apart.
  link.score = round(calibrate(map, logOdds, handSet), 5);
  link.evidence.factors['model'] = round(modelScore);
  link.evidence.reasons.push(
    isFitted(map)
      ? `score calibrated on ${map.pairs} confirmed incidents of this repository before this one (model ${round(modelScore, 2)})`
      : `score from the global calibration map: only ${map.pairs} confirmed incident(s) of this repository before this one, ${MIN_PAIRS} needed (model ${round(modelScore, 2)})`,
  );
}

/**
 * Penalised logistic regression of hit on the model's fitted log-odds and the hand-set ones: Newton steps from the
 * prior, with a pull of PRIOR pseudo-observations towards it, so a small or one-sided history moves the map only a
 * little; the hand-set weight is then kept in [C_MIN, 1]. Deterministic.
 */
export function fitPlatt(
  points: readonly CalibrationPoint[],
  prior: { a: number; b: number; c: number },
): { a: number; b: number; c: number } {
  const start = [prior.a, prior.b, prior.c];
  // the penalised negative log-likelihood, to keep each Newton step downhill (halved until it is)
  const loss = (v: number[]) => {
    let l = (PRIOR / 2) * v.reduce((s, x, i) => s + (x - start[i]!) ** 2, 0);
    for (const [x, o, y] of points) {
      const z = v[0]! * x + v[1]! + v[2]! * o;
      l += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - y * z;
    }
    return l;
  };
  let w = [...start];
  let current = loss(w);
  for (let iter = 0; iter < 50; iter++) {
    const g = w.map((v, i) => PRIOR * (v - start[i]!));
    const h = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? PRIOR : 0)));
    for (const [x, o, y] of points) {
      const f = [x, 1, o];
      const p = sigmoid(w[0]! * x + w[1]! + w[2]! * o);
      for (let i = 0; i < 3; i++) {
        g[i]! += (p - y) * f[i]!;
        for (let j = 0; j < 3; j++) h[i]![j]! += p * (1 - p) * f[i]! * f[j]!;
      }
    }
    const step = solve3(h, g);
    if (!step) break;
    let t = 1;
    let next = w.map((v, i) => v - step[i]!);
    let l = loss(next);
    while (!(l <= current) && t > 1e-6) {
      t /= 2;
      next = w.map((v, i) => v - t * step[i]!);
      l = loss(next);
    }
    if (!(l <= current)) break;
    const moved = next.reduce((s, v, i) => s + Math.abs(v - w[i]!), 0);
    w = next;
    current = l;
    if (moved < 1e-9) break;
  }
  return { a: round(w[0]!, 4), b: round(w[1]!, 4), c: round(Math.min(1, Math.max(C_MIN, w[2]!)), 4) };
}

/** The 3×3 system h · d = g by Cramer's rule (h is positive definite: the prior's pull is on its diagonal). */
function solve3(h: number[][], g: number[]): number[] | null {
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(h);
  if (!(d > 0)) return null;
  return [0, 1, 2].map((col) => det(h.map((row, i) => row.map((v, j) => (j === col ? g[i]! : v)))) / d);
}

/** The top suspects of a replayed incident against its causes; a cherry-pick of a cause counts as the cause. */
export function pointsOfRanking(
  db: Db,
  ranked: readonly { link: Link; key: string }[],
  causes: readonly string[],
): CalibrationPoint[] {
  const causeKeys = new Set(
    causes.map((sha) => {
      const c = commitRow(db, sha);
      return c ? changeKey(c) : sha;
    }),
  );
  const seen = new Set<string>();
  const out: CalibrationPoint[] = [];
  for (const { link, key } of ranked) {
    if (seen.has(key)) continue;
    seen.add(key);
    const { logOdds, handSet } = modelLogOdds(link);
    out.push([logOdds, handSet, causes.includes(link.target) || causeKeys.has(key) ? 1 : 0]);
    if (out.length >= TOP) break;
  }
  return out;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
