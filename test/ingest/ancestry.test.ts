import { describe, expect, it } from 'vitest';
import { gitAncestry, graphAncestry, type Ancestry } from '../../src/ingest/ancestry.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';

// A batch of release tags reads the commit graph once and answers the range questions in memory: every answer must
// be git's own, on merges, criss-cross merges, side lines and commits the graph was not read for.

function history() {
  const g = gitdir();
  let n = 0;
  const commit = (name: string) =>
    g.commit({
      files: { [`src/${name}.ts`]: `export const x = ${++n};\n` },
      message: name,
      date: `2026-03-${String(n).padStart(2, '0')}T10:00:00Z`,
    });
  const merge = (branch: string) => {
    g.git('merge', '-q', '--no-ff', '--no-edit', branch);
    return g.git('rev-parse', 'HEAD');
  };
  const m1 = commit('m1');
  const m2 = commit('m2');
  g.git('checkout', '-q', '-b', 'side', m1);
  const s1 = commit('s1');
  const s2 = commit('s2');
  g.git('checkout', '-q', 'main');
  const m3 = commit('m3');
  const mergeSide = merge('side'); // main's first parent is m3, the second s2
  g.git('checkout', '-q', 'side');
  const s3 = commit('s3');
  const back = merge('main'); // criss-cross: side takes main in
  g.git('checkout', '-q', 'main');
  const m4 = commit('m4');
  const forward = merge('side');
  g.git('checkout', '-q', '-b', 'stable', m2);
  const st1 = commit('st1'); // a line no tip below reaches
  g.git('checkout', '-q', 'main');
  const all = { m1, m2, s1, s2, m3, mergeSide, s3, back, m4, forward, st1 };
  return { g, all };
}

async function answers(a: Ancestry, shas: Record<string, string>) {
  const named = Object.entries(shas);
  const name = (s: string) => named.find(([, v]) => v === s)?.[0] ?? s;
  const sorted = (xs: Iterable<string>) => [...xs].map(name).sort();
  const out: Record<string, unknown> = {};
  const values = named.map(([, v]) => v);
  for (const [n, sha] of named) {
    out[`among ${n}`] = sorted(await a.ancestorsAmong(sha, values));
    const reached = [...(await a.ancestorsAmong(sha, values))].filter((s) => s !== sha);
    const tips = await a.independentOf(reached);
    out[`tips ${n}`] = sorted(tips);
    out[`line ${n}`] = sorted(await a.onFirstParentLine(sha, tips));
    for (const [m, other] of named) out[`between ${n}-${m}`] = sorted(await a.between(sha, other));
    // git counts with its own command (`rev-list --count`): asked against a few, to keep the test quick
    for (const m of ['m2', 'm4', 'back'].filter((k) => k in shas))
      out[`count ${n}-${m}`] = await a.countBetween(sha, shas[m]!);
  }
  out['independent all'] = sorted(await a.independentOf(values));
  return out;
}

describe('ancestry from the commit graph read once', () => {
  it('answers every range question as git does, and asks git about commits it was not read for', async () => {
    const { g, all } = history();
    const { st1, ...tagged } = all;
    const graph = await graphAncestry(g.path, [all.forward]);
    const git = gitAncestry(g.path);
    const expected = await answers(git, all);
    expect(await answers(graph, all)).toEqual(expected);
    // the checks above are not vacuous: merges give several tips, and the first-parent line picks one of them
    expect(expected['tips forward']).toEqual(['back', 'm4']);
    expect(expected['line forward']).toEqual(['m4']);
    expect(expected['count forward-m4']).toBe(3);
    expect(Object.keys(tagged)).not.toContain('st1');
    expect(await graph.between(st1, all.m1)).toEqual(await git.between(st1, all.m1));
  });

  it("stops at a shallow clone's boundary as git does", async () => {
    const { g, all } = history();
    const shallow = gitdir();
    shallow.git('fetch', '-q', '--depth', '3', `file://${g.path}`, 'main');
    const tip = shallow.git('rev-parse', 'FETCH_HEAD');
    expect(tip).toBe(all.forward);
    const graph = await graphAncestry(shallow.path, [tip]);
    const git = gitAncestry(shallow.path);
    const has = (sha: string) => {
      try {
        shallow.git('cat-file', '-e', sha);
        return true;
      } catch {
        return false;
      }
    };
    const present = Object.fromEntries(Object.entries(all).filter(([, sha]) => has(sha)));
    expect(Object.keys(present).length).toBeLessThan(Object.keys(all).length);
    expect(await answers(graph, present)).toEqual(await answers(git, present));
  });
});

describe('ancestry under clock skew', () => {
  // git's `rev-list C --not S` walks by commit date and stops once only uninteresting commits are left for a few
  // steps, so a path from S to C through commits dated before C is cut short and C is reported as not reached.
  // A deploy from CI asks exactly this question of git (no graph is read for one deploy), and its predecessor was lost.
  function skewed() {
    const g = gitdir();
    let n = 0;
    const commit = (date: string) =>
      g.commit({ files: { 'src/a.ts': `export const a = ${++n};\n` }, message: `c${n}`, date });
    commit('2026-03-01T10:00:00Z');
    const released = commit('2026-03-10T10:00:00Z');
    // eight commits whose committer clock was years behind, then one with the right time
    for (let i = 0; i < 8; i++) commit(`2020-01-0${1 + (i % 8)}T1${i}:00:00Z`);
    const next = commit('2026-03-20T10:00:00Z');
    return { g, released, next };
  }

  it("finds an ancestor git's date-ordered walk misses, from git and from the graph alike", async () => {
    const { g, released, next } = skewed();
    const walk = g.git('rev-list', released, '--not', next);
    expect(walk.split('\n')).toContain(released); // the premise: git's own walk misses it
    for (const a of [gitAncestry(g.path), await graphAncestry(g.path, [next])]) {
      expect([...(await a.ancestorsAmong(next, [released]))]).toEqual([released]);
    }
  });

  it('gives a deploy from CI its predecessor across the skewed commits, and only the commits between', async () => {
    const { g, released, next } = skewed();
    const ctx = testContext(g.path);
    const first = await recordDeploy(ctx, { ref: released, status: 'success', finishedAt: Date.UTC(2026, 2, 11) });
    const second = await recordDeploy(ctx, { ref: next, status: 'success', finishedAt: Date.UTC(2026, 2, 21) });
    expect(second.deploy.prevDeployId).toBe(first.deploy.id);
    expect(second.commitCount).toBe(9); // git rev-list released..next, not the whole history
  });
});
