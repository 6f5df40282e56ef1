import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { createGithubClient, type GithubClient } from '../../src/github/client.js';
import { ingestGithub } from '../../src/github/ingest.js';
import { getIncidentBySource, listIncidentFiles } from '../../src/store/incidents.js';
import { getPullRequest, getSyncState, pullRequestCommits } from '../../src/store/github.js';
import { testContext } from '../helpers/context.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import { gitdir } from '../helpers/gitdir.js';

const doubles: GithubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) {
    // Every request the code made must have been one GitHub accepts.
    expect(d.violations).toEqual([]);
    await d.close();
  }
});

function history() {
  const g = gitdir();
  const shas: string[] = [];
  for (let i = 1; i <= 6; i++) {
    shas.push(
      g.commit({
        files: { [`src/payments/f${i}.ts`]: `export const v = ${i};\nexport const w = ${i};\n` },
        message: `feat: step ${i}`,
        date: `2026-01-0${i}T08:00:00Z`,
      }),
    );
  }
  g.git('tag', 'v1.0', shas[2]!);
  return { g, shas };
}

/** A GitHub Enterprise-style double (/api/v3) holding a small but complete story. */
async function scenario(shas: string[]) {
  const gh = await startGithubDouble({ prefix: '/api/v3' });
  doubles.push(gh);
  const ids = {
    d1: gh.addDeployment({
      sha: shas[1]!,
      createdAt: '2026-01-02T10:00:00Z',
      statuses: [
        { state: 'in_progress', at: '2026-01-02T10:01:00Z' },
        { state: 'success', at: '2026-01-02T10:05:00Z' },
      ],
    }),
    // Superseded by a later deploy: still a success.
    d2: gh.addDeployment({
      sha: shas[3]!,
      createdAt: '2026-01-04T10:00:00Z',
      statuses: [
        { state: 'success', at: '2026-01-04T10:05:00Z' },
        { state: 'inactive', at: '2026-01-06T10:05:00Z' },
      ],
    }),
    d3: gh.addDeployment({
      sha: shas[4]!,
      createdAt: '2026-01-05T10:00:00Z',
      statuses: [{ state: 'error', at: '2026-01-05T10:03:00Z' }],
    }),
    staging: gh.addDeployment({
      sha: shas[4]!,
      environment: 'staging',
      createdAt: '2026-01-05T09:00:00Z',
      statuses: [{ state: 'success', at: '2026-01-05T09:03:00Z' }],
    }),
    running: gh.addDeployment({
      sha: shas[5]!,
      createdAt: '2099-01-06T10:00:00Z',
      statuses: [{ state: 'in_progress', at: '2099-01-06T10:01:00Z' }],
    }),
  };
  gh.addIssue({
    number: 1,
    title: 'Checkout times out',
    labels: ['incident', 'sev1', 'service: payments'],
    body: [
      'Payments time out at checkout.',
      '',
      `root cause: ${shas[3]!.slice(0, 10)}`,
      '',
      '```',
      'Error: timeout',
      '    at charge (src/payments/f4.ts:2:10)',
      '    at node:internal/process/task_queues:95:5',
      '```',
    ].join('\n'),
    state: 'closed',
    createdAt: '2026-01-04T12:00:00Z',
    updatedAt: '2026-01-05T11:00:00Z',
    closedAt: '2026-01-04T15:00:00Z',
  });
  gh.addIssue({ number: 2, title: 'Typo in footer', labels: ['bug'], createdAt: '2026-01-04T13:00:00Z' });
  gh.addIssue({
    number: 5,
    title: 'A pull request labeled incident',
    labels: ['incident'],
    pullRequest: true,
    createdAt: '2026-01-05T13:00:00Z',
  });
  gh.addPull({
    number: 3,
    title: 'Raise the checkout timeout',
    body: 'Fixes #1',
    state: 'closed',
    headRef: 'fix/timeout',
    createdAt: '2026-01-05T08:00:00Z',
    updatedAt: '2026-01-05T09:00:00Z',
    mergedAt: '2026-01-05T09:00:00Z',
    mergeSha: shas[4]!,
    commits: [shas[4]!],
  });
  gh.addPull({
    number: 4,
    title: 'Abandoned idea',
    state: 'closed',
    headRef: 'idea',
    createdAt: '2026-01-03T08:00:00Z',
    updatedAt: '2026-01-03T09:00:00Z',
    closedAt: '2026-01-03T09:00:00Z',
  });
  gh.addRun({
    headSha: shas[3]!,
    status: 'completed',
    conclusion: 'success',
    createdAt: '2026-01-04T09:00:00Z',
    updatedAt: '2026-01-04T09:07:30Z',
  });
  gh.addRun({ headSha: shas[5]!, status: 'in_progress', createdAt: '2026-01-06T09:00:00Z' });
  gh.addRelease({ tag: 'v1.0', createdAt: '2026-01-03T09:00:00Z', publishedAt: '2026-01-03T09:30:00Z' });
  gh.addRelease({ tag: 'v1.1-rc', createdAt: '2026-01-05T09:00:00Z', prerelease: true });
  return { gh, ids };
}

