import { describe, expect, it } from 'vitest';
import { NEW_COMMITS_REACH_MS, refreshAttribution } from '../../src/attribution/refresh.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { importJson, paymentsStory } from '../helpers/stories.js';

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

  it('new commits re-attribute the incidents of the last 90 days, a first ingest all, and no commits nothing', async () => {
    const { ctx } = await paymentsStory();
    importJson(ctx, [
      { id: 'INC-1', title: 'timeouts', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
      { id: 'INC-2', title: 'login errors', started_at: '2026-02-06T08:00:00Z', files: ['src/auth/login.ts'] },
    ]);
    await refreshAttribution(ctx);
    const clock = ctx.clock;
    try {
      // INC-2 began 90 days before "now", INC-1 a day earlier.
      ctx.clock = () => Date.parse('2026-02-06T08:00:00Z') + NEW_COMMITS_REACH_MS;
      expect(await refreshAttribution(ctx, { newCommits: { added: 0, total: 9 } })).toMatchObject({ incidents: 0 });
      expect(await refreshAttribution(ctx, { newCommits: { added: 3, total: 9 } })).toMatchObject({ incidents: 1 });
      expect(await refreshAttribution(ctx, { newCommits: { added: 9, total: 9 } })).toMatchObject({ incidents: 2 });
    } finally {
      ctx.clock = clock;
    }
  });
});
