import type { AppContext } from '../context.js';
import { commitPathModules } from '../store/suspect-facts.js';
import {
  applyCalibration,
  calibrationFor,
  confirmedIncidentsBefore,
  pointsOfRanking,
  type CalibrationMap,
  type CalibrationPoint,
  type ConfirmedIncident,
} from './calibration.js';
import { fillCommitFacts, gatherCandidates, type CommitFacts, type SuspectQuery } from './candidates.js';
import { byRank, type Link } from './link.js';
import type { AttributionMemo } from './memo.js';
import { changeKey, fileHistory, scoreCommit } from './score-commit.js';

// Scoring an incident's candidates as suspects, the one path `attribute` and the evaluation share: the model's score
// for each, mapped to a chance calibrated on the repository's own earlier confirmed incidents.

/** Every candidate scored by the model, then mapped to a calibrated chance (null: the model's score). */
export function scoreSuspects(
  inc: SuspectQuery,
  commits: Map<string, CommitFacts>,
  map: CalibrationMap | null,
): Link[] {
  const history = fileHistory(inc, commits);
  return [...commits.values()].map((c) => {
    const link = scoreCommit(inc, c, history);
    // An incident naming no file is scored by hand-set evidence only: there is nothing fitted to calibrate.
    if (map && inc.files.length > 0) applyCalibration(link, map);
    return link;
  });
}

/**
 * The calibration map for an incident: fitted on the repository's confirmed incidents whose fix was committed
 * strictly before it began, each replayed as of its own start (memoised), or the global map when there are too few.
 */
export function suspectCalibration(ctx: AppContext, inc: SuspectQuery, memo: AttributionMemo): CalibrationMap {
  const earlier = confirmedIncidentsBefore(ctx.store, inc.startedAt, memo.confirmedPairs());
  return calibrationFor(earlier, (c) => {
    const key = `${inc.env}\0${c.fix}`;
    return memo.calibrationPoints(key, () => recentReplay(ctx, key, () => replayPoints(ctx, inc.env, c, memo)));
  });
}

/**
 * Replays outlive one attribution run for a few minutes in this process: a refresh for one new incident or deploy
 * made a fresh memo and replayed up to MAX_PAIRS earlier incidents (~20–30 ms each on bench 7's history: one new
 * incident 0.1 → 1.8–2.4 s). A replay reads only what came before its fix, so it rarely changes; the bound keeps a
 * late-recorded past deploy from being missed for long. A one-shot CLI process still pays them once.
 */
const REPLAY_TTL_MS = 10 * 60_000;
const MAX_REPLAYS_KEPT = 20_000;
const replays = new WeakMap<object, Map<string, { at: number; points: CalibrationPoint[] }>>();

function recentReplay(ctx: AppContext, key: string, replay: () => CalibrationPoint[]): CalibrationPoint[] {
  let own = replays.get(ctx.store);
  if (!own) replays.set(ctx.store, (own = new Map()));
  const now = Date.now();
  const hit = own.get(key);
  if (hit && now - hit.at < REPLAY_TTL_MS) return hit.points;
  if (own.size >= MAX_REPLAYS_KEPT) own.clear();
  const points = replay();
  own.set(key, { at: now, points });
  return points;
}

/** An earlier confirmed incident as it looked when it began: the fix's files named, the model's top suspects. */
export function replayPoints(
  ctx: AppContext,
  env: string,
  c: ConfirmedIncident,
  memo: AttributionMemo,
): CalibrationPoint[] {
  const q: SuspectQuery = {
    startedAt: c.startedAt,
    env,
    service: null,
    module: null,
    files: commitPathModules(ctx.store, c.fix),
  };
  if (q.files.length === 0) return []; // like an incident naming no file, nothing fitted to learn from
  const { commits } = gatherCandidates(ctx, q, { asOf: c.startedAt }, memo);
  fillCommitFacts(ctx, commits, c.startedAt);
  const ranked = scoreSuspects(q, commits, null)
    .sort(byRank)
    .map((link) => ({ link, key: changeKey(commits.get(link.target)!) }));
  return pointsOfRanking(ctx.store, ranked, c.causes);
}
