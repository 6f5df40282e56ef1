import { afterEach, describe, expect, it } from 'vitest';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { rejectCause } from '../../src/attribution/reject.js';
import { createGithubClient } from '../../src/github/client.js';
import { notify } from '../../src/notify/run.js';
import { marker } from '../../src/notify/body.js';
import { notificationsOf } from '../../src/store/notifications.js';
import { upsertPullRequest } from '../../src/store/github.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import { seeder } from '../helpers/seed.js';
import { PAYMENTS_INCIDENT, importJson, paymentsStory } from '../helpers/stories.js';

// The write-back: the causing pull request hears about its incident once, GitHub faked only at HTTP level.
const doubles: GithubDouble[] = [];
afterEach(async () => {
  for (const gh of doubles.splice(0)) {
    expect(gh.violations).toEqual([]);
    await gh.close();
  }
});

const INCIDENT = PAYMENTS_INCIDENT;

/** The payments story attributed (its fix confirms the inducing commit), and GitHub with that commit's PR. */
async function setup() {
  const story = await paymentsStory();
  importJson(story.ctx, [{ ...INCIDENT, fix_sha: story.fix }]);
  await refreshAttribution(story.ctx);
  const gh = await startGithubDouble();
  doubles.push(gh);
  const pr = gh.addPull({
    title: 'perf(payments): fail fast on slow gateway',
    headRef: 'perf/fail-fast',
    state: 'closed',
    createdAt: '2026-02-03T09:00:00Z',
    mergedAt: '2026-02-03T10:00:00Z',
    mergeSha: story.inducing,
    commits: [story.inducing],
  });
  const client = await createGithubClient({ token: gh.token, baseUrl: gh.baseUrl, retryAfterBaseMs: 5 });
  const run = (o: { dryRun?: boolean } = {}) =>
    notify(story.ctx, { dryRun: o.dryRun ?? false, repo: 'acme/shop', client });
  return { ...story, gh, pr, client, run };
}

const writes = (gh: GithubDouble) => gh.requests.filter((r) => r.method !== 'GET');

