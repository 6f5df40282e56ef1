import { z } from 'zod';
import type { AppContext } from '../context.js';
import { errorMessage } from '../errors.js';
import { gitFor } from '../git.js';
import {
  applyDeployment,
  applyIssue,
  applyJobs,
  applyPullRequest,
  applyRelease,
  applyWorkflowRun,
  Touched,
  type Applied,
  type GithubTarget,
} from '../github/apply.js';
import type { GithubClient } from '../github/client.js';
import { githubError } from '../github/errors.js';
import {
  deployOutcome,
  deploymentSchema,
  deploymentStatusSchema,
  issueSchema,
  jobSchema,
  pullRequestSchema,
  releaseSchema,
  workflowRunSchema,
} from '../github/map.js';
import { ingestGit, type IngestGitResult } from '../ingest/git.js';
import { hasDelivery, recordDelivery } from '../store/github.js';
import { HttpError, header, parseJson, parseShape, type WebhookAnswer, type WebhookRequest } from '../http.js';

export interface GithubWebhookOptions {
  /** The shared secret GitHub signs deliveries with (X-Hub-Signature-256). */
  secret: string;
  /** Only deliveries of this owner/name are used (default: any repository, by the payload's full_name). */
  repo?: string;
  incidentLabel?: string;
  env?: string;
  /** Published releases are deploys (repositories that deploy by release). */
  releases?: boolean;
  /** When given, a merged pull request's commits are fetched from the API. */
  client?: GithubClient;
}

/** Checks X-Hub-Signature-256 with the shared secret; `@octokit/webhooks` does the HMAC in constant time. */
export type SignatureCheck = (payload: string, signature: string) => Promise<boolean>;

export async function githubSignatureCheck(secret: string): Promise<SignatureCheck> {
  const { Webhooks } = await import('@octokit/webhooks');
  const webhooks = new Webhooks({ secret });
  return (payload, signature) => webhooks.verify(payload, signature).catch(() => false);
}

const ISSUE_ACTIONS = new Set(['opened', 'edited', 'closed', 'reopened', 'labeled', 'unlabeled', 'transferred']);

const repositorySchema = z.object({ repository: z.object({ full_name: z.string() }).optional() });

/**
 * POST /webhooks/github. 401 (nothing stored) unless the signature matches; a delivery id already handled is
 * answered 200 without effect. Pending outcomes (a deploy of a commit not fetched yet) are not recorded as
 * delivered, so GitHub's "redeliver" tries again.
 */
export async function handleGithubWebhook(
  ctx: AppContext,
  req: WebhookRequest,
  options: GithubWebhookOptions,
  verify: SignatureCheck,
): Promise<WebhookAnswer> {
  const signature = header(req.headers, 'x-hub-signature-256');
  const payloadText = req.body.toString('utf8');
  if (!signature || !(await verify(payloadText, signature))) {
    throw new HttpError(
      401,
      signature
        ? 'X-Hub-Signature-256 does not match: the webhook secret differs from HINDSIGHT_WEBHOOK_SECRET'
        : 'X-Hub-Signature-256 is missing: set the webhook secret in the GitHub webhook settings',
    );
  }
  const event = header(req.headers, 'x-github-event');
  const delivery = header(req.headers, 'x-github-delivery');
  if (!event) throw new HttpError(400, 'X-GitHub-Event header is missing');
  if (!delivery) throw new HttpError(400, 'X-GitHub-Delivery header is missing');
  if (hasDelivery(ctx.store, delivery)) return { status: 200, body: { outcome: 'duplicate', delivery } };

  const payload = parseJson(req.body);
  const repo = parseShape(repositorySchema, payload, `${event} payload`).repository?.full_name;
  const touched = new Touched();
  let applied: Applied;
  if (options.repo && repo && repo.toLowerCase() !== options.repo.toLowerCase()) {
    applied = { outcome: 'ignored', why: `${repo} is not ${options.repo}` };
  } else {
    const target: GithubTarget = {
      repo: options.repo ?? repo ?? '',
      incidentLabel: options.incidentLabel ?? 'incident',
      ...(options.env !== undefined ? { env: options.env } : {}),
    };
    applied = await dispatch(ctx, event, payload, target, options, touched);
  }
  if (applied.outcome !== 'pending') {
    recordDelivery(ctx.store, {
      deliveryId: delivery,
      source: 'github',
      event,
      receivedAt: ctx.clock(),
      outcome: applied.outcome === 'stored' ? 'stored' : `ignored: ${applied.why}`,
    });
  }
  touched.add(applied);
  await touched.refresh(ctx);
  return {
    status: applied.outcome === 'pending' ? 202 : 200,
    body: { outcome: applied.outcome, delivery, event, ...(applied.outcome !== 'stored' ? { why: applied.why } : {}) },
  };
}

