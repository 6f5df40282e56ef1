import { describe, expect, it } from 'vitest';
import { attributeIncident } from '../../src/attribution/suspects.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';
import { importJson, paymentsStory as scenario } from '../helpers/stories.js';

describe('attribution', () => {
  it('ranks the shipped change that touched the incident files first, with reasons, before any fix', async () => {
    const { ctx, inducing, unrelated } = await scenario();
    const { incidentIds } = importJson(ctx, [
      {
        id: 'INC-1',
        title: 'Payments API timeouts',
        started_at: '2026-02-05T08:00:00Z',
        stack_frames: ['at callGateway (/app/src/payments/gateway.ts:8:10)'],
      },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    const commits = links.filter((l) => l.kind === 'commit');
    expect(commits[0]!.target).toBe(inducing);
    expect(commits[0]!.status).toBe('suspect');
    expect(commits[0]!.evidence.reasons.join(' ')).toMatch(/src\/payments\/gateway\.ts named by the incident/);
    // Scores are chances: a change that touches nothing the incident names is too unlikely to store.
    expect(commits.find((l) => l.target === unrelated)).toBeUndefined();
    for (const l of links) {
      expect(l.score).toBeGreaterThanOrEqual(0);
      expect(l.score).toBeLessThanOrEqual(1);
    }
  });

  it('never suspects code that had not shipped before the incident began', async () => {
    const { ctx, fix } = await scenario();
    const { incidentIds } = importJson(ctx, [
      { id: 'INC-2', title: 'timeouts', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    expect(links.some((l) => l.target === fix)).toBe(false);
    const early = importJson(ctx, [
      {
        id: 'INC-0',
        title: 'before any deploy',
        started_at: '2026-01-15T08:00:00Z',
        files: ['src/payments/gateway.ts'],
      },
    ]);
    expect(await attributeIncident(ctx, early.incidentIds[0]!)).toEqual([]);
  });

  it('confirms the inducing commit by blaming the fix at its parent, and shows the blamed lines', async () => {
    const { ctx, inducing, fix } = await scenario();
    const { incidentIds } = importJson(ctx, [
      {
        id: 'INC-3',
        title: 'timeouts again',
        started_at: '2026-02-08T08:00:00Z',
        files: ['src/payments/gateway.ts'],
        fix_sha: fix,
      },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    const top = links[0]!;
    expect(top).toMatchObject({ kind: 'commit', target: inducing, status: 'confirmed', method: 'fix-blame' });
    expect(top.evidence.blamed?.join('\n')).toMatch(/TIMEOUT_MS = 2000/);
    expect(top.evidence.reasons[0]).toMatch(/last changed 2 line\(s\) that fix/);
    const deploy = links.find((l) => l.kind === 'deploy' && l.status === 'confirmed');
    expect(deploy).toBeDefined();
  });

  it('a revert while the incident is open confirms the reverted change', async () => {
    const g = gitdir();
    g.commit({
      files: { 'src/auth/session.ts': 'export const ttl = 3600;\n' },
      message: 'feat: sessions',
      date: '2026-03-01T09:00:00Z',
    });
    const bad = g.commit({
      files: { 'src/auth/session.ts': 'export const ttl = 0;\n' },
      message: 'refactor(auth): simplify ttl',
      author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
      date: '2026-03-02T09:00:00Z',
    });
    const ctx = testContext(g.path);
    await recordDeploy(ctx, { ref: bad, status: 'success', finishedAt: Date.parse('2026-03-02T12:00:00Z') });
    g.git('revert', '--no-edit', bad);
    await ingestGit(ctx);
    // the revert's commit date is "now" in git; place the incident just before it
    const revertAt = Number(g.git('log', '-1', '--format=%ct')) * 1000;
    const { incidentIds } = importJson(ctx, [
      { id: 'INC-4', title: 'logins fail', started_at: new Date(revertAt - 3_600_000).toISOString(), module: 'auth' },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    expect(links[0]).toMatchObject({ target: bad, status: 'confirmed', method: 'revert' });
  });

  it('keeps links a human rejected', async () => {
    const { ctx, inducing } = await scenario();
    const { incidentIds } = importJson(ctx, [
      { id: 'INC-5', title: 't', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
    ]);
    const id = incidentIds[0]!;
    await attributeIncident(ctx, id);
    ctx.store
      .prepare("UPDATE incident_links SET status = 'rejected' WHERE incident_id = ? AND target = ?")
      .run(id, inducing);
    await attributeIncident(ctx, id);
    const row = ctx.store
      .prepare('SELECT status FROM incident_links WHERE incident_id = ? AND target = ?')
      .get(id, inducing) as {
      status: string;
    };
    expect(row.status).toBe('rejected');
  });
});
