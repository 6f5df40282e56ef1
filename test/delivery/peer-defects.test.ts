import { describe, expect, it } from 'vitest';
import { incidentCauses } from '../../src/delivery/metrics.js';
import { deliveryIncidents } from '../../src/store/delivery.js';
import { DAY, deliveryFixture, HOUR, NOW } from './fixture.js';

// Each test is one defect a peer tool shipped; the fixture is built so the defective rule gives another figure.
describe('change failure rate avoids the peers’ known defects', () => {
  it('counts a deploy with three incidents once (DevLake #8890 counted incidents)', () => {
    const f = deliveryFixture();
    const bad = f.seed.commit({ at: NOW - 10 * DAY, files: ['src/pay.ts'] });
    const failing = f.deploy({ at: NOW - 9 * DAY, shas: [bad] });
    for (let k = 0; k < 3; k++) {
      const inc = f.seed.incident({ externalId: `INC-${k}`, startedAt: NOW - 8 * DAY + k * HOUR });
      f.deployLink(inc, failing, 0.9, 'confirmed');
    }
    for (let k = 0; k < 3; k++) f.deploy({ at: NOW - (7 - k) * DAY, shas: [] });

    const m = f.metrics();
    expect(m.overall.current.deploys).toBe(4);
    expect(m.overall.current.failed).toBe(1);
    expect(m.overall.current.failRate).toBe(0.25);
    expect(m.incidents).toMatchObject({ started: 3, causedByDeploy: 3, notCausedByDeploy: 0 });
  });

  it('does not let duplicated root-cause shas or a re-shipped sha inflate it (Four Keys #213)', () => {
    const f = deliveryFixture();
    const a = f.seed.commit({ at: NOW - 20 * DAY, files: ['src/a.ts'] });
    const b = f.seed.commit({ at: NOW - 20 * DAY, files: ['src/b.ts'] });
    const first = f.deploy({ at: NOW - 19 * DAY, shas: [a, b] });
    // The staging → production promotion and a later redeploy carry the same sha again.
    f.deploy({ at: NOW - 19 * DAY + HOUR, shas: [a, b], env: 'staging' });
    const later = f.seed.commit({ at: NOW - 15 * DAY, files: ['src/c.ts'] });
    f.deploy({ at: NOW - 14 * DAY, shas: [a, b, later] });
    for (const id of ['INC-1', 'INC-2']) {
      const inc = f.seed.incident({ externalId: id, startedAt: NOW - 10 * DAY });
      f.incidentFields(inc, { rootCauseSha: a });
      f.seed.link({ incidentId: inc, sha: a, score: 1, status: 'confirmed' });
      f.seed.link({ incidentId: inc, sha: b, score: 1, status: 'confirmed' });
    }

    const prod = f.metrics(30, { env: 'production' });
    expect(prod.overall.current.deploys).toBe(2);
    expect(prod.overall.current.failed).toBe(1);
    const causes = incidentCauses(f.ctx, deliveryIncidents(f.ctx.store, { since: 0, until: NOW, env: null }));
    expect([...causes.values()].map((s) => [...s])).toEqual([[first], [first]]);
  });

  it('attributes an incident to the deploy that caused it, not the latest one before it (DevLake #8150)', () => {
    const f = deliveryFixture();
    const culprit = f.seed.commit({ at: NOW - 56 * DAY, agent: 'claude', files: ['src/pay.ts'] });
    const causing = f.deploy({ at: NOW - 55 * DAY, shas: [culprit] });
    const unrelated = f.seed.commit({ at: NOW - 46 * DAY, files: ['docs/x.md'] });
    f.deploy({ at: NOW - 45 * DAY, shas: [unrelated] });
    const inc = f.seed.incident({ externalId: 'INC-LATE', startedAt: NOW - 5 * DAY, resolvedAt: NOW - 4 * DAY });
    f.seed.link({ incidentId: inc, sha: culprit, score: 0.8 });

    const m = f.metrics(60);
    const kind = (k: string) => m.byKind.find((g) => g.key === k)!.current;
    expect(kind('agent').failed).toBe(1);
    expect(kind('human').failed).toBe(0);
    expect([
      ...incidentCauses(f.ctx, deliveryIncidents(f.ctx.store, { since: 0, until: NOW, env: null })).get(inc)!,
    ]).toEqual([causing]);
    // Recovery runs from the incident's start to its resolution, not from a deploy 50 days earlier.
    expect(kind('agent').recoveryMedianH).toBe(24);
  });

  it('reports incidents not caused by any deploy apart, without counting them as failures (DevLake #7487)', () => {
    const f = deliveryFixture();
    const c = f.seed.commit({ at: NOW - 10 * DAY, files: ['src/a.ts'] });
    const d = f.deploy({ at: NOW - 9 * DAY, shas: [c] });
    f.seed.incident({ externalId: 'INC-CLOUD', startedAt: NOW - 3 * DAY });
    const weak = f.seed.incident({ externalId: 'INC-WEAK', startedAt: NOW - 2 * DAY });
    f.seed.link({ incidentId: weak, sha: c, score: 0.3 });
    f.deployLink(weak, d, 0.2);

    const m = f.metrics();
    expect(m.overall.current.failed).toBe(0);
    expect(m.overall.current.failRate).toBe(0);
    expect(m.incidents).toEqual({
      started: 2,
      causedByDeploy: 0,
      notCausedByDeploy: 2,
      notCausedExamples: ['INC-CLOUD', 'INC-WEAK'],
    });
  });

  it('takes only the top suspect when nothing is confirmed, and every confirmed cause when some are', () => {
    const f = deliveryFixture();
    const a = f.seed.commit({ at: NOW - 10 * DAY, files: ['src/a.ts'] });
    const da = f.deploy({ at: NOW - 9 * DAY, shas: [a] });
    const b = f.seed.commit({ at: NOW - 8 * DAY, files: ['src/b.ts'] });
    const db = f.deploy({ at: NOW - 7 * DAY, shas: [b] });
    const suspects = f.seed.incident({ externalId: 'INC-S', startedAt: NOW - 6 * DAY });
    f.seed.link({ incidentId: suspects, sha: a, score: 0.6 });
    f.seed.link({ incidentId: suspects, sha: b, score: 0.7 });
    const both = f.seed.incident({ externalId: 'INC-C', startedAt: NOW - 5 * DAY });
    f.seed.link({ incidentId: both, sha: a, score: 1, status: 'confirmed' });
    f.seed.link({ incidentId: both, sha: b, score: 1, status: 'confirmed' });
    f.deployLink(both, db, 0.9);

    const causes = incidentCauses(f.ctx, deliveryIncidents(f.ctx.store, { since: 0, until: NOW, env: null }));
    expect([...causes.get(suspects)!]).toEqual([db]);
    expect([...causes.get(both)!].sort()).toEqual([da, db].sort());
  });
});
