import type { z } from 'zod';
import type { AppContext } from '../context.js';
import { UpstreamError, errorMessage } from '../errors.js';
import { ingestGit } from '../ingest/git.js';
import { getSyncState, setSyncState } from '../store/github.js';
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
} from './apply.js';
import { httpRequestCount, type GithubClient } from './client.js';
import { githubError, isNotModified } from './errors.js';
import {
  deploymentSchema,
  deploymentStatusSchema,
  issueSchema,
  jobSchema,
  pullRequestSchema,
  releaseSchema,
  workflowRunSchema,
  type Job,
} from './map.js';

export interface GithubIngestOptions {
  /** owner/name */
  repo: string;
  /** Only deployments of this environment; also the env of incidents from issues. */
  env?: string;
  /** Label marking incident issues; default `incident`. */
  incidentLabel?: string;
  /** Also record published releases as release deploys (for repositories that deploy by release). */
  releases?: boolean;
  /** Page size; default 100 (GitHub's maximum). */
  perPage?: number;
}

export interface ResourceCounts {
  stored: number;
  ignored: number;
  /** not final yet (a running deploy, a draft, a commit not fetched): looked at again next run */
  pending: number;
  /** the API answered 304 Not Modified: nothing changed since the last run */
  unchanged?: boolean;
}

export interface GithubIngestResult {
  repo: string;
  deployments: ResourceCounts;
  releases?: ResourceCounts;
  workflowRuns: ResourceCounts;
  pullRequests: ResourceCounts;
  issues: ResourceCounts;
  /** incidents re-attributed afterwards */
  attributed: number;
  /** HTTP requests made, retries included */
  requests: number;
  warnings: string[];
  ms: number;
}

/** A deployment or draft still open after this long is abandoned: the cursor moves past it. */
const GIVE_UP_PENDING_MS = 7 * 86_400_000;
const SOURCE = 'github';

/**
 * Brings a repository's GitHub side in: incident issues, merged pull requests (with commits and the incidents they
 * fix), deployments (→ deploys with git ranges), optionally releases, and workflow runs (→ builds). Incremental:
 * each resource keeps a cursor and the ETag of its first page in `sync_state`, so a second run with nothing new
 * costs a few 304s (which GitHub does not count against the rate limit). Attribution is refreshed at the end for
 * the incidents that could have changed.
 */