async function dispatch(
  ctx: AppContext,
  event: string,
  payload: unknown,
  target: GithubTarget,
  options: GithubWebhookOptions,
  touched: Touched,
): Promise<Applied> {
  const shape = <S extends z.ZodType>(schema: S) => parseShape(schema, payload, `${event} payload`);
  switch (event) {
    case 'deployment_status': {
      const p = shape(z.object({ deployment: deploymentSchema, deployment_status: deploymentStatusSchema }));
      const state = p.deployment_status.state;
      // One status at a time here: `inactive` only says a later deploy superseded this one, and a running deploy
      // sends another status when it ends.
      if (state === 'inactive') {
        return { outcome: 'ignored', why: `deployment ${p.deployment.id} was superseded; it stays as recorded` };
      }
      if (deployOutcome([p.deployment_status]).kind !== 'final') {
        return { outcome: 'ignored', why: `deployment ${p.deployment.id} is ${state}; recorded when it ends` };
      }
      return applyDeployment(ctx, target, p.deployment, [p.deployment_status]);
    }
    case 'workflow_run':
      return applyWorkflowRun(ctx, target, shape(z.object({ workflow_run: workflowRunSchema })).workflow_run);
    case 'workflow_job': {
      // The release review's checks: a finished job, with the step that failed.
      const { workflow_job: job } = shape(z.object({ workflow_job: jobSchema }));
      if (job.status !== 'completed') return { outcome: 'ignored', why: `job ${job.id} is ${job.status}` };
      applyJobs(ctx, target, [job]);
      return { outcome: 'stored' };
    }
    case 'release': {
      if (!options.releases)
        return { outcome: 'ignored', why: 'releases are not deploys here (serve with --releases)' };
      const { release } = shape(z.object({ release: releaseSchema }));
      // Drafts send another event when published.
      if (release.draft) return { outcome: 'ignored', why: `release ${release.tag_name} is a draft` };
      return applyRelease(ctx, target, release);
    }
    case 'pull_request': {
      const pr = shape(z.object({ pull_request: pullRequestSchema })).pull_request;
      const commits =
        pr.merged_at !== null && options.client ? await pullCommits(options.client, target, pr.number) : undefined;
      return applyPullRequest(ctx, target, pr, commits);
    }
    case 'issues': {
      const { action } = shape(z.object({ action: z.string() }));
      // Pinning, locking, assigning … change nothing we keep (and their payloads carry a partial issue).
      if (!ISSUE_ACTIONS.has(action)) return { outcome: 'ignored', why: `issues.${action} changes nothing we keep` };
      return applyIssue(ctx, target, shape(z.object({ issue: issueSchema })).issue);
    }
    case 'push': {
      shape(z.object({ ref: z.string(), after: z.string() }));
      const ingested = await fetchAndIngest(ctx);
      touched.addCommits(ingested);
      return ingested.added > 0
        ? { outcome: 'stored' }
        : { outcome: 'ignored', why: 'no new commits in the local clone' };
    }
    case 'deployment':
      return { outcome: 'ignored', why: 'a deployment is recorded when its deployment_status is final' };
    case 'ping':
      return { outcome: 'ignored', why: 'ping' };
    default:
      return { outcome: 'ignored', why: `${event} events are not used` };
  }
}

async function pullCommits(client: GithubClient, target: GithubTarget, number: number): Promise<string[]> {
  const [owner = '', repo = ''] = target.repo.split('/');
  try {
    const commits = await client.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', {
      owner,
      repo,
      pull_number: number,
      per_page: 100,
    });
    return commits.map((c) => c.sha.toLowerCase());
  } catch (err) {
    throw githubError(err, `listing the commits of pull request #${number} of ${target.repo}`);
  }
}

/** A push: fetch into the local clone when it has a remote (best effort), then read the new commits. */
async function fetchAndIngest(ctx: AppContext): Promise<IngestGitResult> {
  const git = gitFor(ctx.config.repoPath);
  try {
    if ((await git.raw(['remote'])).trim() !== '') await git.raw(['fetch', '--quiet', '--tags']);
  } catch (err) {
    ctx.log(`hindsight: git fetch after a push failed (ingesting what is local): ${errorMessage(err)}`);
  }
  return ingestGit(ctx);
}
