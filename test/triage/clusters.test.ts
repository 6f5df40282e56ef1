import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { getCluster } from '../../src/store/clusters.js';
import { logInterrupt } from '../../src/triage/interrupts.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';
import { CORPUS } from './corpus.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

function logCorpus(ctx: AppContext, order: readonly number[]) {
  return order.map((i, k) => {
    const e = CORPUS[i]!;
    const res = logInterrupt(ctx, {
      kind: 'interrupt',
      category: e.category,
      summary: e.summary,
      detail: e.detail,
      paths: e.paths,
      agent: 'claude',
      source: 'agent',
      createdAt: T0 + k * 3_600_000,
    });
    return { group: e.group, cluster: res.cluster.id };
  });
}

/** Purity: share of entries whose cluster's majority group is their own. Completeness: the reverse. */
function measure(assigned: { group: string; cluster: number }[]) {
  const byCluster = new Map<number, string[]>();
  const byGroup = new Map<string, number[]>();
  for (const a of assigned) {
    byCluster.set(a.cluster, [...(byCluster.get(a.cluster) ?? []), a.group]);
    byGroup.set(a.group, [...(byGroup.get(a.group) ?? []), a.cluster]);
  }
  const majority = <T>(xs: T[]) => Math.max(...[...new Set(xs)].map((x) => xs.filter((y) => y === x).length));
  const sum = (m: Map<unknown, unknown[]>) => [...m.values()].reduce((n, xs) => n + majority(xs), 0);
  return {
    purity: sum(byCluster) / assigned.length,
    completeness: sum(byGroup) / assigned.length,
    clusters: byCluster.size,
    groups: byGroup.size,
  };
}

describe('clustering realistic entries', () => {
  it('groups the same problem in different words, keeps different problems apart', () => {
    const ctx = testContext(gitdir().path);
    const assigned = logCorpus(
      ctx,
      CORPUS.map((_, i) => i),
    );
    const m = measure(assigned);
    console.log(
      `clustering: ${CORPUS.length} entries, ${m.groups} problems → ${m.clusters} clusters; purity ${m.purity.toFixed(3)}, completeness ${m.completeness.toFixed(3)}`,
    );
    expect(m.purity).toBe(1);
    expect(m.completeness).toBeGreaterThanOrEqual(0.85);
  });

  it('is stable: the same input order gives the same clusters and labels', () => {
    const order = CORPUS.map((_, i) => i);
    const run = () => {
      const ctx = testContext(gitdir().path);
      const assigned = logCorpus(ctx, order);
      return assigned.map((a) => `${a.cluster}:${getCluster(ctx.store, a.cluster)!.label}`);
    };
    expect(run()).toEqual(run());
  });

  it('stays pure when the entries arrive interleaved in another order', () => {
    const ctx = testContext(gitdir().path);
    // A fixed shuffle: every 7th entry, wrapping (30 entries, 7 coprime).
    const order = CORPUS.map((_, i) => (i * 7) % CORPUS.length);
    expect(new Set(order).size).toBe(CORPUS.length);
    const m = measure(logCorpus(ctx, order));
    console.log(`clustering (interleaved): purity ${m.purity.toFixed(3)}, completeness ${m.completeness.toFixed(3)}`);
    expect(m.purity).toBe(1);
    expect(m.completeness).toBeGreaterThanOrEqual(0.8);
  });

  it('explains a cluster: label from shared terms, paths kept, scoped by category and module', () => {
    const ctx = testContext(gitdir().path);
    const assigned = logCorpus(ctx, [0, 1, 2, 3]);
    const c = getCluster(ctx.store, assigned[0]!.cluster)!;
    expect(new Set(assigned.map((a) => a.cluster)).size).toBe(1);
    expect(c.label).toMatch(/idempotency/);
    expect(c.label).toMatch(/retry/);
    expect(c.paths).toContain('src/payments/gateway.ts');
    expect(c).toMatchObject({ category: 'missing_context', module: 'payments', size: 4 });
    // Same words, another category: a new cluster.
    const other = logInterrupt(ctx, {
      kind: 'interrupt',
      category: 'tool_failure',
      summary: 'the gateway retry wrapper crashed reusing the idempotency key',
      paths: ['src/payments/retry.ts'],
      source: 'agent',
      createdAt: T0 + 10 * 3_600_000,
    });
    expect(other.cluster.id).not.toBe(c.id);
    expect(other.cluster.created).toBe(true);
  });
});