export async function ingestGithub(
  ctx: AppContext,
  client: GithubClient,
  options: GithubIngestOptions,
): Promise<GithubIngestResult> {
  const started = performance.now();
  const [owner, name] = options.repo.split('/') as [string, string];
  const target: GithubTarget = {
    repo: options.repo,
    incidentLabel: options.incidentLabel ?? 'incident',
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
  const requestsBefore = httpRequestCount(client);
  const run: Run = {
    ctx,
    client,
    target,
    owner,
    name,
    perPage: Math.min(100, Math.max(1, options.perPage ?? 100)),
    touched: new Touched(),
    warnings: [],
  };
  // Fix, root-cause and deployed shas must be known commits: read what is new in the clone first.
  let gitReady = true;
  try {
    run.touched.addCommits(await ingestGit(ctx));
  } catch (err) {
    gitReady = false;
    run.warnings.push(
      `deployments and releases skipped: they need a local clone (--repo PATH before 'ingest'): ${errorMessage(err)}`,
    );
  }
  // Issues before pull requests, so a merged "Fixes #12" finds incident #12.
  const issues = await syncIssues(run);
  const pullRequests = await syncPullRequests(run);
  const skipped = { stored: 0, ignored: 0, pending: 0 };
  const deployments = gitReady ? await syncDeployments(run) : skipped;
  const releases = options.releases ? (gitReady ? await syncReleases(run) : skipped) : undefined;
  const workflowRuns = await syncWorkflowRuns(run);
  const attributed = await run.touched.refresh(ctx);
  return {
    repo: options.repo,
    deployments,
    ...(releases ? { releases } : {}),
    workflowRuns,
    pullRequests,
    issues,
    attributed,
    requests: httpRequestCount(client) - requestsBefore,
    warnings: run.warnings,
    ms: Math.round(performance.now() - started),
  };
}

interface Run {
  ctx: AppContext;
  client: GithubClient;
  target: GithubTarget;
  owner: string;
  name: string;
  perPage: number;
  touched: Touched;
  warnings: string[];
}

function tally(counts: ResourceCounts, applied: Applied): void {
  counts[applied.outcome]++;
}

function saveState(run: Run, resource: string, cursor: string | null, etag: string | null): void {
  setSyncState(
    run.ctx.store,
    { source: SOURCE, repo: run.target.repo, resource },
    { cursor, etag, updatedAt: run.ctx.clock() },
  );
}

/**
 * Walks the pages of a list, newest or oldest first as the route sorts, until `onPage` returns false.
 * The first page is conditional on the stored ETag: a 304 means nothing changed (`notModified`).
 */
async function eachPage(
  run: Run,
  route: string,
  params: Record<string, string | number>,
  etag: string | null | undefined,
  what: string,
  onPage: (items: unknown[]) => boolean | Promise<boolean>,
): Promise<{ notModified: boolean; etag: string | null }> {
  let first: string | null = null;
  let isFirst = true;
  try {
    const pages = run.client.paginate.iterator(route, {
      owner: run.owner,
      repo: run.name,
      per_page: run.perPage,
      ...params,
      ...(etag ? { headers: { 'if-none-match': etag } } : {}),
    });
    for await (const page of pages) {
      if (isFirst) first = (page.headers as Record<string, string | undefined>).etag ?? null;
      isFirst = false;
      if (!(await onPage(page.data as unknown[]))) break;
    }
  } catch (err) {
    if (isFirst && isNotModified(err)) return { notModified: true, etag: etag ?? null };
    throw githubError(err, `${what} of ${run.target.repo}`);
  }
  return { notModified: false, etag: first };
}

/** Validates what GitHub sent against the fields we read; a shape we do not understand is an upstream problem. */
function parse<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const res = schema.safeParse(raw);
  if (res.success) return res.data;
  const issue = res.error.issues[0]!;
  throw new UpstreamError(
    'GitHub',
    `unexpected ${what} from the API: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    false,
  );
}

async function syncIssues(run: Run): Promise<ResourceCounts> {
  const resource = `issues:${run.target.incidentLabel}`;
  const state = getSyncState(run.ctx.store, SOURCE, run.target.repo, resource);
  const counts: ResourceCounts = { stored: 0, ignored: 0, pending: 0 };
  let cursor = state?.cursor ?? null;
  const res = await eachPage(
    run,
    'GET /repos/{owner}/{repo}/issues',
    {
      labels: run.target.incidentLabel,
      state: 'all',
      sort: 'updated',
      direction: 'asc',
      ...(state?.cursor ? { since: state.cursor } : {}),
    },
    state?.etag,
    'listing incident issues',
    (items) => {
      for (const raw of items) {
        const issue = parse(issueSchema, raw, 'issue');
        const applied = applyIssue(run.ctx, run.target, issue);
        tally(counts, applied);
        run.touched.add(applied);
        const updated = new Date(issue.updated_at).toISOString();
        if (cursor === null || updated > cursor) cursor = updated;
      }
      return true;
    },
  );
  if (res.notModified) counts.unchanged = true;
  // An ETag names content, so a match on a URL with a newer `since` still means nothing new.
  saveState(run, resource, cursor, res.etag);
  return counts;
}

async function syncPullRequests(run: Run): Promise<ResourceCounts> {
  const state = getSyncState(run.ctx.store, SOURCE, run.target.repo, 'pulls');
  const counts: ResourceCounts = { stored: 0, ignored: 0, pending: 0 };
  const since = state?.cursor ?? null;
  let cursor = since;
  const res = await eachPage(
    run,
    'GET /repos/{owner}/{repo}/pulls',
    { state: 'closed', sort: 'updated', direction: 'desc' },
    state?.etag,
    'listing closed pull requests',
    async (items) => {
      for (const raw of items) {
        const pr = parse(pullRequestSchema, raw, 'pull request');
        const updated = new Date(pr.updated_at).toISOString();
        // Newest update first: everything from here on was seen by the last run.
        if (since !== null && updated < since) return false;
        if (cursor === null || updated > cursor) cursor = updated;
        const commits = pr.merged_at !== null ? await pullCommits(run, pr.number) : undefined;
        const applied = applyPullRequest(run.ctx, run.target, pr, commits);
        tally(counts, applied);
        run.touched.add(applied);
      }
      return true;
    },
  );
  if (res.notModified) counts.unchanged = true;
  saveState(run, 'pulls', cursor, res.etag);
  return counts;
}

async function pullCommits(run: Run, number: number): Promise<string[]> {
  const shas: string[] = [];
  await eachPage(
    run,
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits',
    { pull_number: number },
    undefined,
    `listing the commits of pull request #${number}`,
    (items) => {
      for (const raw of items) shas.push(String((raw as { sha?: unknown }).sha).toLowerCase());
      return true;
    },
  );
  return shas;
}

/**
 * Deployments and releases are listed newest first and carry increasing ids. The cursor is the highest id below
 * which everything is settled; anything still pending keeps the cursor below it, so the next run looks again.
 */
