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
// reordering suspects only where hand-set evidence weighs in. The hand-set evidence is added unchanged: a revert or
// a rollback after the start (earlier incidents are replayed as of their start, so the fit never sees it) and a
// deploy shortly before the start (a replayed incident starts at its fix's date, not when it began: the timing it
// shows is an artefact, and fitting it would discount the strongest sign of a real incident, a deploy an hour
// before).

/** p = σ(a · fitted log-odds + b + hand-set log-odds) */
export interface CalibrationMap {
  a: number;
  b: number;
  /** confirmed incidents of this repository the map was fitted on (0: the global map) */
  pairs: number;
}

/**
 * The map used when a repository has fewer than MIN_PAIRS confirmed incidents before the scored one, and the prior
 * every repository's fit is pulled towards: fitted once on the top-5 suspects of every default-branch fix pair of
 * the two repositories SUSPECT_MODEL was fitted on (shemminger/iproute2, linux-nvme/nvme-cli: 529 incidents, 2,353
 * suspects; Brier 0.0765 → 0.0727; docs/attribution-eval.md), shipped as constants.
 */
export const GLOBAL_CALIBRATION: CalibrationMap = { a: 0.83, b: -0.741, pairs: 0 };

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
  const { a, b } = fitPlatt(points, GLOBAL_CALIBRATION);
  return { a, b, pairs: incidents.length };
}

/** Whether a map was fitted on the repository, or is the global fallback. */
export function isFitted(map: CalibrationMap): boolean {
  return map.pairs >= MIN_PAIRS;
}

/** The calibrated chance for the model's log-odds. */
export function calibrate(map: CalibrationMap, logOdds: number, handSet = 0): number {
  return sigmoid(map.a * logOdds + map.b + handSet);
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
 * Penalised logistic regression of hit on the model's fitted log-odds (the hand-set ones an offset): Newton
 * steps from the prior, with a pull of PRIOR pseudo-observations towards it, so a small or one-sided history moves
 * the map only a little. Deterministic.
 */
export function fitPlatt(
  points: readonly CalibrationPoint[],
  prior: { a: number; b: number },
): { a: number; b: number } {
  let a = prior.a;
  let b = prior.b;
  for (let iter = 0; iter < 50; iter++) {
    // gradient and Hessian of the penalised negative log-likelihood
    let ga = PRIOR * (a - prior.a);
    let gb = PRIOR * (b - prior.b);
    let haa = PRIOR;
    let hab = 0;
    let hbb = PRIOR;
    for (const [x, o, y] of points) {
      const p = sigmoid(a * x + b + o);
      const w = p * (1 - p);
      ga += (p - y) * x;
      gb += p - y;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a: round(a, 4), b: round(b, 4) };
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
