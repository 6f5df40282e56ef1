import { describe, expect, it } from 'vitest';
import { assessChangeRisk } from '../../src/history/change-risk.js';
import { readModuleHistory } from '../../src/history/incident-history.js';
import { ingestSignals } from '../../src/ingest/signals.js';
import { paymentsStory } from '../helpers/stories.js';

describe("a module's share of production", () => {
  it('says what share of requests and cost a module carries, in change_risk and module_incident_history', async () => {
    const { ctx } = await paymentsStory();
    ctx.clock = () => Date.parse('2026-02-05T00:00:00Z');
    expect(assessChangeRisk(ctx, ['src/payments/gateway.ts']).reasons.join('\n')).not.toMatch(/production/);
    // payments carries 9 of 100 requests and 41 of 100 cost units; auth is mapped by its service name (a module the
    // history knows), search by its module label.
    const rows = [
      'timestamp,metric,value,service,module',
      '2026-02-04T10:00:00Z,requests,9,payments,',
      '2026-02-04T10:00:00Z,requests,60,auth,',
      '2026-02-04T10:00:00Z,requests,31,search-api,search',
      '2026-02-04T10:00:00Z,cost,41,payments,',
      '2026-02-04T10:00:00Z,cost,59,auth,',
      '2026-01-01T10:00:00Z,cost,500,payments,', // older than 30 days: not counted
    ];
    const res = await ingestSignals(ctx, rows.join('\n'), { format: 'csv' });
    expect(res.modules).toEqual(['auth', 'payments', 'search']);
    const line = 'payments: 9 % of requests, 41 % of cost (last 30 days of signals)';
    expect(assessChangeRisk(ctx, ['src/payments/gateway.ts']).reasons).toContain(`production: ${line}`);
    expect(readModuleHistory(ctx, { module: 'payments' }).notes).toContain(`production: ${line}`);
    expect(readModuleHistory(ctx, { module: 'auth' }).notes).toContain(
      'production: auth: 60 % of requests, 59 % of cost (last 30 days of signals)',
    );
  });
});
