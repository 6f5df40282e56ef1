import type { AppContext } from '../context.js';
import { getPullRequest, pullRequestByHead } from '../store/github.js';
import {
  LOOP_BRANCH_PREFIX,
  openLoopFixes,
  settleLoopFix,
  type FixOutcome,
  type PullRef,
} from '../store/loop-fixes.js';

export { LOOP_BRANCH_PREFIX, type FixOutcome, type PullRef };

/**
 * A loop pull request merged: its fix becomes `merged` at `mergedAt` and its cluster stays covered by it, so
 * Feedback-to-Demo (each correction → this merge) shows in the triage report. Idempotent. Undefined when no
 * loop fix matches. The webhook and the GitHub ingest call it for a merged `hindsight/*` pull request.
 */
export function markFixMerged(ctx: AppContext, pr: PullRef & { mergedAt: number }): FixOutcome | undefined {
  return settleLoopFix(ctx.store, pr, 'merged', pr.mergedAt);
}

/** A loop pull request closed without merging: a human turned the fix down, so the loop does not reopen it. */
export function markFixRejected(ctx: AppContext, pr: PullRef & { closedAt: number }): FixOutcome | undefined {
  return settleLoopFix(ctx.store, pr, 'rejected', pr.closedAt);
}

/**
 * Settles open loop fixes from the pull requests `hindsight ingest github` stored (merged or closed since),
 * so a run after an ingest knows what happened even without webhooks. Returns what changed.
 */
export function reconcileFromIngest(
  ctx: AppContext,
  repo: string,
): { fixId: number; status: 'merged' | 'rejected'; prNumber: number }[] {
  const out: { fixId: number; status: 'merged' | 'rejected'; prNumber: number }[] = [];
  for (const fix of openLoopFixes(ctx.store)) {
    const pr =
      fix.prNumber !== null
        ? getPullRequest(ctx.store, repo, fix.prNumber)
        : pullRequestByHead(ctx.store, repo, fix.branch);
    if (!pr || pr.headRef !== fix.branch) continue;
    const ref = { branch: fix.branch, prNumber: pr.number };
    const res =
      pr.state === 'merged' && pr.mergedAt !== null
        ? markFixMerged(ctx, { ...ref, mergedAt: pr.mergedAt })
        : pr.state === 'closed'
          ? markFixRejected(ctx, { ...ref, closedAt: pr.closedAt ?? ctx.clock() })
          : undefined;
    if (res?.changed)
      out.push({ fixId: fix.id, status: pr.state === 'merged' ? 'merged' : 'rejected', prNumber: pr.number });
  }
  return out;
}
