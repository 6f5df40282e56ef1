import { mergeNewCommits, refreshAttribution, type NewCommits } from '../attribution/refresh.js';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { recordDeploy } from '../ingest/deploys.js';
import type { DeployRow } from '../store/deploys.js';
import { replacePullRequestCommits, upsertBuild, upsertPullRequest } from '../store/github.js';
import { settleLoopFix } from '../store/loop-fixes.js';
import { withTransaction } from '../store/transaction.js';
import { replaceDeployGates, upsertBuildJobs } from '../store/release.js';
import { upsertIncidentRow } from './incidents.js';
import {
  approvalWaits,
  closedIssues,
  deployOutcome,
  envName,
  hasLabel,
  issueIncidentId,
  issueToIncidentRow,
  toBuildRow,
  toJobRow,
  toPullRequestRow,
  type Deployment,
  type DeploymentStatus,
  type Issue,
  type Job,
  type PullRequest,
  type Release,
  type WorkflowRun,
} from './map.js';

// One GitHub object → our rows. The ingest (REST pages) and the webhook server (payloads) both land here.

/** Which repository the objects belong to and how to read them. */
export interface GithubTarget {
  /** owner/name */
  repo: string;
  /** Only deployments of this environment; also the env of incidents from issues (default: config env). */
  env?: string;
  /** The label that marks an issue as an incident. */
  incidentLabel: string;
}

/** stored: rows written; ignored: nothing to store, ever; pending: not final yet, look again later. */
export type Applied =
  | { outcome: 'stored'; deploys?: DeployRow[]; incidentIds?: number[]; newCommits?: NewCommits }
  | { outcome: 'ignored' | 'pending'; why: string };

/** A deployment (with its statuses, newest first) → a deploy with its git range, once it has finished. */
export async function applyDeployment(
  ctx: AppContext,
  target: GithubTarget,
  deployment: Deployment,
  statuses: readonly DeploymentStatus[],
): Promise<Applied> {
  const env = envName(deployment.environment);
  if (target.env !== undefined && env !== target.env) {
    return { outcome: 'ignored', why: `deployment ${deployment.id} is to ${env}, not ${target.env}` };
  }
  const result = deployOutcome(statuses);
  if (result.kind === 'pending') return { outcome: 'pending', why: `deployment ${deployment.id} is ${result.why}` };
  if (result.kind === 'never') return { outcome: 'ignored', why: `deployment ${deployment.id} was ${result.why}` };
  const applied = await record(ctx, `commit ${deployment.sha.slice(0, 12)} of deployment ${deployment.id}`, {
    ref: deployment.sha,
    env,
    status: result.status,
    startedAt: Math.min(deployment.created_at, result.at),
    finishedAt: result.at,
    source: 'github',
    externalId: String(deployment.id),
  });
  // Time spent waiting for a reviewer (environment protection), for the release review.
  const deploy = applied.outcome === 'stored' ? applied.deploys?.[0] : undefined;
  if (deploy) replaceDeployGates(ctx.store, deploy.id, approvalWaits(statuses));
  return applied;
}

/** A published release → a release deploy of its tag (for repositories that deploy by release). */
export async function applyRelease(ctx: AppContext, target: GithubTarget, release: Release): Promise<Applied> {
  if (release.draft || release.published_at === null) {
    return { outcome: 'pending', why: `release ${release.tag_name} is a draft` };
  }
  if (release.prerelease) return { outcome: 'ignored', why: `release ${release.tag_name} is a pre-release` };
  return record(ctx, `tag ${release.tag_name}`, {
    ref: release.tag_name,
    env: target.env ?? ctx.config.env,
    status: 'success',
    finishedAt: release.published_at,
    source: 'github-release',
    externalId: String(release.id),
  });
}

async function record(ctx: AppContext, what: string, input: Parameters<typeof recordDeploy>[1]): Promise<Applied> {
  try {
    const res = await recordDeploy(ctx, input);
    if (!res.created) return { outcome: 'ignored', why: `${input.source} deploy ${input.externalId} already recorded` };
    return {
      outcome: 'stored',
      deploys: [res.deploy, ...res.rolledBack],
      ...(res.ingested ? { newCommits: res.ingested } : {}),
    };
  } catch (err) {
    // The local clone lags behind GitHub: try again after the next fetch (a push webhook triggers one).
    if (err instanceof UserInputError && err.field === 'sha') {
      return { outcome: 'pending', why: `${what} is not in ${ctx.config.repoPath} yet; git fetch, then retry` };
    }
    throw err;
  }
}