describe('hindsight notify', () => {
  it('comments once on the causing PR with the evidence; a second run writes nothing', async () => {
    const { gh, pr, inducing, fix, run, ctx } = await setup();
    const first = await run();
    expect(first.counts).toMatchObject({ create: 1, update: 0, withdraw: 0 });
    const [c] = gh.comments();
    expect(c).toMatchObject({ issueNumber: pr });
    expect(c!.body).toContain(marker('INC-7'));
    expect(c!.body).toContain(inducing.slice(0, 10));
    expect(c!.body).toContain(`Fixed by: \`${fix.slice(0, 10)}\``);
    expect(c!.body).toMatch(/confirmed cause \(fix-blame\), score 0\.\d\d/);
    expect(c!.body).toMatch(/src\/payments\/gateway\.ts:\d+ {2}export const TIMEOUT_MS = 2000;/);
    expect(notificationsOf(ctx.store)).toMatchObject([{ number: pr, target: 'pull', state: 'posted' }]);

    const before = gh.requests.length;
    const second = await run();
    expect(second.counts).toMatchObject({ create: 0, update: 0, unchanged: 1 });
    expect(gh.requests.length).toBe(before); // the store knew: not even a read
    expect(gh.comments()).toHaveLength(1);
  });

  it('changed evidence edits the same comment (PATCH), only when the body changed', async () => {
    const { gh, run, ctx } = await setup();
    await run();
    const id = gh.comments()[0]!.id;
    // Later evidence: the incident's record gains a severity change, so the comment's first line changes.
    ctx.store.prepare("UPDATE incidents SET severity = 'SEV1' WHERE external_id = 'INC-7'").run();
    const res = await run();
    expect(res.counts).toMatchObject({ create: 0, update: 1 });
    expect(writes(gh).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/shop/issues/1/comments',
      `PATCH /repos/acme/shop/issues/comments/${id}`,
    ]);
    expect(gh.comments()).toHaveLength(1);
    expect(gh.comments()[0]!.body).toContain('SEV1');
  });

  it('a cause a person rejected is withdrawn: the comment is edited to say so, not deleted', async () => {
    const { gh, run, ctx, inducing } = await setup();
    await run();
    // A person's verdict, through the door people use (hindsight reject).
    await rejectCause(ctx, { incident: 'INC-7', commit: inducing.slice(0, 10), reason: 'the timeout was set by ops' });
    await refreshAttribution(ctx); // re-attributing must not resurrect it
    const res = await run();
    expect(res.counts).toMatchObject({ withdraw: 1, create: 0 });
    const [c] = gh.comments();
    expect(c!.body).toContain('withdrawn');
    expect(c!.body).toContain('rejected');
    expect(c!.body).not.toContain('TIMEOUT_MS');
    expect(c!.body).toContain(marker('INC-7'));
    expect(notificationsOf(ctx.store)[0]!.state).toBe('withdrawn');
    expect((await run()).counts).toMatchObject({ withdraw: 0, unchanged: 1 });
    expect(gh.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('waits out a primary rate limit (403, x-ratelimit-remaining 0) and then writes', async () => {
    const { gh, run } = await setup();
    gh.rateLimit({ kind: 'primary', status: 403 });
    const res = await run();
    expect(res.counts.create).toBe(1);
    expect(gh.requests.filter((r) => r.status === 403)).toHaveLength(1);
    expect(gh.comments()).toHaveLength(1);
  });

  it('a lost store finds its marker comment on GitHub and edits it instead of posting again', async () => {
    const { gh, pr, run, ctx } = await setup();
    gh.addComment(pr, 'LGTM, shipping it');
    gh.addComment(pr, `${marker('INC-7')}\nan older body`, 'hindsight-bot');
    const res = await run();
    expect(res.counts).toMatchObject({ create: 0, update: 1 });
    expect(gh.comments()).toHaveLength(2);
    expect(gh.comments()[1]!.body).toContain('Payments API timeouts');
    expect(gh.comments()[0]!.body).toBe('LGTM, shipping it');
    expect(notificationsOf(ctx.store)[0]!.commentId).toBe(gh.comments()[1]!.id);
  });

  it('--dry-run prints the body that a real run then writes, and writes nothing itself', async () => {
    const { gh, run, ctx } = await setup();
    const dry = await run({ dryRun: true });
    // The PR is not stored locally, and a dry run asks GitHub nothing: it says so.
    expect(dry.actions[0]).toMatchObject({ kind: 'skip', note: expect.stringContaining('a real run asks GitHub') });
    expect(gh.requests).toEqual([]);
    const real = await run();
    const again = notify(ctx, { dryRun: true, repo: 'acme/shop' });
    expect((await again).counts).toMatchObject({ unchanged: 1 });
    expect(real.actions[0]!.body).toBe(gh.comments()[0]!.body);
  });
});

describe('hindsight notify on an incident that came from a GitHub issue', () => {
  it("comments on the causing PR and on the incident's own issue, naming the PR there", async () => {
    const ctx = testContext(gitdir().path);
    const seed = seeder(ctx);
    const sha = seed.commit({
      at: '2026-03-01T10:00:00Z',
      agent: 'claude',
      subject: 'feat: cache prices',
      files: ['src/prices.ts'],
    });
    const id = seed.incident({
      externalId: 'acme/shop#5',
      source: 'github',
      title: 'Stale prices',
      startedAt: '2026-03-02T10:00:00Z',
    });
    seed.link({
      incidentId: id,
      sha,
      score: 1,
      status: 'confirmed',
      method: 'root-cause',
      reasons: ['named as the root cause'],
    });
    upsertPullRequest(ctx.store, {
      repo: 'acme/shop',
      number: 9,
      title: 'feat: cache prices',
      author: 'octocat',
      state: 'merged',
      draft: false,
      createdAt: Date.parse('2026-03-01T09:00:00Z'),
      mergedAt: Date.parse('2026-03-01T10:00:00Z'),
      closedAt: Date.parse('2026-03-01T10:00:00Z'),
      mergeSha: sha,
      headRef: 'cache-prices',
      baseRef: 'main',
      url: null,
    });
    const gh = await startGithubDouble();
    doubles.push(gh);
    gh.addIssue({ number: 5, title: 'Stale prices', labels: ['incident'], createdAt: '2026-03-02T10:00:00Z' });
    gh.addPull({ number: 9, title: 'feat: cache prices', headRef: 'cache-prices', createdAt: '2026-03-01T09:00:00Z' });
    const client = await createGithubClient({ token: gh.token, baseUrl: gh.baseUrl, retryAfterBaseMs: 5 });

    const res = await notify(ctx, { dryRun: false, client });
    expect(res.counts).toMatchObject({ create: 2 });
    const byThread = new Map(gh.comments().map((c) => [c.issueNumber, c.body]));
    expect(byThread.get(9)).toContain('named as the root cause');
    expect(byThread.get(5)).toContain(`\`${sha.slice(0, 10)}\` from acme/shop#9`);
    expect(byThread.get(5)).toContain(marker('acme/shop#5'));
    expect((await notify(ctx, { dryRun: false, client })).counts).toMatchObject({ create: 0, unchanged: 2 });
  });
});
