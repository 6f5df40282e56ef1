import { describe, expect, it } from 'vitest';
import { moduleChangeStats, share } from '../../src/history/change-stats.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const ago = (days: number) => NOW - days * 86_400_000;
const ADA = { author: 'Ada', email: 'ada@example.com' };
const BOB = { author: 'Bob', email: 'Bob@Example.com' };
const GW = 'src/payments/gateway.ts';

describe('moduleChangeStats', () => {
  it('counts commits, authors, agent share, agents and reverts in 90 days and all time', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const seed = seeder(ctx);
    // Last 90 days: 2 human, 2 claude, 1 cursor pair, 1 human revert of a claude commit.
    seed.commit({ at: ago(10), ...ADA, files: [GW] });
    seed.commit({ at: ago(20), ...BOB, files: [GW] });
    const a1 = seed.commit({ at: ago(30), agent: 'claude', files: [GW, 'src/payments/fees.ts'] });
    seed.commit({ at: ago(40), agent: 'claude', files: [GW] });
    seed.commit({ at: ago(50), kind: 'pair', agent: 'cursor', ...ADA, files: [GW] });
    seed.commit({ at: ago(25), ...ADA, subject: 'Revert "claude change"', revertsSha: a1, files: [GW] });
    // Older: 1 human, 1 copilot, and bob (email in other case) reverting the human commit 150 days ago.
    const h3 = seed.commit({ at: ago(200), ...ADA, files: [GW] });
    seed.commit({ at: ago(300), agent: 'copilot', files: [GW] });
    seed.commit({ at: ago(150), email: 'bob@example.com', revertsSha: h3, files: [GW] });
    // Ignored: a merge, a commit elsewhere (and its revert), a commit after "now".
    seed.commit({ at: ago(5), ...BOB, isMerge: true, files: [GW] });
    const other = seed.commit({ at: ago(12), agent: 'devin', files: ['src/auth/x.ts'] });
    seed.commit({ at: ago(11), revertsSha: other, files: ['src/auth/x.ts'] });
    seed.commit({ at: NOW + 1000, agent: 'aider', files: [GW] });

    const s = moduleChangeStats(ctx.store, 'payments', NOW);
    expect(s.recent).toEqual({
      commits: 6,
      authors: 3, // ada, bob, claude: the cursor pair commit carries ada's email
      agentCommits: 3,
      agentShare: 0.5,
      agents: [
        { agent: 'claude', commits: 2 },
        { agent: 'cursor', commits: 1 },
      ],
      reverts: 1,
    });
    expect(s.allTime).toEqual({
      commits: 9,
      authors: 4, // + copilot; bob's two spellings are one author
      agentCommits: 4,
      agentShare: 0.44,
      agents: [
        { agent: 'claude', commits: 2 },
        { agent: 'copilot', commits: 1 },
        { agent: 'cursor', commits: 1 },
      ],
      reverts: 2,
    });
  });

  it('answers zeros for a module without commits', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const s = moduleChangeStats(ctx.store, 'nothing', NOW);
    expect(s.allTime).toEqual({ commits: 0, authors: 0, agentCommits: 0, agentShare: 0, agents: [], reverts: 0 });
  });

  it('rounds shares to two decimals', () => {
    expect(share(1, 3)).toBe(0.33);
    expect(share(2, 3)).toBe(0.67);
    expect(share(0, 0)).toBe(0);
  });
});
