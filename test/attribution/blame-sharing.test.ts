import { describe, expect, it } from 'vitest';
import { GitCache } from '../../src/attribution/blame.js';
import { maskFixMessage } from '../../src/attribution/similarity.js';
import {
  B_SZZ,
  HINDSIGHT_SZZ,
  L_SZZ,
  R_SZZ,
  blameFix,
  storeFacts,
  type FactsLookup,
  type FixFacts,
  type SzzConfig,
} from '../../src/attribution/szz.js';
import { ingestGit } from '../../src/ingest/git.js';
import { testContext } from '../helpers/context.js';
import { gitdir, type GitDir } from '../helpers/gitdir.js';

// The evaluation blames every fix under many SZZ configurations through one GitCache; these guard that sharing it
// gives each configuration exactly what its own blame would, with fewer git processes.

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `int ${tag}${i} = ${i};`).join('\n');
const file = (middle: string) =>
  `#include <stdio.h>\n\n${lines(12, 'a')}\n/* limits */\n${middle}\n\n${lines(12, 'b')}\n`;

let day = 1;
const commit = (g: GitDir, files: Record<string, string>, message: string) =>
  g.commit({ files, message, date: `2025-04-${String(day++).padStart(2, '0')}T10:00:00Z` });

/** A history where the variants ask for different lines: a changed comment, a blank line, an added line. */
function history(g: GitDir, extra: () => Record<string, string> = () => ({})): string {
  commit(g, { 'src/a.c': file('int max = 10;\nint min = 0;'), 'src/b.c': lines(30, 'c') }, 'init');
  commit(g, { 'src/a.c': file('int max = 11;\nint min = 0;') }, 'a: allow one more');
  commit(g, { 'src/b.c': lines(30, 'c').replace('int c7 = 7;', 'int c7 = 8;') }, 'b: seven is eight');
  commit(g, extra(), 'setup');
  return commit(
    g,
    {
      'src/a.c': file('int max = 10;\n\nint min = 0;').replace('/* limits */', '/* bounds */'),
      'src/b.c': lines(30, 'c').replace('int c7 = 7;', 'int c7 = 8;\nint c7b = 0;'),
    },
    'fix the limits',
  );
}

/** Blames `fix` under each configuration: with `cache` shared by all, or with a fresh cache each (alone). */
async function setUp(g: GitDir, fix: string) {
  const ctx = testContext(g.path);
  await ingestGit(ctx);
  const facts: FactsLookup = storeFacts(ctx.store);
  const f = facts(fix)!;
  const fixFacts: FixFacts = { sha: fix, startedAt: f.authoredAt, maskedMessage: maskFixMessage(f.message) };
  return {
    fixFacts,
    blameEach: async (configs: readonly SzzConfig[], cache?: GitCache) => {
      const out = [];
      for (const c of configs) out.push(await blameFix(g.path, fixFacts, c, facts, cache ?? new GitCache()));
      return out;
    },
  };
}

const CONFIGS: SzzConfig[] = [
  B_SZZ,
  R_SZZ,
  L_SZZ,
  HINDSIGHT_SZZ,
  { ...HINDSIGHT_SZZ, name: 'every line', skipLines: [] },
  { ...HINDSIGHT_SZZ, name: 'function', addOnly: 'function-always' },
];

describe('blame shared across SZZ configurations', () => {
  it('a shared cache gives each configuration what its own blame gives, with fewer git blame runs', async () => {
    day = 1;
    const g = gitdir();
    const fix = history(g, () => ({ 'README.md': 'readme\n' }));
    const { blameEach } = await setUp(g, fix);

    const caches = CONFIGS.map(() => new GitCache());
    const alone = [];
    for (const [i, c] of CONFIGS.entries()) alone.push(...(await blameEach([c], caches[i])));
    const shared = new GitCache();
    const together = await blameEach(CONFIGS, shared);

    expect(together).toEqual(alone);
    expect(shared.blameRuns).toBeLessThan(caches.reduce((n, c) => n + c.blameRuns, 0));
    // the configurations did ask for different lines: sharing had something to share
    const asked = new Set(alone.map((b) => JSON.stringify(b.lines.map((l) => [l.path, l.line]))));
    expect(asked.size).toBe(5);
  });

  it('an ignore-revs file naming a commit this clone lacks still looks through the ones it has', async () => {
    day = 1;
    const g = gitdir();
    const allowOneMore = () => g.git('log', '-1', '--format=%H', '--grep=allow one more');
    // frr's shape: the list names a commit its own history lacks, beside ones it has
    const fix = history(g, () => ({
      '.git-blame-ignore-revs': `# formatting\n${'0123456789'.repeat(4)}\n${allowOneMore()}\n`,
    }));
    const { blameEach } = await setUp(g, fix);
    const shared = new GitCache();
    const [blamed] = await blameEach([HINDSIGHT_SZZ], shared);
    const shas = blamed!.lines.map((l) => l.sha);
    expect(shas.length).toBeGreaterThan(0);
    // git refuses a list with a missing commit; before, blame then ran with no list and blamed `int max` on it
    expect(shas).not.toContain(allowOneMore());
    expect(shared.missingRevs.size).toBe(0); // no blame failed
  });
});
