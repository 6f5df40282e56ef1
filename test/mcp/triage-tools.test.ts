import { describe, expect, it } from 'vitest';
import { ADR_0002 } from '../../src/demo/scenario-files.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

const NOW = Date.parse('2026-08-31T12:00:00Z');

const SKILL = `---
name: e2e-flaky-checkout
description: Use when npm run e2e times out or flakes on the checkout spec. Warms the server up and retries the e2e suite.
---

# e2e flakes

Run \`npm run build\` first, then \`npm run e2e -- --retries=2\`.
`;

const AGENTS_MD = `# Agents

## Database migrations

Never run migrations against production. Open a pull request; the platform on-call approves every migration.

## Style

Prettier formats everything.
`;

function setup() {
  const repo = gitdir();
  repo.commit({
    message: 'docs',
    files: {
      'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002,
      '.claude/skills/e2e-flaky-checkout/SKILL.md': SKILL,
      'AGENTS.md': AGENTS_MD,
      'hindsight.config.json': JSON.stringify({ modules: { payments: ['src/payments/**'] } }),
    },
  });
  const ctx = testContext(repo.path);
  ctx.clock = () => NOW;
  return ctx;
}

type Logged = {
  id: number;
  category: string;
  categorySuggested: boolean;
  agent: string;
  redactions: number;
  module: string;
  cluster: { id: number; size: number; recurring: boolean; created: boolean; lastAnswer: { response: string } | null };
  similar: { id: number }[];
  coveredBy: { kind: string; ref: string; path: string; text: string }[];
};