function client(gh: GithubDouble, token = gh.token): Promise<GithubClient> {
  return createGithubClient({ token, baseUrl: gh.baseUrl, retryAfterBaseMs: 1 });
}

type Ctx = ReturnType<typeof testContext>;
const deploys = (ctx: Ctx) =>
  ctx.store
    .prepare(
      `SELECT external_id AS id, source, env, status, sha, prev_deploy_id AS prev,
              (SELECT count(*) FROM deploy_commits c WHERE c.deploy_id = d.id) AS commits
       FROM deploys d ORDER BY finished_at`,
    )
    .all() as { id: string; source: string; env: string; status: string; sha: string; prev: number; commits: number }[];

describe('ingest github', () => {
  it('maps deployments, incident issues, merged pull requests, runs and releases onto the domain', async () => {
    const { g, shas } = history();
    const { gh, ids } = await scenario(shas);
    const ctx = testContext(g.path);
    const res = await ingestGithub(ctx, await client(gh), { repo: 'acme/shop', releases: true, perPage: 2 });

    expect(deploys(ctx)).toEqual([
      {
        id: String(ids.d1),
        source: 'github',
        env: 'production',
        status: 'success',
        sha: shas[1],
        prev: null,
        commits: 2,
      },
      {
        id: expect.any(String),
        source: 'github-release',
        env: 'production',
        status: 'success',
        sha: shas[2],
        prev: expect.any(Number),
        commits: 1,
      },
      {
        id: String(ids.d2),
        source: 'github',
        env: 'production',
        status: 'success',
        sha: shas[3],
        prev: expect.any(Number),
        commits: 1,
      },
      {
        id: String(ids.staging),
        source: 'github',
        env: 'staging',
        status: 'success',
        sha: shas[4],
        prev: null,
        commits: 5,
      },
      {
        id: String(ids.d3),
        source: 'github',
        env: 'production',
        status: 'failure',
        sha: shas[4],
        prev: expect.any(Number),
        commits: 1,
      },
    ]);
    expect(res.deployments).toEqual({ stored: 4, ignored: 0, pending: 1 });
    expect(res.releases).toEqual({ stored: 1, ignored: 1, pending: 0 });

    const incident = getIncidentBySource(ctx.store, 'github', 'acme/shop#1')!;
    expect(incident).toMatchObject({
      title: 'Checkout times out',
      severity: 'SEV1',
      service: 'payments',
      status: 'resolved',
      startedAt: Date.parse('2026-01-04T12:00:00Z'),
      resolvedAt: Date.parse('2026-01-04T15:00:00Z'),
      rootCauseSha: shas[3], // resolved from the short sha in the body
      fixSha: shas[4], // the merge sha of the PR that says "Fixes #1"
      url: 'https://github.com/acme/shop/issues/1',
    });
    // Frames come from the fenced trace; runtime frames are dropped.
    expect(listIncidentFiles(ctx.store, incident.id).map((f) => `${f.path}:${f.line}`)).toEqual([
      'src/payments/f4.ts:2',
    ]);
    expect(res.issues).toEqual({ stored: 1, ignored: 1, pending: 0 });

    expect(getPullRequest(ctx.store, 'acme/shop', 3)).toMatchObject({
      state: 'merged',
      mergeSha: shas[4],
      headRef: 'fix/timeout',
    });
    expect(pullRequestCommits(ctx.store, 'acme/shop', 3)).toEqual([shas[4]]);
    expect(getPullRequest(ctx.store, 'acme/shop', 4)).toMatchObject({ state: 'closed', mergeSha: null });

    const builds = ctx.store
      .prepare('SELECT head_sha, status, conclusion, duration_ms FROM builds ORDER BY started_at')
      .all();
    expect(builds).toEqual([
      { head_sha: shas[3], status: 'completed', conclusion: 'success', duration_ms: 450_000 },
      { head_sha: shas[5], status: 'in_progress', conclusion: null, duration_ms: null },
    ]);

    // Attribution ran: the root cause named in the issue is a confirmed cause.
    const link = ctx.store
      .prepare("SELECT status, method FROM incident_links WHERE incident_id = ? AND kind = 'commit' AND target = ?")
      .get(incident.id, shas[3]) as { status: string; method: string };
    expect(link.status).toBe('confirmed');
    expect(res.attributed).toBeGreaterThan(0);
    // perPage 2: lists were followed over their Link headers.
    expect(gh.requests.some((r) => r.query['page'] === '2')).toBe(true);
    expect(gh.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
  });

  it('is incremental: a second run asks with ETags and cursors, and picks up a deploy that finished since', async () => {
    const { g, shas } = history();
    const { gh, ids } = await scenario(shas);
    const ctx = testContext(g.path);
    const octokit = await client(gh);
    await ingestGithub(ctx, octokit, { repo: 'acme/shop' });
    expect(getSyncState(ctx.store, 'github', 'acme/shop', 'deployments')?.cursor).toBe(String(ids.running - 1));

    const before = gh.requests.length;
    const again = await ingestGithub(ctx, octokit, { repo: 'acme/shop' });
    const second = gh.requests.slice(before);
    // `since` is the newest update seen (the PR listed among issues counts too); nothing new is stored.
    expect(second.find((r) => r.operationId === 'issues/list-for-repo')?.query['since']).toBe(
      '2026-01-05T13:00:00.000Z',
    );
    expect(again.issues).toEqual({ stored: 0, ignored: 1, pending: 0 });
    expect(again.pullRequests.unchanged).toBe(true); // 304 on the stored ETag
    expect(again.workflowRuns.stored).toBe(1); // the run still in progress is asked for again
    expect(second.find((r) => r.operationId === 'actions/list-workflow-runs-for-repo')?.query['created']).toBe(
      '>=2026-01-06T09:00:00Z',
    );
    // Only the pending deployment's statuses are fetched again.
    expect(second.filter((r) => r.operationId === 'repos/list-deployment-statuses')).toHaveLength(1);
    expect(deploys(ctx)).toHaveLength(4);

    gh.addDeploymentStatus(ids.running, 'success', '2099-01-06T10:09:00Z');
    const third = await ingestGithub(ctx, octokit, { repo: 'acme/shop' });
    expect(third.issues.unchanged).toBe(true);
    expect(third.deployments).toEqual({ stored: 1, ignored: 0, pending: 0 });
    expect(deploys(ctx).at(-1)).toMatchObject({ id: String(ids.running), status: 'success', sha: shas[5] });
    expect(getSyncState(ctx.store, 'github', 'acme/shop', 'deployments')?.cursor).toBe(String(ids.running));
    // Settled: the fourth run is all 304s and cursors.
    const from = gh.requests.length;
    const fourth = await ingestGithub(ctx, octokit, { repo: 'acme/shop' });
    expect(fourth.deployments.unchanged).toBe(true);
    expect(gh.requests.slice(from).filter((r) => r.status === 304).length).toBeGreaterThanOrEqual(3);
  });

  it('restricts deployments to --env and names the environment of incidents', async () => {
    const { g, shas } = history();
    const { gh } = await scenario(shas);
    const ctx = testContext(g.path);
    await ingestGithub(ctx, await client(gh), { repo: 'acme/shop', env: 'staging' });
    expect(deploys(ctx).map((d) => d.env)).toEqual(['staging']);
    expect(getIncidentBySource(ctx.store, 'github', 'acme/shop#1')?.env).toBe('staging');
    expect(gh.requests.find((r) => r.operationId === 'repos/list-deployments')?.query['environment']).toBe('staging');
  });

  it('survives primary and secondary rate limits and a 502, and counts the retries', async () => {
    const { g, shas } = history();
    const { gh } = await scenario(shas);
    const ctx = testContext(g.path);
    gh.rateLimit({ kind: 'primary', status: 403 });
    gh.rateLimit({ kind: 'secondary', status: 429 });
    gh.failNext(502);
    const res = await ingestGithub(ctx, await client(gh), { repo: 'acme/shop' });
    expect(gh.requests.slice(0, 4).map((r) => r.status)).toEqual([403, 429, 502, 200]);
    expect(res.issues.stored).toBe(1);
    expect(res.requests).toBe(gh.requests.length);
    expect(deploys(ctx)).toHaveLength(4);
  });

  it('says what failed and whether a retry helps, without printing the token', async () => {
    const { g, shas } = history();
    const { gh } = await scenario(shas);
    const ctx = testContext(g.path);
    const bad = 'ghp_wrong_token_that_must_not_leak';
    const err = await ingestGithub(ctx, await client(gh, bad), { repo: 'acme/shop' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).retryable).toBe(false);
    expect((err as Error).message).toMatch(
      /listing incident issues of acme\/shop failed: the token was rejected \(401/,
    );
    expect(JSON.stringify(err) + String((err as Error).stack) + ctx.logs.join('\n')).not.toContain(bad);

    const missing = await ingestGithub(ctx, await client(gh), { repo: 'acme/nope' }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/not found \(404\); check --repo owner\/name/);

    gh.failNext(503, 10);
    const down = await ingestGithub(ctx, await client(gh), { repo: 'acme/shop' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(UpstreamError);
    expect((down as UpstreamError).retryable).toBe(true);
  });
});
