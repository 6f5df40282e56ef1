import { describe, expect, it } from 'vitest';
import { revokeToken } from '../../../src/store/tokens.js';
import { testContext } from '../../helpers/context.js';
import { gitdir } from '../../helpers/gitdir.js';
import { teamServer } from './harness.js';

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

describe('/mcp tokens', () => {
  it('answers 401 with a Bearer challenge without a token, with a wrong, an expired or a revoked one', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx);
    const good = t.token('claude');
    const expired = t.token('claude', ['read'], { expiresAt: ctx.clock() - 1 });
    const revoked = t.token('claude');
    revokeToken(ctx.store, revoked.row.id, ctx.clock());
    const wrongSecret = good.token.slice(0, -4) + 'AAAA';

    const none = await t.rpc(LIST);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="hindsight"');
    for (const [token, why] of [
      ['hst_0123456789abcdef_' + 'x'.repeat(43), 'unknown token'],
      [wrongSecret, 'unknown token'],
      ['not-even-a-token', 'unknown token'],
      [expired.token, 'token expired'],
      [revoked.token, 'token revoked'],
    ] as const) {
      const res = await t.rpc(LIST, { authorization: `Bearer ${token}` });
      expect(res.status, why).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(`error="invalid_token", error_description="${why}"`);
      expect(JSON.stringify(await res.json())).not.toContain(token);
    }
    const ok = await t.rpc(LIST, { authorization: `Bearer ${good.token}` });
    expect(ok.status).toBe(200);
    // The request log says whose token it was, never the token.
    const log = (ctx as unknown as { logs: string[] }).logs.join('\n');
    expect(log).toMatch(/POST \/mcp 200 \d+ms agent=claude tools\/list/);
    for (const secret of [good.token, expired.token, revoked.token]) expect(log).not.toContain(secret);
  });

  it('stores only a salted hash: the same secret never appears in the database', async () => {
    const ctx = testContext(gitdir().path);
    const a = (await teamServer(ctx)).token('claude');
    const dump = JSON.stringify(ctx.store.prepare('SELECT * FROM access_tokens').all());
    const secret = a.token.slice('hst_0123456789abcdef_'.length);
    expect(secret).toHaveLength(43);
    expect(dump).not.toContain(secret);
    expect(dump).toContain(a.row.id);
  });

  it('refuses DELETE with 405 (the server keeps no sessions); the GET notification stream needs a token', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx);
    const del = await fetch(`${t.url}/mcp`, { method: 'DELETE', headers: { accept: 'text/event-stream' } });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, POST');
    const get = await fetch(`${t.url}/mcp`, { method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(401);
  });
});

describe('Host and Origin checks', () => {
  it('answers 403 to a rebinding Host and a foreign Origin, on /mcp and on the webhook routes', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx, { publicHosts: ['hindsight.acme.dev'] });
    const { token } = t.token('claude');
    const auth = { authorization: `Bearer ${token}` };
    const port = new URL(t.url).port;
    const at = (host: string, extra: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        // fetch() will not send a Host other than the URL's: use node:http, as a rebinding browser would.
        void import('node:http').then(({ request }) => {
          const req = request(
            { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host, ...auth, ...extra } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify(LIST));
        });
      });
    expect(await at('evil.example:' + port)).toBe(403);
    expect(await at('localhost:' + port, { origin: 'https://evil.example' })).toBe(403);
    expect(await at('localhost:' + port, { origin: 'null' })).toBe(403);
    expect(
      await at('hindsight.acme.dev', {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      }),
    ).toBe(200);
    expect(
      await at(`localhost:${port}`, {
        origin: `http://localhost:${port}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      }),
    ).toBe(200);

    const webhook = await fetch(`${t.url}/webhooks/incident`, {
      method: 'POST',
      body: '{}',
      headers: { origin: 'https://evil.example', authorization: 'Bearer incident-bearer-token' },
    });
    expect(webhook.status).toBe(403);
    // The probes carry no data and answer any Host: load balancers probe by address.
    expect((await fetch(`${t.url}/healthz`, { headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });
});