async function syncById<T extends { id: number; created_at: number }>(
  run: Run,
  resource: string,
  route: string,
  params: Record<string, string>,
  schema: z.ZodType<T>,
  apply: (item: T) => Promise<Applied>,
): Promise<ResourceCounts> {
  const state = getSyncState(run.ctx.store, SOURCE, run.target.repo, resource);
  const cursor = Number(state?.cursor ?? 0);
  const counts: ResourceCounts = { stored: 0, ignored: 0, pending: 0 };
  const fresh: T[] = [];
  const res = await eachPage(run, route, params, state?.etag, `listing ${resource}`, (items) => {
    for (const raw of items) {
      const item = parse(schema, raw, resource.replace(/s$/, ''));
      if (item.id <= cursor) return false;
      fresh.push(item);
    }
    return true;
  });
  if (res.notModified) counts.unchanged = true;
  let settled = Math.max(cursor, ...fresh.map((d) => d.id));
  // Oldest first: each deploy's git range starts at the one before it.
  for (const item of fresh.sort((a, b) => a.created_at - b.created_at)) {
    const applied = await apply(item);
    run.touched.add(applied);
    if (applied.outcome === 'pending') {
      if (run.ctx.clock() - item.created_at > GIVE_UP_PENDING_MS) {
        run.warnings.push(`${applied.why}; given up after 7 days`);
        counts.ignored++;
        continue;
      }
      settled = Math.min(settled, item.id - 1);
    }
    tally(counts, applied);
  }
  // Pending items change without changing the list (statuses live elsewhere): no ETag then.
  saveState(run, resource, String(settled), counts.pending === 0 ? res.etag : null);
  return counts;
}

function syncDeployments(run: Run): Promise<ResourceCounts> {
  return syncById(
    run,
    'deployments',
    'GET /repos/{owner}/{repo}/deployments',
    run.target.env !== undefined ? { environment: run.target.env } : {},
    deploymentSchema,
    async (deployment) => {
      const statuses = await listStatuses(run, deployment.id);
      return applyDeployment(run.ctx, run.target, deployment, statuses);
    },
  );
}

async function listStatuses(run: Run, id: number) {
  try {
    // Newest first; the first page holds the latest result.
    const res = await run.client.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: run.owner,
      repo: run.name,
      deployment_id: id,
      per_page: 100,
    });
    return (res.data as unknown[]).map((raw) => parse(deploymentStatusSchema, raw, 'deployment status'));
  } catch (err) {
    throw githubError(err, `listing the statuses of deployment ${id} of ${run.target.repo}`);
  }
}

async function listJobs(run: Run, runId: number): Promise<Job[]> {
  const jobs: Job[] = [];
  await eachPage(
    run,
    'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    { run_id: runId },
    undefined,
    `listing the jobs of workflow run ${runId}`,
    (items) => {
      for (const raw of items) jobs.push(parse(jobSchema, raw, 'workflow job'));
      return true;
    },
  );
  return jobs;
}

function syncReleases(run: Run): Promise<ResourceCounts> {
  return syncById(run, 'releases', 'GET /repos/{owner}/{repo}/releases', {}, releaseSchema, (release) =>
    applyRelease(run.ctx, run.target, release),
  );
}

/** Runs created since the oldest run that was still going last time (or the newest seen). */
async function syncWorkflowRuns(run: Run): Promise<ResourceCounts> {
  const state = getSyncState(run.ctx.store, SOURCE, run.target.repo, 'workflow_runs');
  const counts: ResourceCounts = { stored: 0, ignored: 0, pending: 0 };
  let newest = state?.cursor ?? null;
  let oldestRunning: string | null = null;
  const res = await eachPage(
    run,
    'GET /repos/{owner}/{repo}/actions/runs',
    state?.cursor ? { created: `>=${state.cursor}` } : {},
    state?.etag,
    'listing workflow runs',
    async (items) => {
      for (const raw of items) {
        const wr = parse(workflowRunSchema, raw, 'workflow run');
        tally(counts, applyWorkflowRun(run.ctx, run.target, wr));
        // Which check failed and at which step: the run itself says only that it failed.
        if (wr.status === 'completed') applyJobs(run.ctx, run.target, await listJobs(run, wr.id));
        const created = new Date(wr.created_at).toISOString().replace(/\.000Z$/, 'Z');
        if (newest === null || created > newest) newest = created;
        if (wr.status !== 'completed' && (oldestRunning === null || created < oldestRunning)) oldestRunning = created;
      }
      return true;
    },
  );
  if (res.notModified) counts.unchanged = true;
  const cursor = oldestRunning ?? newest;
  saveState(run, 'workflow_runs', cursor, res.etag);
  return counts;
}
