import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { teamServer, twoAgents } from './harness.js';

const INCIDENT = {
  id: 'INC-77',
  title: 'Gateway timeouts on /charge',
  started_at: '2026-02-04T08:00:00Z',
  files: ['src/payments/gateway.ts'],
};

describe('digest subscriptions over the stateless team server', () => {
  it('a subscribed client hears notifications/resources/updated when a webhook incident lands on its changes', async () => {
    const ctx = await twoAgents();
    const t = await teamServer(ctx, { mcp: { access: {}, digestPollMs: 50 } });
    const client = await t.connect(t.token('claude').token);
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
    const heard: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      heard.push(n.params.uri);
    });
    await client.subscribeResource({ uri: 'hindsight://digest/claude' });
    // Someone else's digest is not this token's to watch.
    await expect(client.subscribeResource({ uri: 'hindsight://digest/cursor' })).rejects.toThrow(/own digest/);
    // A resource hindsight does not have is "not found", said once (not "MCP error -32602: MCP error -32602: …").
    const unknown = client.subscribeResource({ uri: 'test://watched-resource' });
    await expect(unknown).rejects.toThrow(/^MCP error -32602: Resource test:\/\/watched-resource not found/);
    await new Promise((r) => setTimeout(r, 300)); // the GET stream is open and has seen the quiet state
    expect(heard).toEqual([]);

    expect((await t.incident(INCIDENT)).status).toBe(201);
    await expect.poll(() => heard, { timeout: 5_000, interval: 50 }).toEqual(['hindsight://digest/claude']);

    // Reading it lists the incident once, since the last read; the next read has nothing new.
    const read = async () =>
      ((await client.readResource({ uri: 'hindsight://digest/claude' })).contents[0] as { text: string }).text;
    const first = await read();
    expect(first).toMatch(/New incidents linked to your changes \(since 2026-02-03T00:00:00\.000Z, first read\)/);
    expect(first).toContain('INC-77 Gateway timeouts on /charge');
    const second = await read();
    expect(second).not.toContain('INC-77');
    expect(second).toMatch(/since 2026-02-10T00:00:00\.000Z\)\n\nNone\./);
  });

  it('an unsubscribed client hears nothing', async () => {
    const ctx = await twoAgents();
    const t = await teamServer(ctx, { mcp: { access: {}, digestPollMs: 50 } });
    const client = await t.connect(t.token('claude').token);
    const heard: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      heard.push(n.params.uri);
    });
    await client.subscribeResource({ uri: 'hindsight://digest/claude' });
    await client.unsubscribeResource({ uri: 'hindsight://digest/claude' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.incident(INCIDENT)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
    expect(heard).toEqual([]);
  });
});