describe('triage tools over MCP', () => {
  it('log_interrupt: suggests a category, redacts, clusters, and points at the ADR that covers it', async () => {
    const ctx = setup();
    const client = await mcpClient(ctx, { clientName: 'claude-code' });
    const first = await client.callTool({
      name: 'log_interrupt',
      arguments: {
        summary: "Didn't know whether a gateway retry must reuse the charge's idempotency key",
        detail: 'tried with ACME_PAY_API_KEY=sk_live_51HqLyjWDarjtT1zdp7dc against the sandbox',
        paths: ['src/payments/gateway.ts'],
      },
    });
    expect(first.isError).toBeFalsy();
    const a = first.structuredContent as Logged;
    expect(a).toMatchObject({
      category: 'missing_context',
      categorySuggested: true,
      agent: 'claude',
      redactions: 1,
      module: 'payments',
    });
    expect(a.cluster).toMatchObject({ size: 1, created: true, recurring: false });
    expect(a.coveredBy[0]).toMatchObject({ kind: 'adr', ref: 'ADR-0002' });
    const text = textOf(first);
    expect(text).toContain('1 secret(s) redacted');
    expect(text).toContain(
      "ADR-0002 'Idempotency keys for payment retries' covers this (shared: idempotency, key, retry, charges, directory src/payments): read docs/adr/0002-idempotency-keys-for-payment-retries.md",
    );
    expect(text).not.toContain('sk_live_51HqLyjWDarjtT1zdp7dc');

    await client.callTool({ name: 'resolve_interrupt', arguments: { id: a.id, response: 'Reuse it: see ADR-0002.' } });
    const second = (
      await client.callTool({
        name: 'log_interrupt',
        arguments: {
          kind: 'interrupt',
          category: 'missing_context',
          summary: 'Should retried gateway charges send the same idempotency key?',
          paths: ['src/payments/retry.ts'],
        },
      })
    ).structuredContent as Logged;
    expect(second.cluster).toMatchObject({ id: a.cluster.id, size: 2, recurring: true, created: false });
    expect(second.cluster.lastAnswer?.response).toBe('Reuse it: see ADR-0002.');
    expect(second.similar.map((s) => s.id)).toEqual([a.id]);
    await client.close();
  });

  it('log_interrupt: finds skills and rules that cover an entry', async () => {
    const client = await mcpClient(setup());
    const e2e = (
      await client.callTool({
        name: 'log_interrupt',
        arguments: {
          category: 'tool_failure',
          summary: 'npm run e2e timed out on the checkout spec again',
          agent: 'cursor',
        },
      })
    ).structuredContent as Logged;
    expect(e2e.coveredBy[0]).toMatchObject({ kind: 'skill', path: '.claude/skills/e2e-flaky-checkout/SKILL.md' });
    expect(e2e.agent).toBe('cursor');
    const policy = (
      await client.callTool({
        name: 'log_interrupt',
        arguments: {
          kind: 'correction',
          source: 'human',
          summary: 'Agent ran a database migration against production without approval',
          paths: ['migrations/0007_x.sql'],
        },
      })
    ).structuredContent as Logged;
    expect(policy.category).toBe('policy_gap');
    expect(policy.coveredBy[0]).toMatchObject({ kind: 'rule', path: 'AGENTS.md' });
    expect(policy.coveredBy[0]!.text).toBe(
      "rule 'Database migrations' in AGENTS.md covers this (shared: database, migration, approval, production, module migrations): read AGENTS.md",
    );
    const unrelated = (
      await client.callTool({
        name: 'log_interrupt',
        arguments: { summary: 'Which locale formats prices on the web checkout page?' },
      })
    ).structuredContent as Logged;
    expect(unrelated.coveredBy).toEqual([]);
    // One word shared with an ADR's title ("key") and two with its text is not the same problem.
    const e2eKey = (
      await client.callTool({
        name: 'log_interrupt',
        arguments: {
          category: 'tool_failure',
          summary: 'e2e checkout run timed out: the sandbox key was missing from the environment',
          paths: ['test/e2e/checkout.spec.ts'],
        },
      })
    ).structuredContent as Logged;
    expect(e2eKey.coveredBy.map((c) => c.ref)).not.toContain('ADR-0002');
    await client.close();
  });

  it('log_interrupt and resolve_interrupt: errors say how to fix the call', async () => {
    const client = await mcpClient(setup());
    const bad = await client.callTool({ name: 'log_interrupt', arguments: { summary: 'x', category: 'oops' } });
    expect(bad.isError).toBe(true);
    const missing = await client.callTool({ name: 'resolve_interrupt', arguments: { id: 999, response: 'ok' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('no interrupt #999; use the id log_interrupt returned');
    const { id } = (
      await client.callTool({ name: 'log_interrupt', arguments: { summary: 'Where is the feature flag list?' } })
    ).structuredContent as Logged;
    const noFix = await client.callTool({ name: 'resolve_interrupt', arguments: { id, response: 'ok', fix_id: 42 } });
    expect(textOf(noFix)).toContain('no fix #42');
    const early = await client.callTool({
      name: 'resolve_interrupt',
      arguments: { id, response: 'ok', responded_at: '2026-08-01T00:00:00Z' },
    });
    expect(textOf(early)).toContain('responded_at is before the entry was logged');
    await client.close();
  });

  it('resolve_interrupt: records the time to correct, idempotently', async () => {
    const ctx = setup();
    const client = await mcpClient(ctx);
    const { id } = (
      await client.callTool({ name: 'log_interrupt', arguments: { summary: 'Where is the feature flag list?' } })
    ).structuredContent as Logged;
    ctx.clock = () => NOW + 90 * 60_000;
    const res = await client.callTool({ name: 'resolve_interrupt', arguments: { id, response: 'docs/flags.md' } });
    expect(res.structuredContent).toMatchObject({
      timeToCorrectMs: 90 * 60_000,
      resolvedAt: '2026-08-31T13:30:00.000Z',
      fix: null,
    });
    expect(textOf(res)).toContain('1.5 h after it was logged');
    ctx.clock = () => NOW + 5 * 3_600_000;
    const again = await client.callTool({ name: 'resolve_interrupt', arguments: { id, response: 'docs/flags.md' } });
    expect(again.structuredContent).toMatchObject({ timeToCorrectMs: 90 * 60_000 });
    await client.close();
  });

  it('record_task: start and finish, repeat-safe, outcome required to finish', async () => {
    const client = await mcpClient(setup(), { clientName: 'cursor' });
    const start = await client.callTool({
      name: 'record_task',
      arguments: { action: 'start', id: 'T-1', title: 'Add refunds' },
    });
    expect(start.structuredContent).toMatchObject({ id: 'T-1', agent: 'cursor', change: 'created', finishedAt: null });
    const again = await client.callTool({ name: 'record_task', arguments: { action: 'start', id: 'T-1' } });
    expect(again.structuredContent).toMatchObject({ change: 'unchanged', title: 'Add refunds' });
    const noOutcome = await client.callTool({ name: 'record_task', arguments: { action: 'finish', id: 'T-1' } });
    expect(textOf(noOutcome)).toContain('finishing a task needs `outcome`');
    const done = await client.callTool({
      name: 'record_task',
      arguments: { action: 'finish', id: 'T-1', outcome: 'completed', at: '2026-08-31T14:00:00Z' },
    });
    expect(done.structuredContent).toMatchObject({
      change: 'updated',
      outcome: 'completed',
      finishedAt: '2026-08-31T14:00:00.000Z',
    });
    expect(textOf(done)).toContain('task T-1 "Add refunds" finished');
    await client.close();
  });

  it('record_task: finishing an id that was never started is an error with the fix, and stores nothing', async () => {
    const ctx = setup();
    const client = await mcpClient(ctx, { clientName: 'cursor' });
    const res = await client.callTool({
      name: 'record_task',
      arguments: { action: 'finish', id: 'T-404', outcome: 'completed' },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/no task 'T-404' was started.*action "start" and this id first/);
    expect(ctx.store.prepare('SELECT count(*) AS n FROM tasks').get()).toEqual({ n: 0 });
    await client.close();
  });

  it('triage_report: KPIs with definitions, clusters and loops; rejects an empty window', async () => {
    const ctx = setup();
    const client = await mcpClient(ctx);
    await client.callTool({
      name: 'record_task',
      arguments: { action: 'start', id: 'T-1', agent: 'claude', at: '2026-08-30T09:00:00Z' },
    });
    for (const summary of ['npm run e2e timed out on checkout', 'e2e checkout spec flaky: timeout again']) {
      await client.callTool({
        name: 'log_interrupt',
        arguments: { category: 'tool_failure', summary, task_id: 'T-1' },
      });
    }
    const res = await client.callTool({ name: 'triage_report', arguments: {} });
    expect(res.isError).toBeFalsy();
    const r = res.structuredContent as {
      kpis: { name: string; current: number | null; definition: string }[];
      topClusters: { suggestedFix: string; count: number }[];
      recurringWithoutFix: { items: { existingDoc: { ref: string } | null }[] };
      loops: { loop: string; state: string }[];
    };
    expect(r.kpis.map((k) => k.name)).toEqual([
      'interruptRate',
      'autonomousCompletionRate',
      'meanTimeToCorrect',
      'contextCoverage',
      'feedbackToDemo',
    ]);
    expect(r.kpis[0]!.current).toBe(2);
    expect(r.topClusters[0]).toMatchObject({ suggestedFix: 'skill', count: 2 });
    expect(r.recurringWithoutFix.items[0]!.existingDoc).toMatchObject({ ref: 'skill e2e-flaky-checkout' });
    expect(r.loops.find((l) => l.loop === 'skill')!.state).toBe('Present');
    expect(r.loops.find((l) => l.loop === 'rule')!.state).toBe('Absent');
    const text = textOf(res);
    expect(text).toContain('Interrupt Rate');
    expect(text).toContain('Definitions');
    expect(text.length).toBeLessThan(8000); // ≈ 2k tokens
    const empty = await client.callTool({ name: 'triage_report', arguments: { since: '2026-09-01T00:00:00Z' } });
    expect(textOf(empty)).toContain('must be before until');
    await client.close();
  });

  it('weekly_triage prompt and the per-agent digest resource', async () => {
    const ctx = setup();
    const client = await mcpClient(ctx, { clientName: 'claude-code' });
    const { id } = (
      await client.callTool({
        name: 'log_interrupt',
        arguments: {
          kind: 'correction',
          source: 'human',
          category: 'policy_gap',
          summary: 'Agent ran a migration on production without approval',
          paths: ['migrations/0007_x.sql'],
        },
      })
    ).structuredContent as Logged;
    const prompt = await client.getPrompt({ name: 'weekly_triage', arguments: {} });
    const agenda = (prompt.messages[0]!.content as { text: string }).text;
    expect(agenda).toContain('Weekly triage — 30 minutes');
    expect(agenda).toContain('## 4. The one highest-leverage intervention');
    expect(agenda).toContain('Owner: claude');

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('hindsight://digest/{agent}');
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('hindsight://digest/claude');
    const digest = await client.readResource({ uri: 'hindsight://digest/claude' });
    const md = (digest.contents[0] as { text: string }).text;
    expect(md).toContain('# hindsight digest for claude');
    expect(md).toContain(`#${id} correction (policy_gap`);
    await expect(client.readResource({ uri: 'hindsight://digest/nobody' })).rejects.toThrow(/known agents: claude/);
    await client.close();
  });
});
