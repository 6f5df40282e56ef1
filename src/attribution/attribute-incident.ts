import type { AppContext } from '../context.js';
import { replaceLinks } from '../store/links.js';
import { commitFacts, fillCommitFacts, gatherCandidates, loadIncident, type IncidentFacts } from './candidates.js';
import { applyConfirmation } from './confirm-link.js';
import { confirmations, type Confirmation } from './confirmations.js';
import { byRank, type Link } from './link.js';
import { AttributionMemo } from './memo.js';
import { MIN_SCORE } from './score.js';
import { scoreDeploy } from './score-deploy.js';
import { scoreSuspects, suspectCalibration } from './score-suspects.js';
import { changeTestOptions, errorRateStep } from '../history/signal-change.js';

const MAX_COMMIT_LINKS = 25;
const MAX_DEPLOY_LINKS = 10;

/**
 * Computes and stores the links of one incident: shipped changes ranked as suspects, and confirmed causes from a
 * root-cause sha, a fix (blamed at its parent), a revert, a rollback or a recurrence. Links a human rejected stay
 * rejected. A newly confirmed cause also explains the earlier occurrences of the same failure: they are marked
 * pending in the same transaction, for refreshAttribution to pick up.
 */
export async function attributeIncident(
  ctx: AppContext,
  incidentId: number,
  memo = new AttributionMemo(ctx.store),
): Promise<Link[]> {
  const incident = loadIncident(ctx, incidentId);
  if (!incident) return [];
  const links = await computeLinks(ctx, incident, memo);
  const explains = links.some(
    (l) => l.status === 'confirmed' && (l.method === 'fix-blame' || l.method === 'root-cause'),
  );
  const earlier = explains ? memo.failures.earlierOccurrences(incident).map((r) => r.id) : [];
  replaceLinks(ctx.store, incidentId, links, ctx.clock(), earlier);
  memo.failures.linksChanged(incidentId);
  return links;
}

/** The incident's links: scored candidates with their confirmations folded in, and the deploys that shipped them. */
async function computeLinks(ctx: AppContext, inc: IncidentFacts, memo: AttributionMemo): Promise<Link[]> {
  const { deploys, commits } = gatherCandidates(ctx, inc, {}, memo);
  const links = new Map<string, Link>();
  const key = (l: Pick<Link, 'kind' | 'target'>) => `${l.kind}:${l.target}`;
  const confirmed = await confirmations(ctx, inc, memo.failures);
  const bySha = new Map<string, Confirmation>();
  for (const c of confirmed.commits) if (!bySha.has(c.sha)) bySha.set(c.sha, c);
  for (const c of confirmed.commits) {
    if (!commits.has(c.sha)) {
      const facts = commitFacts(ctx, c.sha, inc);
      if (facts) commits.set(c.sha, facts);
    }
  }

  fillCommitFacts(ctx, commits, undefined, memo);
  for (const link of scoreSuspects(inc, commits, suspectCalibration(ctx, inc, memo))) {
    // Kept by the model's score, so calibration changes what a score says, not which suspects are kept.
    const kept = (link.evidence.factors['model'] ?? link.score) >= MIN_SCORE;
    const conf = bySha.get(link.target);
    if (conf) applyConfirmation(link, conf);
    if (kept || link.status === 'confirmed') links.set(key(link), link);
  }

  const commitLinks = [...links.values()].sort(byRank).slice(0, MAX_COMMIT_LINKS);
  // The deploy that shipped a confirmed cause is a link too, however long before the incident it was.
  for (const l of commitLinks) {
    const d = l.status === 'confirmed' ? commits.get(l.target)?.deploy : undefined;
    if (d && !deploys.some((x) => x.id === d.id)) deploys.push(d);
  }
  const deployLinks = deploys
    .map((d) =>
      scoreDeploy(
        inc,
        d,
        commitLinks,
        commits,
        memo.hasSignals(inc.env)
          ? errorRateStep(ctx.store, { ...inc, at: d.finishedAt }, changeTestOptions(ctx.config))
          : undefined,
      ),
    )
    .filter((l) => l.score >= MIN_SCORE || l.status === 'confirmed')
    .sort(byRank)
    .slice(0, MAX_DEPLOY_LINKS);
  const notes = confirmed.notes;
  if (notes.length > 0 && commitLinks[0]) commitLinks[0].evidence.reasons.push(...notes.map((n) => `note: ${n}`));
  return [...commitLinks, ...deployLinks];
}
