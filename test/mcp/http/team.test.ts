import { describe, expect, it } from 'vitest';
import { ingestGit } from '../../../src/ingest/git.js';
import { recordDeploy } from '../../../src/ingest/deploys.js';
import { testContext } from '../../helpers/context.js';
import { gitdir } from '../../helpers/gitdir.js';
import { textOf } from '../../helpers/mcp.js';
import { teamServer } from './harness.js';

const NOW = Date.parse('2026-02-10T00:00:00Z');

/** One deploy that shipped a Claude change to the gateway and a Cursor change to the charge code. */
async function twoAgents() {
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
