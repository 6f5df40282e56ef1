import { Webhooks } from '@octokit/webhooks';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../../src/webhooks/server.js';
import { testContext } from '../helpers/context.js';

export const GITHUB_SECRET = 'gh-webhook-secret';
export const PAGERDUTY_SECRET = 'pd-signing-secret';
export const INCIDENT_TOKEN = 'incident-bearer-token';

const servers: WebhookServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** A webhook server on a free loopback port over a real database and repository, with every endpoint enabled. */
export async function webhookHarness(repoPath: string, overrides: Partial<WebhookServerOptions> = {}) {
  const ctx = testContext(repoPath);
  const server = await startWebhookServer(ctx, {
    port: 0,
    github: { secret: GITHUB_SECRET },
    pagerdutySecret: PAGERDUTY_SECRET,
    incidentToken: INCIDENT_TOKEN,
    ...overrides,
  });
  servers.push(server);
  const signer = new Webhooks({ secret: GITHUB_SECRET });
  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    ctx,
    server,
    post,
    sign: (text: string) => signer.sign(text),
    /** Sends a GitHub delivery signed with the shared secret (or `sign: 'wrong'` / `'none'`). */
    async github(event: string, payload: unknown, o: { delivery?: string; sign?: 'ok' | 'wrong' | 'none' } = {}) {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const signature =
        o.sign === 'wrong'
          ? await new Webhooks({ secret: 'not-the-secret' }).sign(text)
          : o.sign === 'none'
            ? undefined
            : await signer.sign(text);
      return post('/webhooks/github', text, {
        'x-github-event': event,
        'x-github-delivery': o.delivery ?? randomUUID(),
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      });
    },
    pagerduty(payload: unknown, secrets: string[] = [PAGERDUTY_SECRET]) {
      const text = JSON.stringify(payload);
      const sig = secrets.map((s) => `v1=${createHmac('sha256', s).update(text).digest('hex')}`).join(',');
      return post('/webhooks/pagerduty', text, { 'x-pagerduty-signature': sig });
    },
    incident(row: unknown, o: { token?: string; key?: string } = {}) {
      return post('/webhooks/incident', JSON.stringify(row), {
        authorization: `Bearer ${o.token ?? INCIDENT_TOKEN}`,
        ...(o.key ? { 'idempotency-key': o.key } : {}),
      });
    },
    /** Row counts of every table a delivery may write. */
    counts() {
      const n = (t: string) => (ctx.store.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      return Object.fromEntries(
        ['webhook_deliveries', 'deploys', 'builds', 'pull_requests', 'incidents', 'commits'].map((t) => [t, n(t)]),
      );
    },
  };
}
