import { describe, expect, it } from 'vitest';
import { getIncidentBySource, listIncidentFiles } from '../../src/store/incidents.js';
import { gitdir } from '../helpers/gitdir.js';
import { PAGERDUTY_SECRET, webhookHarness } from './harness.js';

/** A PagerDuty v3 webhook event, shaped as in PagerDuty's documentation (developer.pagerduty.com, V3 webhooks). */
function pagerDutyEvent(type: string, o: { id?: string; at?: string } = {}) {
  return {
    event: {
      id: o.id ?? `01DEN${type.length}ZFZ6YA7BX2KQ6H6PZUS4`,
      event_type: type,
      resource_type: 'incident',
      occurred_at: o.at ?? '2026-01-04T12:00:00.000Z',
      agent: { html_url: 'https://acme.pagerduty.com/users/PLH1HKV', id: 'PLH1HKV', type: 'user_reference' },
      client: null,
      data: {
        id: 'PGR0VU2',
        type: 'incident',
        self: 'https://api.pagerduty.com/incidents/PGR0VU2',
        html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        number: 2,
        status: type === 'incident.resolved' ? 'resolved' : 'triggered',
        incident_key: 'd3640fbd41094207a1c11e58e46b1662',
        created_at: '2026-01-04T12:00:00Z',
        title: 'Checkout latency above SLO',
        service: {
          html_url: 'https://acme.pagerduty.com/services/PF9KMXH',
          id: 'PF9KMXH',
          self: 'https://api.pagerduty.com/services/PF9KMXH',
          summary: 'payments',
          type: 'service_reference',
        },
        assignees: [],
        escalation_policy: { id: 'PTNFPQX', summary: 'Payments on-call', type: 'escalation_policy_reference' },
        teams: [],
        priority: { id: 'PSO75BM', summary: 'P1', type: 'priority' },
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
}

describe('POST /webhooks/pagerduty', () => {
  it('opens an incident on incident.triggered and resolves it on incident.resolved, each event once', async () => {
    const h = await webhookHarness(gitdir().path);
    expect((await h.pagerduty(pagerDutyEvent('incident.triggered'))).body['outcome']).toBe('stored');
    expect(getIncidentBySource(h.ctx.store, 'pagerduty', 'PGR0VU2')).toMatchObject({
      title: 'Checkout latency above SLO',
      service: 'payments',
      severity: 'P1',
      status: 'open',
      startedAt: Date.parse('2026-01-04T12:00:00Z'),
      resolvedAt: null,
      url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
    });
    const resolved = pagerDutyEvent('incident.resolved', { at: '2026-01-04T13:30:00.000Z' });
    // Several signatures while a secret rotates: one valid is enough.
    expect((await h.pagerduty(resolved, ['old-secret', PAGERDUTY_SECRET])).status).toBe(200);
    expect(getIncidentBySource(h.ctx.store, 'pagerduty', 'PGR0VU2')).toMatchObject({
      status: 'resolved',
      resolvedAt: Date.parse('2026-01-04T13:30:00Z'),
    });
    expect((await h.pagerduty(resolved)).body['outcome']).toBe('duplicate');
    const other = await h.pagerduty(pagerDutyEvent('incident.acknowledged'));
    expect(other.body).toMatchObject({ outcome: 'ignored', why: 'incident.acknowledged events are not used' });
    expect(h.counts()).toMatchObject({ incidents: 1, webhook_deliveries: 3 });
  });

  it('refuses a missing or wrong signature with 401, and a body that is not an event with 400', async () => {
    const h = await webhookHarness(gitdir().path);
    expect((await h.pagerduty(pagerDutyEvent('incident.triggered'), ['wrong'])).status).toBe(401);
    const unsigned = await h.post('/webhooks/pagerduty', JSON.stringify(pagerDutyEvent('incident.triggered')), {});
    expect(unsigned.status).toBe(401);
    const shapeless = await h.pagerduty({ messages: [] });
    expect(shapeless.status).toBe(400);
    expect(String(shapeless.body['error'])).toMatch(/not a PagerDuty v3 webhook event: event: /);
    expect(h.counts()).toMatchObject({ incidents: 0, webhook_deliveries: 0 });
  });
});

describe('POST /webhooks/incident', () => {
  const row = {
    id: 'INC-7',
    source: 'opsgenie',
    title: 'Search returns 500s',
    severity: 'SEV2',
    started_at: '2026-01-05T10:00:00Z',
    files: ['src/search/query.ts'],
  };

  it('takes one incident in the import schema behind a bearer token, idempotently', async () => {
    const h = await webhookHarness(gitdir().path);
    expect(await h.incident(row, { key: 'k1' })).toMatchObject({
      status: 201,
      body: { outcome: 'stored', created: true },
    });
    const stored = getIncidentBySource(h.ctx.store, 'opsgenie', 'INC-7')!;
    expect(stored).toMatchObject({ title: 'Search returns 500s', severity: 'SEV2', status: 'open' });
    expect(listIncidentFiles(h.ctx.store, stored.id).map((f) => f.path)).toEqual(['src/search/query.ts']);
    expect((await h.incident(row, { key: 'k1' })).body['outcome']).toBe('duplicate');
    expect((await h.incident(row)).body['outcome']).toBe('unchanged');
    const resolved = await h.incident({ id: 'INC-7', source: 'opsgenie', resolved_at: '2026-01-05T11:00:00Z' });
    expect(resolved.body['outcome']).toBe('stored');
    expect(getIncidentBySource(h.ctx.store, 'opsgenie', 'INC-7')?.status).toBe('resolved');
    expect(h.counts()['incidents']).toBe(1);
  });

  it('refuses a wrong token with 401 and an invalid row with 400 naming the field, storing nothing', async () => {
    const h = await webhookHarness(gitdir().path);
    expect((await h.incident(row, { token: 'guess' })).status).toBe(401);
    const noToken = await h.post('/webhooks/incident', JSON.stringify(row), {});
    expect(noToken.status).toBe(401);
    const bad = await h.incident({ id: 'INC-8', title: 'x', started_at: '2026-01-05 10:00', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toMatch(/started_at: '2026-01-05 10:00' has no time zone/);
    expect(String(bad.body['error'])).toMatch(/colour: unknown field 'colour'/);
    const unknown = await h.incident({ id: 'INC-9', resolved_at: '2026-01-05T11:00:00Z' });
    expect(unknown.status).toBe(400);
    expect(String(unknown.body['error'])).toMatch(/not known yet; send title and started_at/);
    const backwards = await h.incident({ ...row, id: 'INC-10', resolved_at: '2026-01-05T09:00:00Z' });
    expect(String(backwards.body['error'])).toMatch(/resolved_at .* is before started_at/);
    expect((await h.incident([row])).status).toBe(400);
    expect(h.counts()).toMatchObject({ incidents: 0, webhook_deliveries: 0 });
  });
});

describe('the webhook server', () => {
  it('refuses bodies over the limit with 413, malformed JSON with 400, other paths and methods with 404/405', async () => {
    const h = await webhookHarness(gitdir().path, { maxBodyBytes: 64 * 1024 });
    const big = await h.incident({ id: 'INC-1', title: 'x'.repeat(70 * 1024), started_at: '2026-01-05T10:00:00Z' });
    expect(big.status).toBe(413);
    expect(String(big.body['error'])).toMatch(/body larger than 65536 bytes/);
    const malformed = await h.post('/webhooks/incident', '{"id": "INC-1",', {
      authorization: 'Bearer incident-bearer-token',
    });
    expect(malformed.status).toBe(400);
    expect(String(malformed.body['error'])).toMatch(/not valid JSON/);
    expect((await h.post('/webhooks/nope', '{}', {})).status).toBe(404);
    const get = await fetch(`${h.server.url}/webhooks/github`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(h.counts()).toMatchObject({ incidents: 0, webhook_deliveries: 0 });
  });

  it('listens on loopback by default and enables only the endpoints that have a secret', async () => {
    const h = await webhookHarness(gitdir().path, { pagerdutySecret: undefined, incidentToken: undefined });
    expect(h.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.server.routes).toEqual(['/webhooks/github']);
    const res = await h.post('/webhooks/incident', '{}', {});
    expect(res).toEqual({ status: 404, body: { error: 'no endpoint /webhooks/incident; enabled: /webhooks/github' } });
  });
});
