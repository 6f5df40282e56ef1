import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { computeKpis, median, percentile } from '../../src/triage/kpis.js';
import { logInterrupt, resolveInterrupt, type NewEntry } from '../../src/triage/interrupts.js';
import { triageReport } from '../../src/triage/report.js';
import { recordTask } from '../../src/triage/tasks.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

const IDEMPOTENCY = { category: 'missing_context', paths: ['src/payments/gateway.ts'] } as const;
const E2E = { category: 'tool_failure', paths: ['test/e2e/checkout.spec.ts'] } as const;

function log(ctx: AppContext, e: Partial<NewEntry> & { summary: string; createdAt: number }) {
  return logInterrupt(ctx, { kind: 'interrupt', source: 'agent', agent: 'claude', ...e }).id;
}

function task(ctx: AppContext, id: string, start: string, finish?: [string, 'completed' | 'failed' | 'abandoned']) {
  recordTask(ctx, { action: 'start', id, agent: 'claude', at: at(start) });
  if (finish) recordTask(ctx, { action: 'finish', id, outcome: finish[1], at: at(finish[0]) });
}

function insertFix(
  ctx: AppContext,
  f: { type: string; title: string; clusterId: number; createdAt: number; mergedAt?: number },
) {
  const r = ctx.store
    .prepare(
      `INSERT INTO fixes (type, title, path, status, cluster_id, created_at, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      f.type,
      f.title,
      `docs/${f.title}.md`,
      f.mergedAt ? 'merged' : 'proposed',
      f.clusterId,
      f.createdAt,
      f.mergedAt ?? null,
    );
  return Number(r.lastInsertRowid);
}

/**
 * The hand-checked fixture. Current window [Mar 8, Mar 15), previous [Mar 1, Mar 8):
 *
 * tasks  previous: p1 (completed, 1 interrupt), p2 (completed, none), t0 started Mar 7 → started 3, finished 2, autonomous 1
 *        current:  t0 finishes Mar 8 (completed, none), t1 (completed, none), t2 (completed, 1 interrupt + 1 correction),
 *                  t3 (failed, none), t4 (running, 1 interrupt) → started 4 (t1–t4), finished 4 (t0–t3), autonomous 2 (t0, t1)
 * interrupts previous: j1 +4 h, j2 +8 h (both idempotency)        → rate 2/3, MTTC median 6 h, p90 8 h
 *            current:  i1 +30 min, i2 +2 h (idempotency), i3 +10 h, i4 waiting (e2e) → rate 4/4, median 2 h, p90 10 h
 * clusters  idempotency: 2 entries in each window; fix F1 covers it from Mar 12 → coverage prev 0/1, current 1/2 (e2e uncovered)
 * feedback  correction c1 (Mar 10 11:00) → fix F2 merged Mar 14 12:00 = 97 h; previous: none
 */
function fixture() {
  const ctx = testContext(gitdir().path);
  task(ctx, 'p1', '2026-03-02T09:00:00Z', ['2026-03-02T17:00:00Z', 'completed']);
  task(ctx, 'p2', '2026-03-03T09:00:00Z', ['2026-03-03T12:00:00Z', 'completed']);
  task(ctx, 't0', '2026-03-07T20:00:00Z', ['2026-03-08T10:00:00Z', 'completed']);
  task(ctx, 't1', '2026-03-09T10:00:00Z', ['2026-03-09T12:00:00Z', 'completed']);
  task(ctx, 't2', '2026-03-10T09:00:00Z', ['2026-03-10T18:00:00Z', 'completed']);
  task(ctx, 't3', '2026-03-11T09:00:00Z', ['2026-03-11T18:00:00Z', 'failed']);
  task(ctx, 't4', '2026-03-12T09:00:00Z');

  const j1 = log(ctx, {
    ...IDEMPOTENCY,
    taskId: 'p1',
    summary: 'Does the gateway retry need the same idempotency key on every attempt?',
    createdAt: at('2026-03-02T10:00:00Z'),
  });
  const j2 = log(ctx, {
    ...IDEMPOTENCY,
    summary: 'Should a retried gateway charge reuse its idempotency key?',
    createdAt: at('2026-03-04T10:00:00Z'),
  });
  const i1 = log(ctx, {
    ...IDEMPOTENCY,
    taskId: 't2',
    summary: 'Which idempotency key does a gateway charge retry send?',
    createdAt: at('2026-03-10T10:00:00Z'),
  });
  const c1 = log(ctx, {
    kind: 'correction',
    category: 'policy_gap',
    taskId: 't2',
    paths: ['migrations/0007_x.sql'],
    summary: 'Agent ran a production migration without approval',
    createdAt: at('2026-03-10T11:00:00Z'),
  });
  const i2 = log(ctx, {
    ...IDEMPOTENCY,
    taskId: 't4',
    summary: 'Gateway retries: reuse the idempotency key or make a new one?',
    createdAt: at('2026-03-12T10:00:00Z'),
  });
  const i3 = log(ctx, {
    ...E2E,
    summary: 'e2e checkout spec timed out, flaky?',
    createdAt: at('2026-03-13T10:00:00Z'),
  });
  const i4 = log(ctx, {
    ...E2E,
    summary: 'The e2e checkout spec is flaky again: timeout',
    createdAt: at('2026-03-14T10:00:00Z'),
  });

  const answer = (id: number, after: number, fixId?: number) => {
    const created = ctx.store.prepare('SELECT created_at AS c FROM interrupts WHERE id = ?').get(id) as { c: number };
    resolveInterrupt(ctx, {
      id,
      response: 'answered',
      respondedAt: created.c + after,
      resolvedAt: created.c + after,
      fixId,
    });
  };
  answer(j1, 4 * H);
  answer(j2, 8 * H);
  answer(i1, 0.5 * H);
  const clusterOf = (id: number) =>
    (ctx.store.prepare('SELECT cluster_id AS c FROM interrupts WHERE id = ?').get(id) as { c: number }).c;
  const f1 = insertFix(ctx, {
    type: 'adr',
    title: 'idempotency',
    clusterId: clusterOf(i2),
    createdAt: at('2026-03-12T11:00:00Z'),
    mergedAt: at('2026-03-13T00:00:00Z'),
  });
  ctx.clock = () => at('2026-03-12T12:00:00Z');
  answer(i2, 2 * H, f1); // covers the idempotency cluster as of Mar 12 12:00
  answer(i3, 10 * H);
  const f2 = insertFix(ctx, {
    type: 'rule',
    title: 'migrations',
    clusterId: clusterOf(c1),
    createdAt: at('2026-03-11T12:00:00Z'),
    mergedAt: at('2026-03-14T12:00:00Z'),
  });
  answer(c1, 0.1 * H, f2);
  return {
    ctx,
    ids: { j1, j2, i1, i2, i3, i4, c1 },
    clusters: { idempotency: clusterOf(i1), e2e: clusterOf(i3), migrations: clusterOf(c1) },
  };
}

describe('KPIs on a hand-checked fixture', () => {
  it('clusters the fixture as designed', () => {
    const { ctx, ids, clusters } = fixture();
    const clusterOf = (id: number) =>
      (ctx.store.prepare('SELECT cluster_id AS c FROM interrupts WHERE id = ?').get(id) as { c: number }).c;
    expect([ids.j1, ids.j2, ids.i1, ids.i2].map(clusterOf)).toEqual(Array(4).fill(clusters.idempotency));
    expect(clusterOf(ids.i4)).toBe(clusters.e2e);
    expect(new Set(Object.values(clusters)).size).toBe(3);
  });

  it('computes the current window', () => {
    const { ctx } = fixture();
    const k = computeKpis(ctx.store, at('2026-03-08T00:00:00Z'), at('2026-03-15T00:00:00Z'));
    expect(k.counts).toMatchObject({
      tasksStarted: 4,
      tasksFinished: 4,
      tasksAutonomous: 2,
      interrupts: 4,
      corrections: 1,
      answered: 3,
      waiting: 1,
    });
    expect(k.interruptRate).toBe(1);
    expect(k.autonomousCompletionRate).toBe(0.5);
    expect(k.mttcMedianMs).toBe(2 * H);
    expect(k.mttcP90Ms).toBe(10 * H);
    // waits: 30 min, 2 h, 10 h answered; 14 h so far for i4 → median (2 h + 10 h) / 2
    expect(k.counts.waitMedianMs).toBe(6 * H);
    expect(k.counts).toMatchObject({ recurringClusters: 2, recurringCovered: 1, feedbackSamples: 1 });
    expect(k.contextCoverage).toBe(0.5);
    expect(k.feedbackToDemoMedianMs).toBe(97 * H);
  });

  it('computes the previous window and the deltas', () => {
    const { ctx } = fixture();
    ctx.clock = () => at('2026-03-15T00:00:00Z');
    const r = triageReport(ctx);
    const kpi = Object.fromEntries(r.kpis.map((k) => [k.name, k]));
    expect(kpi['interruptRate']).toMatchObject({ current: 1, previous: 0.667, delta: 0.333, trend: 'worse' });
    expect(kpi['autonomousCompletionRate']).toMatchObject({ current: 0.5, previous: 0.5, delta: 0, trend: 'same' });
    expect(kpi['meanTimeToCorrect']).toMatchObject({
      current: 2 * H,
      previous: 6 * H,
      delta: -4 * H,
      trend: 'better',
      p90: { current: 10 * H, previous: 8 * H },
    });
    // The fix existed only from Mar 12: in the previous window the recurring cluster was uncovered.
    expect(kpi['contextCoverage']).toMatchObject({ current: 0.5, previous: 0, delta: 0.5, trend: 'better' });
    expect(kpi['feedbackToDemo']).toMatchObject({ current: 97 * H, previous: null, delta: null, trend: 'n/a' });
    for (const k of r.kpis) expect(k.definition.length).toBeGreaterThan(40);
  });

  it('median and nearest-rank p90', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([1, 2, 3], 0.9)).toBe(3);
    expect(percentile([], 0.9)).toBeNull();
  });
});
