import { describe, expect, it } from 'vitest';
import { ADR_0002 } from '../../src/demo/scenario-files.js';
import { findCoverage } from '../../src/triage/coverage.js';
import { logInterrupt, resolveInterrupt } from '../../src/triage/interrupts.js';
import { triageReport } from '../../src/triage/report.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-08-31T12:00:00Z');

function repoWith(files: Record<string, string>) {
  const repo = gitdir();
  repo.commit({ message: 'docs', files });
  const ctx = testContext(repo.path);
  ctx.clock = () => NOW;
  return ctx;
}

const entry = {
  summary: 'Does a gateway retry reuse the idempotency key of the payment?',
  detail: null,
  paths: ['src/payments/gateway.ts'],
  module: 'payments',
  clusterId: null,
};

describe('coverage', () => {
  it('ignores superseded and rejected records', () => {
    const superseded = ADR_0002.replace('- Status: accepted', '- Status: Superceded by [5. Outbox](0005-outbox.md)');
    expect(
      findCoverage(repoWith({ 'docs/adr/0002-idempotency-keys-for-payment-retries.md': superseded }), entry),
    ).toEqual([]);
    expect(
      findCoverage(repoWith({ 'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002 }), entry)[0],
    ).toMatchObject({ ref: 'ADR-0002' });
  });

  it('puts the fix linked to the cluster first', () => {
    const ctx = repoWith({ 'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002 });
    const a = logInterrupt(ctx, {
      kind: 'interrupt',
      category: 'missing_context',
      ...entry,
      detail: undefined,
      source: 'agent',
      createdAt: NOW - DAY,
    });
    const fixId = Number(
      ctx.store
        .prepare(
          "INSERT INTO fixes (type, title, path, status, cluster_id, created_at) VALUES ('rule', 'Load ADR-0002 for payments', 'AGENTS.md', 'proposed', ?, ?)",
        )
        .run(a.cluster.id, NOW - DAY).lastInsertRowid,
    );
    resolveInterrupt(ctx, { id: a.id, response: 'see ADR-0002', fixId });
    const b = logInterrupt(ctx, {
      kind: 'interrupt',
      category: 'missing_context',
      ...entry,
      summary: 'Same idempotency key on every gateway retry?',
      detail: undefined,
      source: 'agent',
      createdAt: NOW,
    });
    expect(b.cluster.id).toBe(a.cluster.id);
    expect(b.coveredBy.map((c) => c.ref)).toEqual([`fix #${fixId}`, 'ADR-0002']);
    expect(b.coveredBy[0]!.text).toBe(
      `rule fix #${fixId} 'Load ADR-0002 for payments' (proposed) covers this cluster: read AGENTS.md`,
    );
  });
});

describe('loop states', () => {
  it('Absent without data', () => {
    const r = triageReport(repoWith({ 'README.md': '#' }));
    expect(r.loops.map((l) => l.state)).toEqual(['Absent', 'Absent', 'Absent', 'Absent']);
    expect(r.kpis.every((k) => k.current === null && k.trend === 'n/a')).toBe(true);
    expect(r.intervention).toMatch(/Nothing recurs without a fix/);
  });

  it('Throttled when a recurring cluster has had no fix for over 14 days, Present once one is proposed', () => {
    const ctx = repoWith({ 'README.md': '#' });
    const log = (summary: string, daysAgo: number) =>
      logInterrupt(ctx, {
        kind: 'interrupt',
        category: 'tool_failure',
        summary,
        source: 'agent',
        createdAt: NOW - daysAgo * DAY,
      });
    const first = log('npm run e2e timed out on the checkout spec', 20);
    log('e2e checkout spec timed out again, flaky', 3);
    log('flaky e2e: checkout spec timeout', 1);
    const r = triageReport(ctx);
    const skill = r.loops.find((l) => l.loop === 'skill')!;
    expect(skill.state).toBe('Throttled');
    expect(skill.reason).toContain(`without a skill for over 14 d (#${first.cluster.id})`);
    expect(r.recurringWithoutFix.items[0]).toMatchObject({
      id: first.cluster.id,
      count: 2,
      uncoveredDays: 20,
      suggestedFix: 'skill',
    });
    expect(r.intervention).toMatch(new RegExp(`^Write a skill for cluster #${first.cluster.id}`));
    ctx.store
      .prepare(
        "INSERT INTO fixes (type, title, path, status, cluster_id, created_at) VALUES ('skill', 'e2e', '.claude/skills/e2e/SKILL.md', 'proposed', ?, ?)",
      )
      .run(first.cluster.id, NOW - DAY);
    ctx.store.prepare('UPDATE clusters SET fix_id = 1, covered_at = ? WHERE id = ?').run(NOW - DAY, first.cluster.id);
    const after = triageReport(ctx);
    expect(after.loops.find((l) => l.loop === 'skill')!.state).toBe('Present');
    expect(after.fixes.awaitingReview.map((f) => f.path)).toEqual(['.claude/skills/e2e/SKILL.md']);
    expect(after.recurringWithoutFix.items).toEqual([]);
  });

  it('response loop Throttled when interrupts wait over 24 h (median) for a human', () => {
    const ctx = repoWith({ 'README.md': '#' });
    for (const d of [3, 2])
      logInterrupt(ctx, {
        kind: 'interrupt',
        summary: `Where is the runbook ${d}?`,
        source: 'agent',
        createdAt: NOW - d * DAY,
      });
    const r = triageReport(ctx);
    expect(r.loops[0]).toMatchObject({ loop: 'response', state: 'Throttled' });
    expect(r.loops[0]!.reason).toContain('2.5 d (median)');
  });
});
