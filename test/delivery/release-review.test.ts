import { afterEach, describe, expect, it } from 'vitest';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { reviewRelease, renderReleaseReview } from '../../src/delivery/release-review.js';
import { createGithubClient } from '../../src/github/client.js';
import { ingestGithub } from '../../src/github/ingest.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { testContext } from '../helpers/context.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import { gitdir } from '../helpers/gitdir.js';
import { importJson } from '../helpers/stories.js';

const doubles: GithubDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) {
    expect(d.violations).toEqual([]);
    await d.close();
  }
});

/**
 * Three releases through GitHub: D1 ships c1-c2; D2 ships c3-c4 after a failed test run on c3 and 3 h at the
 * approval gate, and causes INC-1 (root cause c3); D3 ships c5-c6 after two test runs failed at the same step, a
 * 20 min approval wait and one hand-dispatched run. `lint` never fails.
 */
async function story() {
  const g = gitdir();
  const c: string[] = [];
  for (let i = 1; i <= 6; i++) {
    c.push(
      g.commit({
        files: { [`src/payments/f${i}.ts`]: `export const v = ${i};\n` },
        message: `feat(payments): step ${i}`,
        date: `2026-03-0${i}T08:00:00Z`,
      }),
    );
  }
  const gh = await startGithubDouble();
  doubles.push(gh);
  const ok = (name: string, at: string) => ({ name, conclusion: 'success', startedAt: at, completedAt: at });
  const run = (sha: string, at: string, jobs: ReturnType<typeof ok>[], extra: Record<string, string> = {}) =>
    gh.addRun({
      headSha: sha,
      name: 'CI',
      status: 'completed',
      conclusion: jobs.some((j) => j.conclusion !== 'success') ? 'failure' : 'success',
      createdAt: at,
      updatedAt: at.replace('T08:10', 'T08:40'),
      jobs,
      ...extra,
    });
  const failing = (at: string) => ({
    name: 'test',
    conclusion: 'failure',
    startedAt: at,
    completedAt: at,
    failedStep: 'Run npm test',
  });
  run(c[1]!, '2026-03-02T08:10:00Z', [ok('test', '2026-03-02T08:10:00Z'), ok('lint', '2026-03-02T08:10:00Z')]);
  run(c[2]!, '2026-03-03T08:10:00Z', [failing('2026-03-03T08:10:00Z'), ok('lint', '2026-03-03T08:10:00Z')]);
  run(c[3]!, '2026-03-04T08:10:00Z', [ok('test', '2026-03-04T08:10:00Z'), ok('lint', '2026-03-04T08:10:00Z')]);
  run(c[4]!, '2026-03-05T08:10:00Z', [failing('2026-03-05T08:10:00Z'), ok('lint', '2026-03-05T08:10:00Z')]);
  run(c[5]!, '2026-03-06T08:10:00Z', [failing('2026-03-06T08:10:00Z'), ok('lint', '2026-03-06T08:10:00Z')]);
  run(c[5]!, '2026-03-06T09:10:00Z', [ok('test', '2026-03-06T09:10:00Z'), ok('lint', '2026-03-06T09:10:00Z')]);
  gh.addRun({
    headSha: c[5]!,
    name: 'Deploy',
    event: 'workflow_dispatch',
    status: 'completed',
    conclusion: 'success',
    createdAt: '2026-03-06T10:00:00Z',
    updatedAt: '2026-03-06T10:05:00Z',
  });
  gh.addDeployment({
    sha: c[1]!,
    createdAt: '2026-03-02T12:00:00Z',
    statuses: [{ state: 'success', at: '2026-03-02T12:05:00Z' }],
  });
  // Waits at the environment's approval gate from 12:00 until `approved`, then deploys in 10 min.
  const gated = (sha: string, day: string, approved: string, done: string) =>
    gh.addDeployment({
      sha,
      createdAt: `${day}T12:00:00Z`,
      statuses: [
        { state: 'waiting', at: `${day}T12:00:00Z` },
        { state: 'in_progress', at: `${day}T${approved}:00Z` },
        { state: 'success', at: `${day}T${done}:00Z` },
      ],
    });
  gated(c[3]!, '2026-03-04', '15:00', '15:10');
  gated(c[5]!, '2026-03-06', '12:20', '12:30');
  const ctx = testContext(g.path, { now: Date.parse('2026-03-08T00:00:00Z') });
  const client = await createGithubClient({ token: gh.token, baseUrl: gh.baseUrl, retryAfterBaseMs: 1 });
  await ingestGithub(ctx, client, { repo: 'acme/shop' });
  importJson(ctx, [{ id: 'INC-1', title: 'double charges', started_at: '2026-03-05T09:00:00Z', root_cause_sha: c[2] }]);
  await refreshAttribution(ctx);
  return { g, c, ctx };
}

