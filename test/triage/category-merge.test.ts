import { describe, expect, it } from 'vitest';
import { logInterrupt, type NewEntry } from '../../src/triage/interrupts.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');

function setup() {
  const repo = gitdir();
  repo.commit({
    message: 'init',
    files: { 'hindsight.config.json': JSON.stringify({ modules: { payments: ['src/payments/**'] } }) },
  });
  return testContext(repo.path);
}

const correction = (over: Partial<NewEntry>): NewEntry => ({
  kind: 'correction',
  summary: 'Reviewer: the charge retry must send the same idempotency key on every attempt',
  paths: ['src/payments/gateway.ts'],
  source: 'human',
  createdAt: T0,
  ...over,
});

describe('a guessed category joins the cluster the same problem is in', () => {
  it('the same correction logged with and without category lands in one cluster', () => {
    const ctx = setup();
    const given = logInterrupt(ctx, correction({ category: 'missing_context' }));
    const guessed = logInterrupt(ctx, correction({ createdAt: T0 + 60_000 }));
    expect(guessed.cluster).toMatchObject({ id: given.cluster.id, created: false, size: 2 });
    // It takes the cluster's category rather than "other", and says so.
    expect(guessed).toMatchObject({ category: 'missing_context', categorySuggested: true });
    expect(guessed.notes.join('\n')).toContain(`category missing_context from cluster #${given.cluster.id}`);
  });

  it('also when the guessed category is not "other", and a given category still keeps its own clusters', () => {
    const ctx = setup();
    const policy = logInterrupt(
      ctx,
      correction({
        category: 'policy_gap',
        summary: 'Agent retried the charge without reusing its idempotency key',
      }),
    );
    // "command failed" guesses tool_failure; the problem is the policy_gap cluster's.
    const guessed = logInterrupt(
      ctx,
      correction({
        summary: 'Command failed: agent retried the charge without reusing its idempotency key',
        createdAt: T0 + 1,
      }),
    );
    expect(guessed.cluster.id).toBe(policy.cluster.id);
    expect(guessed.category).toBe('policy_gap');
    const given = logInterrupt(
      ctx,
      correction({
        category: 'tool_failure',
        summary: 'Command failed: agent retried the charge without reusing its idempotency key',
        createdAt: T0 + 2,
      }),
    );
    expect(given.cluster.id).not.toBe(policy.cluster.id);
  });
});
