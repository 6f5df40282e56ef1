import { describe, expect, it } from 'vitest';
import { GitCache } from '../../src/attribution/blame.js';
import { maskFixMessage } from '../../src/attribution/similarity.js';
import { B_SZZ, HINDSIGHT_SZZ, L_SZZ, R_SZZ, runSzz, storeFacts, type SzzConfig } from '../../src/attribution/szz.js';
import { ingestGit } from '../../src/ingest/git.js';
import { gitdir, type GitDir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

/** A C file whose `check` function we break and fix; `extra` lines go before it. */
const source = (body: string, extra = '', indent = '    ') => `#include <stdio.h>

${extra}static int check(int len, int max)
{
${body
  .split('\n')
  .map((l) => indent + l)
  .join('\n')}
}

int main(void)
{
    return check(1, 2);
}
`;
const GOOD = 'if (len > max)\n    return -1;\nreturn 0;';
const BAD = 'if (len >= max + 1)\n    return -1;\nreturn 0;';

let day = 1;
const at = () => `2025-03-${String(day++).padStart(2, '0')}T10:00:00Z`;
const commit = (g: GitDir, files: Record<string, string | null>, message: string) =>
  g.commit({ files, message, date: at() });

async function szz(g: GitDir, fix: string, config: SzzConfig) {
  const ctx = testContext(g.path);
  await ingestGit(ctx);
  const facts = storeFacts(ctx.store);
  const f = facts(fix)!;
  return runSzz(
    g.path,
    { sha: fix, startedAt: f.authoredAt, maskedMessage: maskFixMessage(f.message) },
    config,
    facts,
    { cache: new GitCache() },
  );
}

describe('SZZ on synthetic histories with a known inducing commit', () => {
  it('modified-line fix: every variant blames the commit that wrote the changed line', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'src/check.c': source(GOOD) }, 'check: add length check');
    const inducing = commit(g, { 'src/check.c': source(BAD) }, 'check: allow one more byte');
    const fix = commit(g, { 'src/check.c': source(GOOD) }, 'check: fix off-by-one in length check');
    for (const config of [B_SZZ, R_SZZ, HINDSIGHT_SZZ]) {
      const r = await szz(g, fix, config);
      expect(r.chosen, config.name).toEqual([inducing]);
    }
  });

  it('several blamed commits: the one that wrote most of the changed lines wins, and the answer says why', async () => {
    day = 1;
    const g = gitdir();
    const body = (cond: string, ret: string, tail: string) => `if (${cond})\n    return ${ret};\n${tail}`;
    commit(g, { 'src/check.c': source(body('len > max', '-1', 'return 0;')) }, 'init');
    const other = commit(g, { 'src/check.c': source(body('len > max', '-1', 'return 1 - 1;')) }, 'style: spell zero');
    const inducing = commit(
      g,
      { 'src/check.c': source(body('len >= max + 1', '-2', 'return 1 - 1;')) },
      'check: allow one more byte, new code',
    );
    const fix = commit(g, { 'src/check.c': source(body('len > max', '-1', 'return 0;')) }, 'check: fix the byte bound');
    const r = await szz(g, fix, HINDSIGHT_SZZ);
    expect(r.candidates.map((c) => c.sha)).toEqual([inducing, other]);
    expect(r.chosen).toEqual([inducing]);
    expect(r.why).toContain(`ahead of ${other.slice(0, 10)} (`);
    expect(r.why).toMatch(/last touched 67% of the blamed lines/);
    expect((await szz(g, fix, B_SZZ)).chosen.sort()).toEqual([inducing, other].sort());
  });

  it('L-SZZ names the commit blamed for most lines, R-SZZ the most recent', async () => {
    day = 1;
    const g = gitdir();
    const body = (cond: string, ret: string, tail: string) => `if (${cond})\n    return ${ret};\n${tail}`;
    commit(g, { 'src/check.c': source(body('len > max', '-1', 'return 0;')) }, 'init');
    const most = commit(g, { 'src/check.c': source(body('len >= max + 1', '-2', 'return 0;')) }, 'check: widen');
    const newest = commit(g, { 'src/check.c': source(body('len >= max + 1', '-2', 'return 1 - 1;')) }, 'spell zero');
    const fix = commit(g, { 'src/check.c': source(body('len > max', '-1', 'return 0;')) }, 'check: fix');
    expect((await szz(g, fix, L_SZZ)).chosen).toEqual([most]);
    expect((await szz(g, fix, R_SZZ)).chosen).toEqual([newest]);
  });

  it('added-line-only fix: the lines around the addition (or its function) are blamed instead of giving up', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'src/check.c': source('return 0;') }, 'init');
    const inducing = commit(
      g,
      { 'src/check.c': source('int n = len * 2;\nif (n > max)\n    return -1;\nreturn 0;') },
      'check: scale length',
    );
    commit(g, { 'README.md': 'docs\n' }, 'docs');
    const fix = commit(
      g,
      {
        'src/check.c': source(
          'int n = len * 2;\nif (len < 0)\n    return -1;\nif (n > max)\n    return -1;\nreturn 0;',
        ),
      },
      'check: reject negative lengths',
    );
    expect((await szz(g, fix, B_SZZ)).chosen).toEqual([]);
    const r = await szz(g, fix, HINDSIGHT_SZZ);
    expect(r.chosen).toEqual([inducing]);
    expect(r.candidates[0]!.lines.map((l) => l.via)).toEqual(['adjacent', 'adjacent']);
    const fn = await szz(g, fix, { ...HINDSIGHT_SZZ, addOnly: 'function' });
    expect(fn.chosen).toEqual([inducing]);
    expect(fn.candidates[0]!.lines.some((l) => l.via === 'function')).toBe(true);
    expect((await szz(g, fix, { ...HINDSIGHT_SZZ, addOnly: 'none' })).notes.join('\n')).toMatch(/only added code/);
  });

  it('fix after a rename and a move inside the file: blame follows the lines to the inducing commit', async () => {
    day = 1;
    const g = gitdir();
    const check = (cond: string) =>
      `static int check(int len, int max)\n{\n    if (${cond})\n        return -1;\n    return 0;\n}\n`;
    const main = `int main(void)\n{\n${'    puts("hello");\n'.repeat(10)}    return check(1, 2);\n}\n`;
    const before = (cond: string) => `#include <stdio.h>\n\n${check(cond)}\n${main}`;
    const after = (cond: string) =>
      `#include <stdio.h>\n\nstatic int check(int len, int max);\n\n${main}\n${check(cond)}`;
    commit(g, { 'lib/old.c': before('len > max') }, 'init');
    const inducing = commit(g, { 'lib/old.c': before('len >= max + 1') }, 'check: allow one more byte');
    commit(g, { 'lib/old.c': null, 'lib/new.c': before('len >= max + 1') }, 'move old.c to new.c');
    // plain blame credits whoever moved the function below main(); -M its author
    const mover = commit(g, { 'lib/new.c': after('len >= max + 1') }, 'new: define helpers after main');
    const fix = commit(g, { 'lib/new.c': after('len > max') }, 'new: fix off-by-one');
    expect((await szz(g, fix, HINDSIGHT_SZZ)).chosen).toEqual([inducing]);
    expect((await szz(g, fix, B_SZZ)).chosen).toEqual([mover]);
  });

  it('whitespace-only and comment-only noise are looked through; B-SZZ takes them', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'src/check.c': source(GOOD, '/* limits */\n') }, 'init');
    const inducing = commit(g, { 'src/check.c': source(BAD, '/* limits */\n') }, 'check: allow one more byte');
    const reindent = commit(g, { 'src/check.c': source(BAD, '/* limits */\n', '\t') }, 'style: tabs');
    const comment = commit(g, { 'src/check.c': source(BAD, '/* length limits */\n', '\t') }, 'comment');
    const fix = commit(
      g,
      { 'src/check.c': source(GOOD, '/* length limits, inclusive */\n', '\t') },
      'check: fix bound',
    );
    const b = await szz(g, fix, B_SZZ);
    expect(b.chosen.sort()).toEqual([reindent, comment].sort());
    const h = await szz(g, fix, HINDSIGHT_SZZ);
    expect(h.chosen).toEqual([inducing]);
    expect(h.notes.join('\n')).toMatch(/comment-only line\(s\) the fix changed were not blamed/);
  });

  it('C statements that start with `*` or `--` are blamed, not skipped as comments', async () => {
    day = 1;
    const g = gitdir();
    const body = (store: string, step: string) =>
      `/*\n * Report the failing request.\n */\n*bad_wr = ${store};\n${step};\nreturn 0;`;
    commit(g, { 'src/verbs.c': source(body('wr', '--count')) }, 'init');
    const inducing = commit(
      g,
      { 'src/verbs.c': source(body('wr->next', '--total')) },
      'verbs: report the next request',
    );
    const fix = commit(g, { 'src/verbs.c': source(body('wr', '--count')) }, 'verbs: report the failing request');
    for (const config of [R_SZZ, HINDSIGHT_SZZ]) {
      const r = await szz(g, fix, config);
      expect(r.chosen, config.name).toEqual([inducing]);
    }
  });

  it('a fix to CMakeLists.txt blames the build change that broke it (a build file is not documentation)', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'CMakeLists.txt': 'project(x)\nadd_library(x x.c)\n', 'x.c': 'int x;\n' }, 'init');
    const inducing = commit(g, { 'CMakeLists.txt': 'project(x)\nadd_library(x x.c y.c)\n' }, 'build: add y');
    const fix = commit(g, { 'CMakeLists.txt': 'project(x)\nadd_library(x x.c)\n' }, 'build: y does not exist');
    expect((await szz(g, fix, HINDSIGHT_SZZ)).chosen).toEqual([inducing]);
  });

  it('a fix that changed only documentation blames it rather than naming nothing; B-SZZ blames source only', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'doc/ip-link.8': '.TH IP-LINK 8\nmtu NUMBER\n', 'ip.c': 'int x;\n' }, 'init');
    const inducing = commit(g, { 'doc/ip-link.8': '.TH IP-LINK 8\nmtu BYTES\n' }, 'man: mtu unit');
    const fix = commit(g, { 'doc/ip-link.8': '.TH IP-LINK 8\nmtu NUMBER\n' }, 'man: mtu is a number');
    expect((await szz(g, fix, HINDSIGHT_SZZ)).chosen).toEqual([inducing]);
    expect((await szz(g, fix, B_SZZ)).chosen).toEqual([]);
  });

  it('a commit that only reordered includes or re-wrapped a line is looked through, judged by its diff', async () => {
    day = 1;
    const g = gitdir();
    const file = (includes: string[], call: string) => `${includes.join('\n')}\n\nint main(void)\n{\n${call}\n}\n`;
    const [netIf, stdio, str] = ['#include <net/if.h>', '#include <stdio.h>', '#include <string.h>'];
    commit(g, { 'src/ip.c': file(['#include <linux/if.h>', stdio, str], '    return run(1, 2);') }, 'init');
    const inducing = commit(g, { 'src/ip.c': file([netIf, stdio, str], '    return run(1, 3);') }, 'ip: libc header');
    const tidy = commit(
      g,
      { 'src/ip.c': file([stdio, str, netIf], '    return run(1,\n               3);') },
      'ip: group includes, wrap a line',
    );
    const fix = commit(
      g,
      { 'src/ip.c': file([stdio, str, '#include <linux/if.h>'], '    return run(1,\n               2);') },
      'ip: back to the kernel header',
    );
    expect((await szz(g, fix, HINDSIGHT_SZZ)).chosen).toEqual([tidy]);
    const r = await szz(g, fix, { ...HINDSIGHT_SZZ, lookThroughCosmetic: true });
    expect(r.chosen).toEqual([inducing]);
    expect(r.notes.join('\n')).toMatch(/cosmetic change/);
  });

  it('a large reformatting commit in between is looked through (sweeping change, and .git-blame-ignore-revs)', async () => {
    day = 1;
    const g = gitdir();
    const many = (v: string) =>
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`gen/f${i}.c`, `int v${i} = ${v};\n`]));
    commit(g, { 'src/check.c': source(GOOD), ...many('0') }, 'init');
    const inducing = commit(g, { 'src/check.c': source(BAD) }, 'check: allow one more byte');
    // not only whitespace: parentheses added everywhere, so -w alone does not see through it
    const reformat = commit(
      g,
      { 'src/check.c': source(BAD.replace('len >= max + 1', '(len) >= (max + 1)')), ...many('(0)') },
      'treewide: parenthesise',
    );
    const fix = commit(g, { 'src/check.c': source(GOOD) }, 'check: fix bound');
    expect((await szz(g, fix, B_SZZ)).chosen).toEqual([reformat]);
    const h = await szz(g, fix, HINDSIGHT_SZZ);
    expect(h.chosen).toEqual([inducing]);
    expect(h.notes.join('\n')).toMatch(/looked through .* \(sweeping change \(101 files\)\)/);

    const small = gitdir();
    day = 1;
    commit(small, { 'src/check.c': source(GOOD) }, 'init');
    const cause = commit(small, { 'src/check.c': source(BAD) }, 'check: allow one more byte');
    const fmt = commit(small, { 'src/check.c': source(BAD.replace('len >= max + 1', '(len) >= (max + 1)')) }, 'fmt');
    commit(small, { '.git-blame-ignore-revs': `# formatting\n${fmt}\n` }, 'blame: ignore the formatting commit');
    const fix2 = commit(small, { 'src/check.c': source(GOOD) }, 'fix');
    expect((await szz(small, fix2, R_SZZ)).chosen).toEqual([cause]);
    expect((await szz(small, fix2, B_SZZ)).chosen).toEqual([fmt]);
    expect((await szz(small, fix2, HINDSIGHT_SZZ)).chosen).toEqual([cause]);
  });

  it('a merged branch: the branch commit that wrote the line is blamed, never the merge', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'src/check.c': source(GOOD), 'src/other.c': 'int x;\n' }, 'init');
    g.git('checkout', '-q', '-b', 'feature');
    const inducing = commit(g, { 'src/check.c': source(BAD) }, 'check: allow one more byte');
    g.git('checkout', '-q', 'main');
    commit(g, { 'src/other.c': 'int x = 1;\n' }, 'other');
    g.git('merge', '-q', '--no-ff', '-m', 'Merge branch feature', 'feature');
    const fix = commit(g, { 'src/check.c': source(GOOD) }, 'check: fix bound');
    const r = await szz(g, fix, HINDSIGHT_SZZ);
    expect(r.chosen).toEqual([inducing]);
    expect(r.candidates.map((c) => c.sha)).toEqual([inducing]);
  });

  it('drops a blamed change made after the incident began and says so', async () => {
    day = 1;
    const g = gitdir();
    commit(g, { 'src/check.c': source(GOOD) }, 'init');
    const inducing = commit(g, { 'src/check.c': source(BAD) }, 'check: allow one more byte');
    const later = commit(g, { 'src/check.c': source(BAD.replace('return -1;', 'return -22;')) }, 'check: use EINVAL');
    const fix = commit(g, { 'src/check.c': source(GOOD) }, 'check: fix bound');
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    const facts = storeFacts(ctx.store);
    const startedAt = facts(later)!.authoredAt - 3_600_000; // the incident began before `later` was written
    const r = await runSzz(g.path, { sha: fix, startedAt, maskedMessage: '' }, HINDSIGHT_SZZ, facts);
    expect(r.chosen[0]).toBe(inducing);
    expect(r.candidates.some((c) => c.sha === later)).toBe(false);
    expect(r.notes.join('\n')).toMatch(/newer than the incident/);
  });
});
