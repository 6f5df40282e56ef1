import { describe, expect, it } from 'vitest';
import { countSamples } from '../../src/store/signals.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { teamServer } from '../mcp/http/harness.js';

const CSV =
  'timestamp,metric,value,service\n2026-02-03T12:00:00Z,error_rate,0.01,payments\n2026-02-03T12:01:00Z,error_rate,0.02,payments\n';

describe('POST /signals', () => {
  it('stores pushed signals for a token with the signals scope only, and names a bad field', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx);
    const post = (token: string | undefined, body: string, query = '', type = 'text/csv') =>
      fetch(`${t.url}/signals${query}`, {
        method: 'POST',
        headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
      });
    const anonymous = await post(undefined, CSV);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="hindsight"');
    const agent = await post(t.token('claude', ['read', 'log']).token, CSV);
    expect(agent.status).toBe(403);
    expect(await agent.json()).toEqual({
      error: "POST /signals needs the 'signals' scope; create a token with --scope signals",
    });
    expect(countSamples(ctx.store)).toBe(0);

    const pusher = t.token('prometheus', ['signals']).token;
    const ok = await post(pusher, CSV);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ outcome: 'stored', format: 'csv', series: 1, samples: 2, changed: 2 });
    expect(await (await post(pusher, CSV)).json()).toMatchObject({ outcome: 'unchanged', changed: 0 });

    const prom = JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: { service: 'payments' }, values: [[1770120000, '0.5']] }] },
    });
    const bad = await post(pusher, prom, '?format=prom', 'application/json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: expect.stringMatching(/^data\.result\[0\]\.metric: no metric kind/),
      field: 'data.result[0].metric',
    });
    const named = await post(pusher, prom, '?format=prom&metric=latency_p95', 'application/json');
    expect(await named.json()).toMatchObject({ outcome: 'stored', series: 1 });
    const wrong = await post(pusher, prom, '?metric=cpu', 'application/json');
    expect(await wrong.json()).toMatchObject({
      field: 'metric',
      error: expect.stringMatching(/\?metric='cpu' must be one of/),
    });
    expect(countSamples(ctx.store)).toBe(3);
  });
});
