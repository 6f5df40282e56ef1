import { describe, expect, it } from 'vitest';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { importJson, PAYMENTS_INCIDENT, paymentsStory } from '../helpers/stories.js';

describe('refreshAttribution', () => {
  it('attributes what is pending once; a second run does nothing', async () => {
    const { ctx } = await paymentsStory();
    importJson(ctx, [
      { id: 'INC-1', title: 'timeouts', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
      { id: 'INC-2', title: 'login errors', started_at: '2026-02-06T08:00:00Z', files: ['src/auth/login.ts'] },
    ]);
    expect(await refreshAttribution(ctx)).toMatchObject({ incidents: 2, failed: 0 });
    expect(await refreshAttribution(ctx)).toEqual({ incidents: 0, links: 0, failed: 0 });
  });

  it('a new deploy re-attributes only incidents of its environment that began after it', async () => {
    const { ctx, fix } = await paymentsStory();
    importJson(ctx, [
      { id: 'INC-1', title: 'timeouts', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
      { id: 'INC-2', title: 'timeouts', started_at: '2026-02-12T08:00:00Z', files: ['src/payments/gateway.ts'] },
      {
        id: 'INC-3',
        title: 'timeouts',
        started_at: '2026-02-12T08:00:00Z',
        env: 'staging',
        files: ['src/payments/gateway.ts'],
      },
    ]);
    await refreshAttribution(ctx);
    const staging = await recordDeploy(ctx, {
      ref: fix,
      env: 'staging',
      status: 'success',
      finishedAt: Date.parse('2026-02-11T12:00:00Z'),
    });
    expect(await refreshAttribution(ctx, { deploys: [staging.deploy] })).toMatchObject({ incidents: 1 });
    const production = await recordDeploy(ctx, {
      ref: fix,
      status: 'rolled_back',
      finishedAt: Date.parse('2026-02-11T13:00:00Z'),
    });
    expect(await refreshAttribution(ctx, { deploys: [production.deploy] })).toMatchObject({ incidents: 1 });
    expect(await refreshAttribution(ctx, { all: true })).toMatchObject({ incidents: 3 });
  });

  it('a new commit re-attributes only the incident waiting for it as its fix, as a full run would', async () => {
    const { g, ctx } = await paymentsStory();
    const fix = g.commit({
      files: { 'src/payments/gateway.ts': 'export const TIMEOUT_MS = 15000;\n' },
      message: 'fix(payments): longer gateway timeout',
      date: '2026-02-12T10:00:00Z',
    });
    importJson(ctx, [
      { id: 'INC-1', title: 'timeouts', started_at: '2026-02-11T08:00:00Z', fix_sha: fix.slice(0, 10) },
      { id: 'INC-2', title: 'login errors', started_at: '2026-02-06T08:00:00Z', files: ['src/auth/login.ts'] },
    ]);
    await refreshAttribution(ctx);
    const before = storedLinks(ctx);
    const res = await ingestGit(ctx);
    expect(await refreshAttribution(ctx, { newCommits: res })).toMatchObject({ incidents: 1 });
    const after = storedLinks(ctx);
    expect(after).not.toEqual(before);
    expect(after.some((l) => l.method === 'fix-blame' && l.status === 'confirmed')).toBe(true);
    await expectSameAsFullRun(ctx, after);
  });

  it('a deploy that ingests its own new commit reports it, so the incident waiting for it as its fix is re-attributed', async () => {
    const { g, ctx } = await paymentsStory();
    const fix = g.commit({
      files: { 'src/payments/gateway.ts': 'export const TIMEOUT_MS = 15000;\n' },
      message: 'fix(payments): longer gateway timeout',
      date: '2026-02-12T10:00:00Z',
    });
    importJson(ctx, [{ id: 'INC-1', title: 'timeouts', started_at: '2026-02-11T08:00:00Z', fix_sha: fix }]);
    await refreshAttribution(ctx);
    const res = await recordDeploy(ctx, {
      ref: fix,
      status: 'success',
      finishedAt: Date.parse('2026-02-12T12:00:00Z'),
    });
    expect(res.ingested).toMatchObject({ added: 1 });
    // As the deploy command passes them: the deploy (it began after the incident: no mark) and the commits it read.
    await refreshAttribution(ctx, { deploys: [res.deploy, ...res.rolledBack], newCommits: res.ingested! });
    const after = storedLinks(ctx);
    expect(after.some((l) => l.method === 'fix-blame' && l.status === 'confirmed')).toBe(true);
    await expectSameAsFullRun(ctx, after);
  });

  it('a new revert re-attributes the incidents it was committed during or reverts a suspect of, as a full run would', async () => {
    const { g, ctx, inducing } = await paymentsStory();
    importJson(ctx, [
      PAYMENTS_INCIDENT,
      { id: 'INC-2', title: 'login errors', started_at: '2026-01-20T08:00:00Z', files: ['src/auth/login.ts'] },
    ]);
    await refreshAttribution(ctx);
    const before = storedLinks(ctx);
    g.commit({
      files: { 'src/payments/gateway.ts': 'export const TIMEOUT_MS = 10000;\n' },
      message: `Revert "perf(payments): fail fast on slow gateway"\n\nThis reverts commit ${inducing}.\n`,
      date: '2026-02-09T10:00:00Z',
    });
    const res = await ingestGit(ctx);
    expect(await refreshAttribution(ctx, { newCommits: res })).toMatchObject({ incidents: 1 });
    const after = storedLinks(ctx);
    expect(after).not.toEqual(before);
    expect(after.some((l) => l.target === inducing && l.status === 'confirmed')).toBe(true);
    await expectSameAsFullRun(ctx, after);
  });

  it('a new commit no incident waits for, no deploy shipped and that reverts nothing re-attributes nothing', async () => {
    const { g, ctx } = await paymentsStory();
    importJson(ctx, [
      PAYMENTS_INCIDENT,
      { id: 'INC-2', title: 'login errors', started_at: '2026-02-06T08:00:00Z', files: ['src/auth/login.ts'] },
    ]);
    await refreshAttribution(ctx);
    g.commit({ files: { 'README.md': 'hello\n' }, message: 'docs: readme', date: '2026-02-12T10:00:00Z' });
    // Days after both incidents: a rule by date would re-attribute them.
    ctx.clock = () => Date.parse('2026-02-13T00:00:00Z');
    const res = await ingestGit(ctx);
    expect(res.added).toBe(1);
    expect(await refreshAttribution(ctx, { newCommits: res })).toMatchObject({ incidents: 0 });
    await expectSameAsFullRun(ctx, storedLinks(ctx));
  });

  it('a new deploy or a new incident leaves the links a full run would write', async () => {
    const { ctx, fix, inducing } = await paymentsStory();
    importJson(ctx, [PAYMENTS_INCIDENT]);
    await refreshAttribution(ctx);
    const redeploy = await recordDeploy(ctx, {
      ref: inducing,
      env: 'production',
      status: 'success',
      finishedAt: Date.parse('2026-02-11T12:00:00Z'),
    });
    importJson(ctx, [
      { id: 'INC-3', title: 'timeouts again', started_at: '2026-02-12T08:00:00Z', files: ['src/payments/gateway.ts'] },
    ]);
    // As the deploy command passes it: the deploy and those it rolled back.
    const rolled = [redeploy.deploy, ...redeploy.rolledBack];
    expect(await refreshAttribution(ctx, { deploys: rolled })).toMatchObject({ incidents: 2 });
    await expectSameAsFullRun(ctx, storedLinks(ctx));
    const again = await recordDeploy(ctx, {
      ref: fix,
      status: 'success',
      finishedAt: Date.parse('2026-02-12T12:00:00Z'),
    });
    importJson(ctx, [
      {
        id: 'INC-4',
        title: 'timeouts once more',
        started_at: '2026-02-13T08:00:00Z',
        files: ['src/payments/gateway.ts'],
      },
    ]);
    expect(await refreshAttribution(ctx, { deploys: [again.deploy, ...again.rolledBack] })).toMatchObject({
      incidents: 1,
    });
    await expectSameAsFullRun(ctx, storedLinks(ctx));
  });

  it('a commit a deploy shipped before it was ingested re-attributes the later incidents naming its files, however long after', async () => {
    const { g, ctx } = await paymentsStory();
    // A deploy of a commit on no branch (a CI build of a merge that was never fetched as a branch): its range names
    // the commit, but the ingest the deploy runs reads branches and tags, so the commit is stored only later.
    g.git('checkout', '-q', '-b', 'ci-build');
    const late = g.commit({
      files: { 'src/payments/gateway.ts': 'export const TIMEOUT_MS = 1;\n' },
      message: 'perf(payments): shorter gateway timeout',
      date: '2026-02-20T10:00:00Z',
    });
    g.git('checkout', '-q', 'main');
    g.git('branch', '-q', '-D', 'ci-build');
    await recordDeploy(ctx, { ref: late, status: 'success', finishedAt: Date.parse('2026-02-21T12:00:00Z') });
    importJson(ctx, [
      {
        id: 'INC-7',
        title: 'gateway timeouts',
        started_at: '2026-05-01T08:00:00Z',
        files: ['src/payments/gateway.ts'],
      },
    ]);
    await refreshAttribution(ctx);
    expect(storedLinks(ctx).some((l) => l.target === late)).toBe(false);

    g.git('branch', '-q', 'ci-build', late);
    ctx.clock = () => Date.parse('2026-05-02T00:00:00Z');
    const res = await ingestGit(ctx);
    expect(res.added).toBe(1);
    // 69 days after the deploy: a candidate through the file's history, not through the last 30 days' deploys
    expect(await refreshAttribution(ctx, { newCommits: res })).toMatchObject({ incidents: 1 });
    const links = storedLinks(ctx);
    expect(links.some((l) => l.target === late)).toBe(true);
    await expectSameAsFullRun(ctx, links);
  });

  it('no new commits re-attribute nothing, a first ingest everything', async () => {
    const { ctx } = await paymentsStory();
    importJson(ctx, [
      { id: 'INC-1', title: 'timeouts', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
      { id: 'INC-2', title: 'login errors', started_at: '2026-02-06T08:00:00Z', files: ['src/auth/login.ts'] },
    ]);
    await refreshAttribution(ctx);
    expect(await refreshAttribution(ctx, { newCommits: { added: 0, total: 9, afterRowid: 9 } })).toMatchObject({
      incidents: 0,
    });
    expect(await refreshAttribution(ctx, { newCommits: { added: 9, total: 9, afterRowid: 0 } })).toMatchObject({
      incidents: 2,
    });
  });
});

type Ctx = Awaited<ReturnType<typeof paymentsStory>>['ctx'];

/** Every stored link but its write time, in a fixed order. */
function storedLinks(ctx: Ctx) {
  return ctx.store
    .prepare(
      `SELECT incident_id, kind, target, score, status, method, evidence FROM incident_links
       ORDER BY incident_id, kind, target`,
    )
    .all() as { incident_id: number; kind: string; target: string; score: number; status: string; method: string }[];
}

/** Re-attributes every incident from scratch and expects the links the incremental run left. */
async function expectSameAsFullRun(ctx: Ctx, incremental: ReturnType<typeof storedLinks>) {
  await refreshAttribution(ctx, { all: true });
  expect(storedLinks(ctx)).toEqual(incremental);
}
