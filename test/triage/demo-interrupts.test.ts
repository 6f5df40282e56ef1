import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADR_0002 } from '../../src/demo/scenario-files.js';
import { demoInterrupts } from '../../src/demo/scenario-interrupts.js';
import { importInterrupts } from '../../src/triage/import.js';
import { logInterrupt } from '../../src/triage/interrupts.js';
import { triageReport } from '../../src/triage/report.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

const NOW = Date.parse('2026-08-31T12:00:00Z');

function demoRepo() {
  const repo = gitdir();
  repo.commit({
    message: 'docs(adr): 0002 idempotency keys',
    files: {
      'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002,
      'hindsight.config.json': JSON.stringify({ modules: { payments: ['src/payments/**'], auth: ['src/auth/**'] } }),
    },
  });
  const ctx = testContext(repo.path);
  ctx.clock = () => NOW;
  const file = join(tempDir(), 'demo-interrupts.json');
  writeFileSync(file, JSON.stringify(demoInterrupts(NOW), null, 2));
  return { ctx, file };
}

describe('the demo interrupts', () => {
  it('are deterministic and all in the past', () => {
    expect(JSON.stringify(demoInterrupts(NOW))).toBe(JSON.stringify(demoInterrupts(NOW)));
    const d = demoInterrupts(NOW);
    const times = [
      ...d.tasks.flatMap((t) => [t.started_at, t.finished_at ?? t.started_at]),
      ...d.interrupts.flatMap((i) => [i.created_at, i.responded_at ?? i.created_at]),
    ];
    for (const t of times) expect(Date.parse(t)).toBeLessThan(NOW);
    expect(d.tasks.length).toBeGreaterThanOrEqual(40);
    expect(d.interrupts.length).toBeGreaterThanOrEqual(20);
  });

  it('import cleanly and form the three recurring clusters the story needs', () => {
    const { ctx, file } = demoRepo();
    const res = importInterrupts(ctx, file);
    expect(res.rejected).toEqual([]);
    expect(res.interrupts.redactions).toBe(1); // the pasted DATABASE_URL password
    const clusters = ctx.store
      .prepare('SELECT category, module, size, label FROM clusters ORDER BY size DESC, id')
      .all() as { category: string; module: string; size: number; label: string }[];
    expect(clusters.slice(0, 3)).toEqual([
      expect.objectContaining({ category: 'missing_context', module: 'payments', size: 6 }),
      expect.objectContaining({ category: 'tool_failure', size: 5 }),
      expect.objectContaining({ category: 'policy_gap', size: 5 }),
    ]);
    expect(clusters[0]!.label).toMatch(/idempotency/);
    // Re-importing the same file adds nothing.
    expect(importInterrupts(ctx, file).interrupts).toMatchObject({
      inserted: 0,
      alreadyImported: res.interrupts.inserted,
    });
  });

  it('point the next agent at ADR-0002, and the report at the ADR nobody loads', () => {
    const { ctx, file } = demoRepo();
    importInterrupts(ctx, file);
    const logged = logInterrupt(ctx, {
      kind: 'correction',
      category: 'missing_context',
      summary: 'Reviewer: the charge retry must send the same idempotency key on every attempt',
      paths: ['src/payments/retry.ts'],
      agent: 'claude',
      source: 'human',
      createdAt: NOW,
    });
    expect(logged.cluster).toMatchObject({ recurring: true, suggestedFix: 'adr' });
    expect(logged.coveredBy[0]).toMatchObject({ kind: 'adr', ref: 'ADR-0002' });
    expect(logged.coveredBy[0]!.text).toBe(
      "ADR-0002 'Idempotency keys for payment retries' covers this (shared: idempotency, key, retry, attempt, directory src/payments): read docs/adr/0002-idempotency-keys-for-payment-retries.md",
    );
    expect(logged.cluster.lastAnswer?.response).toMatch(/idempotency key/);
    expect(logged.similar.length).toBeGreaterThan(0);

    const r = triageReport(ctx);
    expect(r.topClusters.map((c) => c.suggestedFix).sort()).toEqual(['adr', 'rule', 'skill']);
    const adr = r.recurringWithoutFix.items.find((c) => c.suggestedFix === 'adr')!;
    expect(adr.existingDoc).toMatchObject({ ref: 'ADR-0002' });
    expect(r.intervention).toMatch(/ADR-0002/);
    expect(r.loops.map((l) => `${l.loop}:${l.state}`)).toEqual([
      'response:Throttled',
      'adr:Present',
      'rule:Present',
      'skill:Present',
    ]);
    for (const k of r.kpis) expect(k.previous, k.name === 'feedbackToDemo' ? undefined : k.name).not.toBeUndefined();
  });
});
