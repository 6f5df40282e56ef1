import { describe, expect, it } from 'vitest';
import { attributeIncident } from '../../src/attribution/suspects.js';
import { prng } from '../../src/demo/scenario-text.js';
import { ingestSignals } from '../../src/ingest/signals.js';
import { importJson, paymentsStory } from '../helpers/stories.js';

const MIN = 60_000;

/** One-minute error-rate samples of payments from `from` for `minutes`; the level changes at `stepAt`. */
function errorRateCsv(from: number, minutes: number, stepAt: number, before: number, after: number): string {
  const rnd = prng(42);
  const rows = ['timestamp,metric,value,service,module'];
  for (let i = 0; i < minutes; i++) {
    const at = from + i * MIN;
    const level = at < stepAt ? before : after;
    rows.push(`${new Date(at).toISOString()},error_rate,${(level * (0.8 + 0.4 * rnd())).toFixed(5)},,payments`);
  }
  return rows.join('\n');
}

async function deployLinks(withStep: boolean) {
  const { ctx } = await paymentsStory();
  const deployedAt = Date.parse('2026-02-03T12:00:00Z'); // the deploy that shipped the inducing commit
  const csv = errorRateCsv(deployedAt - 90 * MIN, 180, deployedAt, 0.004, withStep ? 0.03 : 0.004);
  const ingested = await ingestSignals(ctx, csv, { format: 'csv' });
  const { incidentIds } = importJson(ctx, [
    { id: 'INC-S', title: 'checkout errors', started_at: '2026-02-03T14:00:00Z', module: 'payments' },
  ]);
  const links = await attributeIncident(ctx, incidentIds[0]!);
  const deploys = links.filter((l) => l.kind === 'deploy');
  return {
    ingested,
    deploys,
    inducingDeploy: deploys.find((l) => l.evidence.reasons.some((r) => r.includes('finished 2 h'))),
  };
}

describe('error-rate step as attribution evidence', () => {
  it('raises the suspect score of the deploy it followed, and says why', async () => {
    const flat = await deployLinks(false);
    const step = await deployLinks(true);
    expect(step.ingested).toMatchObject({ format: 'csv', series: 1, samples: 180, modules: ['payments'] });
    expect(flat.inducingDeploy).toBeDefined();
    expect(step.inducingDeploy!.score).toBeGreaterThan(flat.inducingDeploy!.score + 0.1);
    expect(step.inducingDeploy!.evidence.factors['errorStep']).toBeGreaterThan(0.9);
    expect(step.inducingDeploy!.evidence.reasons.join('\n')).toMatch(
      /error rate of payments rose from 0\.4 % to [23](\.\d)? % in the 60 min after vs before \(median shift \d+(\.\d)? robust SD, Mann-Whitney p<0\.0001, n=60\/60\)/,
    );
    expect(flat.inducingDeploy!.evidence.factors['errorStep']).toBeUndefined();
    // The earlier deploy, with no step after it, is not raised.
    const earlier = (links: typeof step.deploys) =>
      links.find((l) => l.evidence.reasons.some((r) => r.includes('2 days')));
    expect(earlier(step.deploys)?.score).toBe(earlier(flat.deploys)?.score);
  });

  it("leaves out a step in another module's signal", async () => {
    const { ctx } = await paymentsStory();
    const deployedAt = Date.parse('2026-02-03T12:00:00Z');
    await ingestSignals(ctx, errorRateCsv(deployedAt - 90 * MIN, 180, deployedAt, 0.004, 0.03), { format: 'csv' });
    const { incidentIds } = importJson(ctx, [
      { id: 'INC-A', title: 'login errors', started_at: '2026-02-03T14:00:00Z', module: 'auth' },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    expect(links.some((l) => l.evidence.factors['errorStep'] !== undefined)).toBe(false);
  });

  it('compares the window the config sets (signalWindowMinutes)', async () => {
    const { ctx } = await paymentsStory();
    ctx.config.signalWindowMinutes = 30;
    const deployedAt = Date.parse('2026-02-03T12:00:00Z');
    await ingestSignals(ctx, errorRateCsv(deployedAt - 90 * MIN, 180, deployedAt, 0.004, 0.03), { format: 'csv' });
    const { incidentIds } = importJson(ctx, [
      { id: 'INC-W', title: 'checkout errors', started_at: '2026-02-03T14:00:00Z', module: 'payments' },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    const reasons = links.flatMap((l) => l.evidence.reasons).join('\n');
    expect(reasons).toMatch(/in the 30 min after vs before .* n=30\/30\)/);
  });

  it('re-ingesting the same file changes nothing', async () => {
    const { ctx } = await paymentsStory();
    const csv = errorRateCsv(Date.parse('2026-02-03T10:00:00Z'), 30, 0, 0.01, 0.01);
    expect((await ingestSignals(ctx, csv, { format: 'csv' })).changed).toBe(30);
    expect((await ingestSignals(ctx, csv, { format: 'csv' })).changed).toBe(0);
  });
});
