import { describe, expect, it } from 'vitest';
import { textOf } from '../../helpers/mcp.js';
import { teamServer, twoAgents } from './harness.js';

type Impact = {
  identity: { value: string; source: string };
  deploys: { myCommits: { subject: string }[]; incidents: { id: string }[] }[];
};

describe('one server for the whole team', () => {
  it('two agent tokens, a webhook incident: each agent sees it in its own my_deploy_impact', async () => {
    const ctx = await twoAgents();
    const t = await teamServer(ctx);
    const claude = await t.connect(t.token('claude').token);
    const cursor = await t.connect(t.token('cursor').token);

    const delivered = await t.incident({
      id: 'INC-42',
      title: 'Checkout fails: charge amount off and gateway timeouts',
      started_at: '2026-02-04T08:00:00Z',
      files: ['src/payments/gateway.ts', 'src/payments/charge.ts'],
    });
    expect(delivered.status).toBe(201);

    const mine = async (client: typeof claude) =>
      (await client.callTool({ name: 'my_deploy_impact', arguments: {} })).structuredContent as Impact;
    const a = await mine(claude);
    const b = await mine(cursor);
    expect(a.identity).toMatchObject({ value: 'claude', source: 'token' });
    expect(b.identity).toMatchObject({ value: 'cursor', source: 'token' });
    // Each sees only its own commits, and the incident both shipped into.
    expect(a.deploys.flatMap((d) => d.myCommits.map((c) => c.subject))).toEqual([
      'perf(payments): shorter gateway timeout',
    ]);
    expect(b.deploys.flatMap((d) => d.myCommits.map((c) => c.subject))).toEqual(['feat(payments): charge in cents']);
    expect(a.deploys.flatMap((d) => d.incidents.map((i) => i.id))).toEqual(['INC-42']);
    expect(b.deploys.flatMap((d) => d.incidents.map((i) => i.id))).toEqual(['INC-42']);
  });

  it('takes who "me" is from the token: another agent\'s name is refused in my_deploy_impact, ignored (and said) in writes', async () => {
    const ctx = await twoAgents();
    const t = await teamServer(ctx);
    const claude = await t.connect(t.token('claude').token);

    const peek = await claude.callTool({ name: 'my_deploy_impact', arguments: { agent: 'cursor' } });
    expect(peek.isError).toBe(true);
    expect(textOf(peek)).toMatch(/your token says you are 'claude'.*drop author\/agent 'cursor'/);
    const own = await claude.callTool({ name: 'my_deploy_impact', arguments: { agent: 'Claude' } });
    expect(own.isError).toBeFalsy();

    const logged = await claude.callTool({
      name: 'log_interrupt',
      arguments: { summary: 'Which retry policy applies to the gateway?', agent: 'cursor' },
    });
    expect(logged.structuredContent).toMatchObject({ agent: 'claude' });
    expect(textOf(logged)).toMatch(/agent 'cursor' ignored: your token says you are 'claude'/);
    const task = await claude.callTool({
      name: 'record_task',
      arguments: { action: 'start', id: 'T-1', agent: 'copilot' },
    });
    expect(task.structuredContent).toMatchObject({
      agent: 'claude',
      notes: [expect.stringMatching(/'copilot' ignored/)],
    });
    expect(ctx.store.prepare('SELECT agent FROM interrupts').all()).toEqual([{ agent: 'claude' }]);
    expect(ctx.store.prepare('SELECT agent FROM tasks').all()).toEqual([{ agent: 'claude' }]);
  });
});
