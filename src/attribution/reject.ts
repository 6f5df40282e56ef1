import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { redactSecrets } from '../redact.js';
import { resolveSha } from '../store/commits.js';
import { rejectLink, type RejectOutcome } from '../store/link-verdicts.js';
import { findIncident } from './incident-view.js';
import { refreshAttribution } from './refresh.js';

export interface RejectResult {
  incident: string;
  commit: string;
  outcome: RejectOutcome;
  /** the incident's links after re-attribution (the rejected one is not among them) */
  links: number;
}

/**
 * A person's verdict that a commit did not cause an incident: the link turns `rejected` for good (attribution never
 * proposes it again, `hindsight notify` withdraws a comment that named it), and the incident is re-attributed at once
 * so its other suspects move up.
 */
export async function rejectCause(
  ctx: AppContext,
  input: { incident: string; commit: string; reason: string },
): Promise<RejectResult> {
  const reason = input.reason.trim();
  if (reason === '') throw new UserInputError('say why the commit is not the cause: --reason "…"', 'reason');
  if (reason.length > LIMITS.summary) {
    throw new UserInputError(`the reason is ${reason.length} characters; keep it under ${LIMITS.summary}`, 'reason');
  }
  const card = findIncident(ctx, input.incident);
  const sha = resolveSha(ctx.store, input.commit, 'commit');
  if (!sha) {
    throw new UserInputError(
      `commit '${input.commit}' is not in the store: check the sha, or run 'hindsight ingest git' if it is new`,
      'commit',
    );
  }
  const outcome = rejectLink(
    ctx.store,
    { incidentId: card.id, kind: 'commit', target: sha },
    redactSecrets(reason).text,
    ctx.clock(),
  );
  const refreshed = await refreshAttribution(ctx, { incidentIds: [card.id] });
  return { incident: card.externalId, commit: sha, outcome, links: refreshed.links };
}
