import { describe, expect, it } from 'vitest';
import { rankSuspects } from '../../src/attribution/suspects.js';
import { ingestGit } from '../../src/ingest/git.js';
import { paymentsStory } from '../helpers/stories.js';

describe('suspect ranking as of the incident start (what the evaluation measures)', () => {
  it('reads no revert from after the start, and keeps only commits touching the files when asked', async () => {
    const { g, ctx, inducing, unrelated } = await paymentsStory();
    g.commit({
      files: { 'src/payments/notes.md': 'reverted\n' },
      message: `Revert "perf(payments): fail fast on slow gateway"\n\nThis reverts commit ${inducing}.\n`,
      date: '2026-02-06T09:00:00Z',
    });
    await ingestGit(ctx);
    const startedAt = Date.parse('2026-02-05T08:00:00Z');
    const files = [{ path: 'src/payments/gateway.ts', module: 'payments' }];
    const query = { startedAt, env: 'production', service: null, module: null, files };

    const now = rankSuspects(ctx, query);
    expect(now[0]!.target).toBe(inducing);
    expect(now[0]!.evidence.factors['reverted']).toBe(1); // the revert came later: known today

    const then = rankSuspects(ctx, query, { asOf: startedAt });
    expect(then[0]!.target).toBe(inducing);
    expect(then[0]!.evidence.factors['reverted']).toBeUndefined();
    expect(then[0]!.evidence.reasons.join(' ')).toMatch(/the most recent shipped change to a file the incident names/);
    const other = then.find((l) => l.target === unrelated)!;
    expect(other.score).toBeLessThan(then[0]!.score);
    expect(other.evidence.reasons.join(' ')).toMatch(/touches none of the files/);

    const related = rankSuspects(ctx, query, { asOf: startedAt, relatedOnly: true });
    expect(related.map((l) => l.target)).not.toContain(unrelated);
    expect(related[0]!.target).toBe(inducing);
  });
});
