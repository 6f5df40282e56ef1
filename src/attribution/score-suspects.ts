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
  // Fetched for all at the first question: calibrationFor asks only when there are enough to fit on.
  let points: Map<ConfirmedIncident, CalibrationPoint[]> | undefined;
  return calibrationFor(earlier, (c) => {
    points ??= memo.calibrationPoints(inc.env, earlier, (e) => replayPoints(ctx, inc.env, e, memo));
    return points.get(c) ?? [];
  });
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
