import { describe, expect, it } from 'vitest';
import { renderDelivery } from '../../src/delivery/report-text.js';
import { DAY, deliveryFixture, HOUR, NOW } from './fixture.js';

describe('delivery metrics', () => {
  it('computes change lead time per commit from its first shipping deploy: median and p90 (nearest rank)', () => {
    const f = deliveryFixture();
    const t0 = NOW - 10 * DAY;
    const shas = [1, 2, 3, 10].map((h) => f.seed.commit({ at: t0 - h * HOUR, files: [`src/f${h}.ts`] }));
    f.deploy({ at: t0, shas });
    // The next deploy's range repeats the old commits (as a promotion would); only the new one is its change.
    const fresh = f.seed.commit({ at: t0 + DAY - 5 * HOUR, files: ['src/g.ts'] });
    f.deploy({ at: t0 + DAY, shas: [...shas, fresh] });
    // A merge commit is not a change of its own.
    const merge = f.seed.commit({ at: t0 - 100 * HOUR, files: [], isMerge: true });
    f.deploy({ at: t0 + 2 * DAY, shas: [merge] });
    // A failed deploy shipped nothing: its commits get their lead time from the deploy that did ship them.
    const retried = f.seed.commit({ at: t0 + 2 * DAY, files: ['src/h.ts'] });
    f.deploy({ at: t0 + 2 * DAY + HOUR, shas: [retried], status: 'failure' });
    f.deploy({ at: t0 + 2 * DAY + 8 * HOUR, shas: [retried] });

    // Lead times 1, 2, 3, 10, 5, 8 h: sorted 1 2 3 5 8 10 → median (3 + 5) / 2 = 4, p90 = 6th of 6 = 10.
    const m = f.metrics().overall.current;
    expect(m.changes).toBe(6);
    expect(m.leadMedianH).toBe(4);
    expect(m.leadP90H).toBe(10);
  });

  it('counts deploy frequency per week in each window, with the delta against the previous one', () => {
    const f = deliveryFixture();
    for (let k = 0; k < 6; k++) f.deploy({ at: NOW - (1 + k * 4) * DAY, shas: [] });
    for (let k = 0; k < 3; k++) f.deploy({ at: NOW - (31 + k * 5) * DAY, shas: [] });
    f.deploy({ at: NOW - 70 * DAY, shas: [] }); // before both windows

    const m = f.metrics(30);
    expect(m.overall.current.deploys).toBe(6);
    expect(m.overall.previous.deploys).toBe(3);
    expect(m.overall.current.perWeek).toBe(1.4);
    expect(m.overall.previous.perWeek).toBe(0.7);
    expect(m.overall.delta.deploys).toBe(3);
    expect(m.overall.delta.perWeek).toBe(0.7);
    expect(m.previous.until).toBe(m.window.since);
  });

  it('says where the deploys are when none finished in the window, and which window reaches the newest', () => {
    const f = deliveryFixture();
    const old = f.deploy({ at: NOW - 100 * DAY - HOUR, shas: [] });
    f.deploy({ at: NOW - 200 * DAY, shas: [] });
    f.deploy({ at: NOW - 5 * DAY, shas: [], env: 'staging' });
    const quiet = f.metrics(30, { env: 'production' });
    expect(quiet.overall.current.deploys).toBe(0);
    // the newest production deploy, not staging's (in scope) nor the older one; 100 d and an hour → 101 days
    expect(quiet.latestDeploy).toMatchObject({ id: old, env: 'production', daysBeforeEnd: 101 });
    expect(renderDelivery(quiet)).toContain('widen the window to 101 days (window_days; CLI --window-days 101)');
    // the window it names does include that deploy, and then the hint is gone
    const wide = f.metrics(101, { env: 'production' });
    expect(wide.overall.current.deploys).toBe(1);
    expect(wide.latestDeploy).toBeUndefined();
    // a deploy in the window (staging's, all envs counted): no hint; beyond the longest window, move its end instead
    expect(f.metrics(30).latestDeploy).toBeUndefined();
    expect(renderDelivery({ ...quiet, latestDeploy: { ...quiet.latestDeploy!, daysBeforeEnd: 400 } })).toContain(
      'end it at that deploy instead (CLI: HINDSIGHT_NOW=',
    );
  });

  it('measures recovery: time its incidents were open, else deploy → next good deploy; open ones apart', () => {
    const f = deliveryFixture();
    const t = NOW - 10 * DAY;
    // Failed by status, recovered by the next good deploy 2 h later (a failed retry in between does not count).
    f.deploy({ at: t, shas: [], status: 'failure' });
    f.deploy({ at: t + HOUR, shas: [], status: 'failure' });
    f.deploy({ at: t + 2 * HOUR, shas: [] });
    // Failed by two incidents: from the first start (t+1d+1h) to the last resolution (t+1d+4h) = 3 h.
    const c = f.seed.commit({ at: t + DAY - HOUR, files: ['src/a.ts'] });
    const d = f.deploy({ at: t + DAY, shas: [c] });
    const i1 = f.seed.incident({ externalId: 'I1', startedAt: t + DAY + HOUR, resolvedAt: t + DAY + 2 * HOUR });
    const i2 = f.seed.incident({ externalId: 'I2', startedAt: t + DAY + 2 * HOUR, resolvedAt: t + DAY + 4 * HOUR });
    f.deployLink(i1, d, 1, 'confirmed');
    f.deployLink(i2, d, 1, 'confirmed');
    // Failed by the same defect twice, ten days apart: 1 h + 1 h of incidents, not ten days.
    const r = f.deploy({ at: t + DAY + 12 * HOUR, shas: [] });
    for (const [k, at] of [t + DAY + 13 * HOUR, t + 7 * DAY].entries()) {
      f.deployLink(f.seed.incident({ externalId: `R${k}`, startedAt: at, resolvedAt: at + HOUR }), r, 1, 'confirmed');
    }
    // Failed by an incident still open: not recovered.
    const e = f.deploy({ at: t + 2 * DAY, shas: [] });
    f.deployLink(f.seed.incident({ externalId: 'I3', startedAt: t + 2 * DAY + HOUR }), e, 0.7);

    const m = f.metrics().overall.current;
    expect(m.failed).toBe(5);
    expect(m.unrecovered).toBe(1);
    // Recovered: 2 h, 1 h (the retry, to the same good deploy), 3 h and 2 h → median 2, p90 3.
    expect(m.recoveryMedianH).toBe(2);
    expect(m.recoveryP90H).toBe(3);
  });

  it('counts rework: rollbacks, incident fixes, and reverts or Fixes: of a failure’s commit — once each', () => {
    const f = deliveryFixture();
    const t = NOW - 10 * DAY;
    const bad = f.seed.commit({ at: t - HOUR, files: ['src/a.ts'] });
    const good = f.seed.commit({ at: t - HOUR, files: ['src/b.ts'] });
    const first = f.deploy({ at: t, shas: [bad, good] });
    const inc = f.seed.incident({ externalId: 'INC-1', startedAt: t + HOUR, resolvedAt: t + 3 * HOUR });
    f.seed.link({ incidentId: inc, sha: bad, score: 1, status: 'confirmed' });
    f.deploy({ at: t + 2 * HOUR, shas: [], rollbackTo: first }); // rework: a rollback
    const revert = f.seed.commit({ at: t + 3 * HOUR, files: ['src/a.ts'], revertsSha: bad });
    const fix = f.seed.commit({ at: t + 3 * HOUR, files: ['src/a.ts'] });
    f.incidentFields(inc, { fixSha: fix });
    f.deploy({ at: t + 4 * HOUR, shas: [revert, fix] }); // rework: both a revert and the fix, counted once
    const followUp = f.seed.commit({ at: t + DAY, files: ['src/a.ts'] });
    f.fixes(followUp, bad);
    f.deploy({ at: t + DAY + HOUR, shas: [followUp] }); // rework: Fixes: the failure's commit
    // Not rework: a revert and a Fixes: of commits that caused nothing.
    const tidy = f.seed.commit({ at: t + 2 * DAY, files: ['src/b.ts'], revertsSha: good });
    const polish = f.seed.commit({ at: t + 2 * DAY, files: ['src/b.ts'] });
    f.fixes(polish, good);
    f.deploy({ at: t + 2 * DAY + HOUR, shas: [tidy, polish] });

    const m = f.metrics().overall.current;
    expect(m.deploys).toBe(5);
    expect(m.rework).toBe(3);
    expect(m.reworkRate).toBe(0.6);
    expect(m.failed).toBe(1);
  });

  it('splits by author kind (agent if any agent commit, else pair, else human) and per agent, with deltas', () => {
    const f = deliveryFixture();
    const t = NOW - 10 * DAY;
    const h1 = f.seed.commit({ at: t - 2 * HOUR, files: ['src/h.ts'] });
    f.deploy({ at: t, shas: [h1] }); // human
    const h2 = f.seed.commit({ at: t + DAY - 4 * HOUR, files: ['src/h2.ts'] });
    const a1 = f.seed.commit({ at: t + DAY - 6 * HOUR, agent: 'claude', files: ['src/a.ts'] });
    const agentDeploy = f.deploy({ at: t + DAY, shas: [h2, a1] }); // agent
    const p1 = f.seed.commit({ at: t + 2 * DAY - HOUR, kind: 'pair', agent: 'cursor', files: ['src/p.ts'] });
    f.deploy({ at: t + 2 * DAY, shas: [p1] }); // pair
    const inc = f.seed.incident({ externalId: 'INC-A', startedAt: t + DAY + HOUR, resolvedAt: t + DAY + 2 * HOUR });
    f.deployLink(inc, agentDeploy, 0.9);
    // The previous window: one human deploy that failed.
    const old = f.seed.commit({ at: NOW - 40 * DAY - 10 * HOUR, files: ['src/o.ts'] });
    f.deploy({ at: NOW - 40 * DAY, shas: [old], status: 'rolled_back' });

    const m = f.metrics();
    const kinds = Object.fromEntries(m.byKind.map((g) => [g.key, g]));
    expect(kinds['human']!.current).toMatchObject({ deploys: 1, failed: 0, failRate: 0, changes: 2, leadMedianH: 3 });
    expect(kinds['human']!.previous).toMatchObject({ deploys: 1, failed: 1, failRate: 1, leadMedianH: 10 });
    expect(kinds['human']!.delta).toMatchObject({ failRate: -1, leadMedianH: -7 });
    expect(kinds['agent']!.current).toMatchObject({ deploys: 1, failed: 1, failRate: 1, changes: 1, leadMedianH: 6 });
    expect(kinds['agent']!.delta.failRate).toBeNull(); // no agent deploys before: nothing to compare
    expect(kinds['pair']!.current).toMatchObject({ deploys: 1, failed: 0, leadMedianH: 1 });
    expect(m.byAgent.map((g) => [g.key, g.current.deploys, g.current.failed])).toEqual([
      ['claude', 1, 1],
      ['cursor', 1, 0],
    ]);
    expect(m.overall.current).toMatchObject({ deploys: 3, failed: 1, failRate: 0.333 });
  });

  it('breaks figures down per env/service when the scope has several, and filters by env and service', () => {
    const f = deliveryFixture();
    f.deploy({ at: NOW - 2 * DAY, shas: [], service: 'api' });
    f.deploy({ at: NOW - 1 * DAY, shas: [], service: 'api', status: 'failure' });
    f.deploy({ at: NOW - 1 * DAY, shas: [], service: 'web' });
    f.deploy({ at: NOW - 1 * DAY, shas: [], env: 'staging', service: 'web' });

    const all = f.metrics();
    expect(all.byTarget.map((g) => [g.key, g.current.deploys, g.current.failed])).toEqual([
      ['production/api', 2, 1],
      ['production/web', 1, 0],
      ['staging/web', 1, 0],
    ]);
    expect(f.metrics(30, { env: 'production', service: 'api' }).overall.current).toMatchObject({
      deploys: 2,
      failed: 1,
    });
    expect(f.metrics(30, { env: 'staging' }).byTarget).toEqual([]);
  });
});
