import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach } from 'vitest';
import type { Scope } from '../../../src/auth/scopes.js';
import { createToken } from '../../../src/auth/tokens.js';
import { recordDeploy } from '../../../src/ingest/deploys.js';
import { ingestGit } from '../../../src/ingest/git.js';
import type { AppContext } from '../../../src/context.js';
import { testContext } from '../../helpers/context.js';
import { gitdir } from '../../helpers/gitdir.js';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../../../src/webhooks/server.js';

export const INCIDENT_TOKEN = 'incident-bearer-token';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

/** `serve --http` in this process on a free loopback port over the given context; stopped after each test. */
export async function teamServer(ctx: AppContext, overrides: Partial<WebhookServerOptions> = {}) {
  const server: WebhookServer = await startWebhookServer(ctx, {
    port: 0,
    incidentToken: INCIDENT_TOKEN,
    mcp: { access: {} },
    ...overrides,
  });
  open.push(server);
  return {
    server,
    url: server.url,
    /** A new token for `agent` (default scopes read + log). */
    token(agent: string, scopes: Scope[] = ['read', 'log'], o: { expiresAt?: number } = {}) {
      return createToken(ctx, { agent, scopes, ...o });
    },
    /** The real SDK client over Streamable HTTP, sending the token (and any other headers). */
    async connect(token: string | undefined, headers: Record<string, string> = {}, query = '') {
      const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp${query}`), {
        requestInit: { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } },
      });
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(transport);
      open.push(client);
      return client;
    },
    /** A raw JSON-RPC POST to /mcp, for status codes and headers the client hides. */
    rpc(body: unknown, headers: Record<string, string> = {}) {
      return fetch(`${server.url}/mcp`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      });
    },
    incident(row: unknown) {
      return fetch(`${server.url}/webhooks/incident`, {
        method: 'POST',
        body: JSON.stringify(row),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${INCIDENT_TOKEN}` },
      });
    },
  };
}

const NOW = Date.parse('2026-02-10T00:00:00Z');

/** One deploy that shipped a Claude change to the gateway and a Cursor change to the charge code. */
export async function twoAgents() {
  const g = gitdir();
  g.commit({
    files: { 'src/payments/gateway.ts': 'export const t = 1;\n' },
    message: 'init',
    date: '2026-02-01T09:00:00Z',
  });
  const base = g.commit({ files: { 'README.md': 'x\n' }, message: 'docs', date: '2026-02-01T10:00:00Z' });
  g.commit({
    files: { 'src/payments/gateway.ts': 'export const t = 2;\n' },
    message: 'perf(payments): shorter gateway timeout\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n',
    author: { name: 'Maya Chen', email: 'maya@acme.dev' },
    date: '2026-02-03T09:00:00Z',
  });
  const head = g.commit({
    files: { 'src/payments/charge.ts': 'export const c = 2;\n' },
    message: 'feat(payments): charge in cents',
    author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
    date: '2026-02-03T10:00:00Z',
  });
  const ctx = testContext(g.path, { now: NOW });
  await ingestGit(ctx);
  await recordDeploy(ctx, { ref: base, status: 'success', finishedAt: Date.parse('2026-02-01T12:00:00Z') });
  await recordDeploy(ctx, { ref: head, status: 'success', finishedAt: Date.parse('2026-02-03T12:00:00Z') });
  return ctx;
}