const finding = (r: Awaited<ReturnType<typeof reviewRelease>>, topic: string) =>
  r.findings.find((f) => f.topic === topic)!;

describe('release review', () => {
  it('reviews the latest release from stored CI runs, jobs, approval waits and incidents', async () => {
    const { c, ctx } = await story();
    const r = await reviewRelease(ctx);
    expect(r.deploy.sha).toBe(c[5]);
    expect(r.figures).toEqual({
      commits: 2,
      leadMedianH: 4.5, // c6 2026-03-06T08:00 → 12:30; c5 waited 28.5 h (nearest rank)
      leadP90H: 28.5,
      failedBuilds: 2,
      approvalWaitH: 0.33,
      manualRuns: 1,
      incidents: 0,
    });
    expect(finding(r, 'lead_time').text).toMatch(/slowest [0-9a-f]{7} "feat\(payments\): step 5" waited 28\.5 h/);
    expect(finding(r, 'builds').text).toMatch(
      /^2 of 4 CI run\(s\) failed .*CI on [0-9a-f]{7}: job 'test' failed at step 'Run npm test'/,
    );
    expect(finding(r, 'approval').text).toMatch(/^waited 20 min at 1 approval gate/);
    expect(finding(r, 'manual').text).toBe('1 manually dispatched run(s): Deploy');
    expect(finding(r, 'quiet_checks').text).toMatch(/never failed in 3 release\(s\).*CI › lint \(\d+ runs\)/);
    expect(finding(r, 'quiet_checks').text).not.toMatch(/CI › test/);
    expect(finding(r, 'missed_checks').text).toMatch(/CI › (test|lint) \(INC-1\)/);
    expect(finding(r, 'signals').basis).toMatch(/hindsight ingest signals FILE/);
    // Better than D2: no incident caused, a shorter approval wait.
    expect(r.better).toEqual(expect.arrayContaining(['approval wait 3 h → 20 min', 'incidents caused 1 → 0']));
    expect(r.worse).toEqual(expect.arrayContaining(['failed CI runs 1 → 2', 'manual runs 0 → 1']));
    expect(r.suggestion?.rule).toMatch(/^missed-incident/);
    expect(r.suggestion?.change).toMatch(/catch what INC-1 broke/);
    const text = renderReleaseReview(r);
    expect(text.split('\n')[0]).toMatch(
      /^release review: deploy #3 production [0-9a-f]{12} \[github \d+\] \(success, 2026-03-06 12:30\), previous #2$/,
    );
    expect(Buffer.byteLength(text)).toBeLessThan(3_000);
  });

  it('finds a release by sha and says it caused its incident', async () => {
    const { c, ctx } = await story();
    const r = await reviewRelease(ctx, { deploy: c[3]!.slice(0, 10) });
    expect(r.deploy.sha).toBe(c[3]);
    expect(finding(r, 'incidents').text).toBe('caused 1 incident(s) (INC-1); 1 began while it ran');
    expect(finding(r, 'approval').text).toMatch(/^waited 3 h at 1 approval gate/);
    await expect(reviewRelease(ctx, { deploy: 'v9.9' })).rejects.toThrow(/no deploy matches 'v9\.9'/);
  });

  it('says which data is missing and how to bring it in', async () => {
    const g = gitdir();
    const a = g.commit({ files: { 'a.ts': '1' }, message: 'a', date: '2026-03-01T08:00:00Z' });
    const b = g.commit({ files: { 'a.ts': '2' }, message: 'b', date: '2026-03-02T08:00:00Z' });
    const ctx = testContext(g.path);
    await expect(reviewRelease(ctx)).rejects.toThrow(/no deploy of 'production' recorded/);
    await ingestGit(ctx);
    await recordDeploy(ctx, { ref: a, status: 'success', finishedAt: Date.parse('2026-03-01T12:00:00Z') });
    await recordDeploy(ctx, { ref: b, status: 'success', finishedAt: Date.parse('2026-03-02T12:00:00Z') });
    const r = await reviewRelease(ctx);
    expect(finding(r, 'builds')).toEqual({
      topic: 'builds',
      text: 'no CI runs recorded for the commits of this release',
      basis: 'no CI runs recorded at all — ingest with `hindsight ingest github OWNER/NAME`',
    });
    expect(finding(r, 'approval').basis).toMatch(
      /only GitHub deployments carry approval waits; this deploy came from 'cli'/,
    );
    expect(finding(r, 'quiet_checks').basis).toMatch(/ingest with `hindsight ingest github/);
    expect(r.suggestion).toBeNull();
  });
});
