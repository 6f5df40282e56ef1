import { describeChange, type ErrorRateStep } from '../history/signal-change.js';
import type { CommitFacts, DeployFacts, IncidentFacts } from './candidates.js';
import type { Link, LinkMethod, LinkStatus } from './link.js';
import { WEIGHTS, formatHours, noisyOr, round, timeDecay } from './score.js';

/**
 * A deploy's link: as strong as the best of its commit links (confirmed when one is), else by timing alone; a
 * rollback soon after the incident began confirms it.
 */
export function scoreDeploy(
  inc: IncidentFacts,
  d: DeployFacts,
  commitLinks: Link[],
  commits: Map<string, CommitFacts>,
  step?: ErrorRateStep,
): Link {
  const own = commitLinks.filter((l) => commits.get(l.target)?.deploy?.id === d.id);
  const best = own[0];
  const hours = (inc.startedAt - d.finishedAt) / 3_600_000;
  const reasons = [`finished ${formatHours(hours)} before the incident began`];
  const factors: Record<string, number> = { time: round(timeDecay(hours)) };
  let score = best ? best.score : WEIGHTS.time * timeDecay(hours) * 0.5;
  let status: LinkStatus = 'suspect';
  let method: LinkMethod = 'heuristic';
  if (best)
    reasons.push(
      `contains ${best.status === 'confirmed' ? 'confirmed cause' : 'top suspect'} ${best.target.slice(0, 7)} (${best.score})`,
    );
  // Production said so too: the error rate stepped up when this deploy finished. Weighed like the time evidence:
  // a step long before the incident says less about it.
  if (step) {
    const strength = Math.min(1, step.verdict.robustZ / WEIGHTS.errorStepFullZ) * timeDecay(hours);
    score = noisyOr([score, WEIGHTS.errorStep * strength]);
    factors['errorStep'] = round(strength);
    reasons.push(describeChange(step, step.windowMs));
  }
  if (own.some((l) => l.status === 'confirmed')) {
    status = 'confirmed';
    method = own.find((l) => l.status === 'confirmed')!.method;
  }
  if (
    d.rolledBackAt !== null &&
    d.rolledBackAt >= inc.startedAt &&
    (inc.resolvedAt === null || d.rolledBackAt <= inc.resolvedAt + 3_600_000)
  ) {
    reasons.push(
      `rolled back by deploy #${d.rolledBackBy} ${formatHours((d.rolledBackAt - inc.startedAt) / 3_600_000)} after the incident began`,
    );
    factors['rolledBack'] = 1;
    score = noisyOr([score, 0.8]);
    if (status !== 'confirmed') {
      status = 'confirmed';
      method = 'rollback';
    }
  }
  return { kind: 'deploy', target: String(d.id), score: round(score), status, method, evidence: { reasons, factors } };
}
