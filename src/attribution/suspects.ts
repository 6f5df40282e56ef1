import type { AppContext } from '../context.js';
import { fillCommitFacts, gatherCandidates, type SuspectOptions, type SuspectQuery } from './candidates.js';
import { byRank, type Link } from './link.js';
import { AttributionMemo } from './memo.js';
import { scoreSuspects, suspectCalibration } from './score-suspects.js';

// Attribution, piece by piece: candidates.ts loads the evidence, score-commit.ts and score-deploy.ts score it,
// score-suspects.ts and calibration.ts turn the model's score into a chance that holds on this repository,
// confirmations.ts and confirm-link.ts confirm causes, attribute-incident.ts writes an incident's links.
export { attributeIncident } from './attribute-incident.js';
export type { SuspectOptions, SuspectQuery } from './candidates.js';
export { isTestPath } from './filters.js';
export type { Link, LinkEvidence, LinkMethod, LinkStatus } from './link.js';
export { AttributionMemo } from './memo.js';
export { formatHours } from './score.js';
export { changeKey } from './score-commit.js';

/**
 * Shipped changes ranked as suspects of an incident, before any fix is known (heuristic evidence only), with
 * calibrated scores — the same scoring `attribute` stores. `options.calibrate: false` leaves the model's scores.
 */
export function rankSuspects(
  ctx: AppContext,
  inc: SuspectQuery,
  options: SuspectOptions = {},
  memo = new AttributionMemo(ctx.store),
): Link[] {
  const { commits } = gatherCandidates(ctx, inc, options, memo);
  fillCommitFacts(ctx, commits, options.asOf);
  const map = options.calibrate === false ? null : suspectCalibration(ctx, inc, memo);
  return scoreSuspects(inc, commits, map).sort(byRank);
}
