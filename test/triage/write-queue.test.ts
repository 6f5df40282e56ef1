import { describe, expect, it } from 'vitest';
import { logInterrupt, type NewEntry } from '../../src/triage/interrupts.js';
import { queueInterrupt } from '../../src/triage/write-queue.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';
import { mcpClient } from '../helpers/mcp.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

const count = (ctx: ReturnType<typeof testContext>, sql: string) => Number(ctx.store.prepare(sql).pluck().get());

describe('log_interrupt calls committed together (one server, many agents)', () => {
  it('stores every concurrent call over MCP, and two about the same new problem end in one cluster', async () => {
    const ctx = testContext(gitdir().path, { now: T0 });
    const client = await mcpClient(ctx);
    // 8 agents at once, over 3 modules; two of them hit the same new problem (no cluster for it exists yet).
    const calls = [
      { summary: 'Which idempotency key does a retried gateway charge send?', paths: ['src/payments/gateway.ts'] },
      { summary: 'Is the session cookie renewed on every request?', paths: ['src/auth/session.ts'] },
      { summary: 'Does a retried gateway charge reuse its idempotency key?', paths: ['src/payments/gateway.ts'] },
      { summary: 'Which index does the search page query for prefixes?', paths: ['src/search/query.ts'] },
      { summary: 'Who approves a schema change of the ledger table?', paths: ['src/payments/ledger.ts'] },
      { summary: 'How long may a login token live before refresh?', paths: ['src/auth/token.ts'] },
      { summary: 'Should ranking ignore stop words in titles?', paths: ['src/search/rank.ts'] },
      { summary: 'Where are refund webhooks retried after a timeout?', paths: ['src/payments/refund.ts'] },
    ];
    const answers = await Promise.all(
      calls.map((args, i) =>
        client.callTool({ name: 'log_interrupt', arguments: { ...args, category: 'missing_context', agent: `a${i}` } }),
      ),
    );
    const out = answers.map((a) => {
      expect(a.isError).toBeFalsy();
      return a.structuredContent as { id: number; module: string; cluster: { id: number; created: boolean } };
    });
    expect(new Set(out.map((o) => o.id)).size).toBe(8);
    expect(count(ctx, 'SELECT count(*) FROM interrupts')).toBe(8);
    // The second to be stored was planned on the same snapshot as the first, and still joins the first's cluster.
    expect(out[2]!.cluster).toMatchObject({ id: out[0]!.cluster.id, created: false });
    expect(out[0]!.cluster.created).toBe(true);
    expect(count(ctx, `SELECT count(*) FROM interrupts WHERE cluster_id = ${out[0]!.cluster.id}`)).toBe(2);
    expect(out.map((o) => o.module)).toEqual(calls.map((c) => c.paths[0]!.split('/')[1]));
    await client.close();
  });

  it("answers each call as logInterrupt would, and one entry's failure loses none of the others", async () => {
    const ctx = testContext(gitdir().path);
    const entry = (i: number, summary: string, externalId?: string): NewEntry => ({
      kind: 'interrupt',
      category: 'policy_gap',
      summary,
      paths: ['src/orders/checkout.ts'],
      agent: `agent-${i}`,
      source: 'agent',
      createdAt: T0 + i,
      ...(externalId ? { externalId } : {}),
    });
    logInterrupt(ctx, entry(0, 'Imported earlier: may checkout skip the fraud check?', 'jira-1'));
    const settled = await Promise.allSettled([
      queueInterrupt(ctx, entry(1, 'May checkout skip the fraud check for staff orders?')),
      // The same external id again: its insert fails inside the group's transaction.
      queueInterrupt(ctx, entry(2, 'Imported twice: may checkout skip the fraud check?', 'jira-1')),
      queueInterrupt(ctx, entry(3, 'Can staff orders skip the checkout fraud check?')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const [first, , third] = settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    expect(count(ctx, 'SELECT count(*) FROM interrupts')).toBe(3);
    // Same shape as a call logged on its own, and clustered with what came before it.
    const alone = logInterrupt(ctx, entry(4, 'Does a staff order skip the checkout fraud check?'));
    expect(Object.keys(third!).sort()).toEqual(Object.keys(alone).sort());
    expect(third!.cluster.id).toBe(first!.cluster.id);
    expect(third!.similar.map((s) => s.id)).toContain(first!.id);
    expect(alone.cluster.id).toBe(first!.cluster.id);
  });
});