export function applyJobs(ctx: AppContext, target: GithubTarget, jobs: readonly Job[]): void {
  upsertBuildJobs(
    ctx.store,
    jobs.map((j) => toJobRow(target.repo, j)),
  );
}

export function applyWorkflowRun(ctx: AppContext, target: GithubTarget, run: WorkflowRun): Applied {
  upsertBuild(ctx.store, toBuildRow(target.repo, run));
  return { outcome: 'stored' };
}

/**
 * A pull request (and, when given, its commits). A merged one whose body closes an incident issue
 * (`Fixes #12`) gives that incident its fix sha: the merge commit.
 */
export function applyPullRequest(
  ctx: AppContext,
  target: GithubTarget,
  pr: PullRequest,
  commits?: readonly string[],
): Applied {
  const row = toPullRequestRow(target.repo, pr);
  return withTransaction(ctx.store, (): Applied => {
    upsertPullRequest(ctx.store, row);
    if (commits) replacePullRequestCommits(ctx.store, target.repo, pr.number, commits);
    // A structural fix opened by `hindsight loop` settles when its pull request does (Feedback-to-Demo).
    const ref = { prNumber: pr.number, ...(row.headRef ? { branch: row.headRef } : {}) };
    if (row.state === 'merged' && row.mergedAt !== null) settleLoopFix(ctx.store, ref, 'merged', row.mergedAt);
    else if (row.state === 'closed' && row.closedAt !== null) settleLoopFix(ctx.store, ref, 'rejected', row.closedAt);
    const incidentIds: number[] = [];
    if (row.state === 'merged' && row.mergeSha) {
      for (const n of closedIssues(target.repo, pr.body)) {
        const res = upsertIncidentRow(
          ctx,
          { id: issueIncidentId(target.repo, n), fix_sha: row.mergeSha },
          { defaultSource: 'github', required: [], onlyExisting: true },
        );
        if (res?.changed) incidentIds.push(res.id);
      }
    }
    return { outcome: 'stored', incidentIds };
  });
}

/** An issue with the incident label → an incident (`owner/name#12`, source github). */
export function applyIssue(ctx: AppContext, target: GithubTarget, issue: Issue): Applied {
  if (issue.pull_request !== undefined) return { outcome: 'ignored', why: `#${issue.number} is a pull request` };
  if (!hasLabel(issue, target.incidentLabel)) {
    return { outcome: 'ignored', why: `issue #${issue.number} is not labeled ${target.incidentLabel}` };
  }
  const res = upsertIncidentRow(ctx, issueToIncidentRow(target.repo, issue, target.env ?? ctx.config.env), {
    defaultSource: 'github',
    clearWhenAbsent: ['resolvedAt'],
  })!;
  return { outcome: 'stored', incidentIds: res.changed ? [res.id] : [] };
}

/** What a run touched, so attribution refreshes only the incidents that could have changed. */
export class Touched {
  readonly incidentIds = new Set<number>();
  /** New deploys (and those they rolled back): attribution decides which incidents they can change. */
  readonly deploys: DeployRow[] = [];
  /** What git ingests added: attribution decides which incidents they can change. */
  newCommits: NewCommits | undefined;

  addCommits(ingested: NewCommits): void {
    if (ingested.added > 0) this.newCommits = mergeNewCommits(this.newCommits, ingested);
  }

  add(applied: Applied): void {
    if (applied.outcome !== 'stored') return;
    for (const id of applied.incidentIds ?? []) this.incidentIds.add(id);
    this.deploys.push(...(applied.deploys ?? []));
    if (applied.newCommits) this.addCommits(applied.newCommits);
  }

  async refresh(ctx: AppContext): Promise<number> {
    const res = await refreshAttribution(ctx, {
      incidentIds: [...this.incidentIds],
      deploys: this.deploys,
      ...(this.newCommits ? { newCommits: this.newCommits } : {}),
    });
    return res.incidents;
  }
}
