import type { AppContext } from '../context.js';
import { fillCommitFacts, gatherCandidates, type SuspectOptions, type SuspectQuery } from './candidates.js';
import { byRank, type Link } from './link.js';
import { fileHistory, scoreCommit } from './score-commit.js';

// Attribution, piece by piece: candidates.ts loads the evidence, score-commit.ts and score-deploy.ts score it,
// confirmations.ts and confirm-link.ts confirm causes, attribute-incident.ts writes an incident's links.
export { attributeIncident } from './attribute-incident.js';
export type { SuspectOptions, SuspectQuery } from './candidates.js';
export { isTestPath } from './filters.js';
export type { Link, LinkEvidence, LinkMethod, LinkStatus } from './link.js';
export { AttributionMemo } from './memo.js';
export { formatHours } from './score.js';
export { changeKey } from './score-commit.js';

/** Shipped changes ranked as suspects of an incident, before any fix is known (heuristic evidence only). */
export function rankSuspects(ctx: AppContext, inc: SuspectQuery, options: SuspectOptions = {}): Link[] {
  const { commits } = gatherCandidates(ctx, inc, options);
  fillCommitFacts(ctx, commits, options.asOf);
  const history = fileHistory(inc, commits);
  return [...commits.values()].map((c) => scoreCommit(inc, c, history)).sort(byRank);
}
