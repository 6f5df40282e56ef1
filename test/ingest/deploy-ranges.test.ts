import { describe, expect, it } from 'vitest';
import { deployList } from '../../src/attribution/deploy-list.js';
import { deployImpact } from '../../src/attribution/impact.js';
import { ingestDeploysFromTags, recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { getDeploy } from '../../src/store/deploys.js';
import { testContext } from '../helpers/context.js';
import { gitdir, type GitDir } from '../helpers/gitdir.js';
import { shippedCommits } from '../../src/store/delivery.js';

// Real topologies: each deploy's commits must be exactly `git rev-list prev..this` over the right predecessor.

const day = (n: number) => `2026-02-${String(n).padStart(2, '0')}T10:00:00Z`;
const at = (n: number) => Date.parse(day(n));

function repo() {
  const g = gitdir();
  const commit = (name: string, n: number) =>
    g.commit({
      files: { [`src/${name}.ts`]: `export const ${name} = ${n};\n` },
      message: `feat: ${name}`,
      date: day(n),
    });
  return { g, commit };
}

/** The deploy recorded for `tag`, its commits, and `git rev-list tag --not prevTag` (the whole history when null). */
function range(ctx: ReturnType<typeof testContext>, g: GitDir, tag: string, prevTag: string | null) {
  const list = deployList(ctx, {}).deploys;
  const d = list.find((x) => x.ref === tag);
  if (!d) throw new Error(`no deploy for ${tag}`);
  const stored = (
    ctx.store.prepare('SELECT sha FROM deploy_commits WHERE deploy_id = ?').pluck().all(d.id) as string[]
  ).sort();
  const git = g
    .git('rev-list', tag, ...(prevTag ? ['--not', prevTag] : []))
    .split('\n')
    .filter(Boolean)
    .sort();
  return { prev: d.prev?.ref ?? null, stored, git, deploy: d };
}

function expectRanges(ctx: ReturnType<typeof testContext>, g: GitDir, pairs: [string, string | null][]) {
  for (const [tag, prevTag] of pairs) {
    const r = range(ctx, g, tag, prevTag);
    expect({ tag, prev: r.prev, commits: r.stored }).toEqual({ tag, prev: prevTag, commits: r.git });
    expect(r.deploy.commits).toBe(r.git.length);
  }
}

describe('deploy ranges by ancestry (release lines from tags)', () => {
  it('keeps a maintenance branch and a hotfix tag on their own chains beside main', async () => {
    const { g, commit } = repo();
    commit('m1', 1);
    commit('m2', 2);
    g.git('tag', 'v1.0');
    commit('m3', 3);
    g.git('checkout', '-q', '-b', 'stable/1.0', 'v1.0');
    commit('s1', 4);
    g.git('tag', 'v1.0.1');
    g.git('checkout', '-q', 'main');
    commit('m4', 5);
    g.git('tag', 'v1.1');
    g.git('checkout', '-q', 'stable/1.0');
    commit('s2', 6);
    g.git('tag', 'v1.0.2');
    g.git('checkout', '-q', 'main');
    commit('m5', 7);
    g.git('tag', 'v1.2');
    g.git('checkout', '-q', '--detach', 'v1.1');
    commit('h1', 8);
    g.git('tag', 'v1.1.1'); // a hotfix tag on no branch, after v1.2
    g.git('checkout', '-q', 'main');
    commit('m6', 9);
    g.git('tag', 'v1.3');

    const ctx = testContext(g.path);
    await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expectRanges(ctx, g, [
      ['v1.0', null],
      ['v1.0.1', 'v1.0'],
      ['v1.1', 'v1.0'],
      ['v1.0.2', 'v1.0.1'],
      ['v1.2', 'v1.1'],
      ['v1.1.1', 'v1.1'],
      ['v1.3', 'v1.2'],
    ]);
    expect(deployList(ctx, {}).deploys.every((d) => d.status === 'success' && d.shippedBefore === 0)).toBe(true);
  });

  it('ranges a cherry-pick onto a release branch on that branch, and the original on main', async () => {
    const { g, commit } = repo();
    commit('m1', 1);
    g.git('tag', 'v1.0');
    const fix = commit('fix', 2);
    g.git('checkout', '-q', '-b', 'stable/1.0', 'v1.0');
    g.gitAt(day(3), 'cherry-pick', '-x', fix);
    const picked = g.git('rev-parse', 'HEAD');
    g.git('tag', 'v1.0.1');
    g.git('checkout', '-q', 'main');
    commit('m2', 4);
    g.git('tag', 'v1.1');

    const ctx = testContext(g.path);
    await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expectRanges(ctx, g, [
      ['v1.0.1', 'v1.0'],
      ['v1.1', 'v1.0'],
    ]);
    expect(range(ctx, g, 'v1.0.1', 'v1.0').stored).toEqual([picked]);
    expect(range(ctx, g, 'v1.1', 'v1.0').stored).toContain(fix);
    // The same change, shipped first by the cherry-pick in v1.0.1: v1.1 says so, and DORA counts the change once.
    const byRef = new Map(deployList(ctx, {}).deploys.map((d) => [d.ref, d]));
    expect(byRef.get('v1.1')).toMatchObject({ commits: 2, shippedBefore: 1 });
    expect(byRef.get('v1.0.1')).toMatchObject({ commits: 1, shippedBefore: 0 });
    const shipped = shippedCommits(ctx.store, [byRef.get('v1.1')!.id, byRef.get('v1.0.1')!.id]);
    expect(shipped.filter((c) => c.firstShip).map((c) => c.sha)).toEqual(expect.arrayContaining([picked]));
    expect(shipped.find((c) => c.sha === fix)?.firstShip).toBe(0);
  });

  it('takes a merge forward from its own line and says which commits an earlier deploy already shipped', async () => {
    const { g, commit } = repo();
    commit('m1', 1);
    g.git('tag', 'v1.0');
    commit('m2', 2);
    g.git('tag', 'v1.1-rc1');
    g.git('checkout', '-q', '-b', 'stable/1.0', 'v1.0');
    const s1 = commit('s1', 3);
    const s2 = commit('s2', 4);
    g.git('tag', 'v1.0.1'); // newer than v1.1-rc1, and merged forward into main below
    g.git('checkout', '-q', 'main');
    g.gitAt(day(5), 'merge', '-q', '--no-ff', '-m', 'merge stable/1.0 forward', 'stable/1.0');
    commit('m3', 6);
    g.git('tag', 'v1.1');

    const ctx = testContext(g.path);
    await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expectRanges(ctx, g, [
      ['v1.1-rc1', 'v1.0'],
      ['v1.0.1', 'v1.0'],
      ['v1.1', 'v1.1-rc1'],
    ]);
    const final = range(ctx, g, 'v1.1', 'v1.1-rc1');
    expect(final.stored).toEqual(expect.arrayContaining([s1, s2]));
    expect(final.deploy.shippedBefore).toBe(2); // s1 and s2 shipped first in v1.0.1
    // "What happened after my change shipped" counts s1 once, in the release that shipped it first.
    const impact = deployImpact(ctx, { shas: [s1, s2], since: 0, until: at(28), limit: 10 });
    expect(impact.deploys.map((d) => d.id)).toEqual([range(ctx, g, 'v1.0.1', 'v1.0').deploy.id]);
    expect(impact.summary.myDeploys).toBe(1);
  });

  it('makes two tags on one sha one release, not a rollback of the releases between them', async () => {
    const { g, commit } = repo();
    commit('m1', 1);
    const start = commit('m2', 2);
    g.git('tag', 'v3.0');
    g.git('checkout', '-q', '-b', 'stable/2.9', 'HEAD~1');
    commit('s1', 3);
    g.git('tag', 'v2.9.1');
    g.git('checkout', '-q', 'main');
    g.gitAt(day(4), 'tag', '-a', 'v3.0-final', '-m', 'same commit, tagged again', start);
    commit('m3', 5);
    g.git('tag', 'v3.1');

    const ctx = testContext(g.path);
    const res = await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expect(res).toMatchObject({ matched: 4, added: 3, aliases: 1 });
    const list = deployList(ctx, {}).deploys;
    expect(list.map((d) => d.ref)).toEqual(['v3.0', 'v2.9.1', 'v3.1']);
    expect(list.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    expect(list.every((d) => d.rollbackTo === null && d.rolledBackBy === null)).toBe(true);
    // v2.9.1 reaches no earlier release, but m1 under it shipped in v3.0: what it brings is s1 alone
    expectRanges(ctx, g, [
      ['v2.9.1', 'v3.0'],
      ['v3.1', 'v3.0'],
    ]);
    expect(await ingestDeploysFromTags(ctx, { glob: 'v*' })).toMatchObject({ added: 0, skipped: 3, aliases: 1 });
  });

  it('ranges a release tagged only on its own branch from the previous release, not from the last tag on main', async () => {
    // Open vSwitch's shape: main is never tagged after v1.0; each x.y.0 is tagged on branch-x.y after a release commit
    const { g, commit } = repo();
    commit('m1', 1);
    g.git('tag', 'v1.0');
    const main = () => g.git('checkout', '-q', 'main');
    let n = 2;
    for (const line of ['2.0', '2.1', '2.2']) {
      commit(`work${n}`, n++);
      commit(`more${n}`, n++);
      g.git('checkout', '-q', '-b', `branch-${line}`);
      commit(`release${n}`, n++);
      g.git('tag', `v${line}.0`);
      main();
    }
    g.git('checkout', '-q', 'branch-2.1');
    commit('backport', n++);
    g.git('tag', 'v2.1.1');
    main();

    const ctx = testContext(g.path);
    await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expectRanges(ctx, g, [
      ['v2.0.0', 'v1.0'],
      ['v2.1.0', 'v2.0.0'], // not v1.0, its only deployed ancestor: that range repeats work2, more3 and m1's line
      ['v2.2.0', 'v2.1.0'],
      ['v2.1.1', 'v2.1.0'], // its own line's release leaves the backport alone; v2.2.0 would leave it and release7
    ]);
    expect(range(ctx, g, 'v2.2.0', 'v2.1.0').git).toHaveLength(3);
  });
});

describe('rollbacks that really happened (CD deploys)', () => {
  it('a deploy of an ancestor of the live sha is a rollback of the chain deploys it undoes', async () => {
    const { g, commit } = repo();
    const a = commit('a', 1);
    const b = commit('b', 2);
    const c = commit('c', 3);
    const d = commit('d', 4);
    const ctx = testContext(g.path);
    const da = await recordDeploy(ctx, { ref: a, status: 'success', finishedAt: at(1) });
    const dc = await recordDeploy(ctx, { ref: c, status: 'success', finishedAt: at(3) });
    const dd = await recordDeploy(ctx, { ref: d, status: 'success', finishedAt: at(4) });
    // b was never deployed, but it is an ancestor of what is live: going back to it undoes c and d.
    const back = await recordDeploy(ctx, { ref: b, status: 'success', finishedAt: at(5) });
    expect(back.rollbackTo?.id).toBe(da.deploy.id);
    expect(back.rolledBack.map((x) => x.id).sort()).toEqual([dc.deploy.id, dd.deploy.id].sort());
    expect(getDeploy(ctx.store, dd.deploy.id)?.rolledBackByDeployId).toBe(back.deploy.id);
    expect(back.deploy.prevDeployId).toBe(da.deploy.id);

    // Shipping forward again ranges from the rollback, and re-ships the undone commits (saying so).
    const e = commit('e', 6);
    const fwd = await recordDeploy(ctx, { ref: e, status: 'success', finishedAt: at(6) });
    expect(fwd.deploy.prevDeployId).toBe(back.deploy.id);
    expect(fwd.rollbackTo).toBeUndefined();
    const git = g.git('rev-list', e, '--not', b).split('\n').sort();
    const stored = ctx.store.prepare('SELECT sha FROM deploy_commits WHERE deploy_id = ?').pluck().all(fwd.deploy.id);
    expect((stored as string[]).sort()).toEqual(git);
    expect(deployList(ctx, {}).deploys.find((x) => x.id === fwd.deploy.id)?.shippedBefore).toBe(2); // c and d
    const impact = deployImpact(ctx, { shas: [c, e], since: 0, until: at(28), limit: 10 });
    expect(impact.deploys.map((x) => [x.id, x.myCommits.length, x.shippedAgain]).sort()).toEqual([
      [dc.deploy.id, 1, 0],
      [fwd.deploy.id, 1, 1], // e first shipped here; c again
    ]);

    // Re-deploying what is live is neither a rollback nor a new range.
    const again = await recordDeploy(ctx, { ref: e, status: 'success', finishedAt: at(7) });
    expect(again.rollbackTo).toBeUndefined();
    expect(again.rolledBack).toEqual([]);
    expect(again.commitCount).toBe(0);
  });
});

describe('deploy list', () => {
  it('says why it is empty, and names the known envs and services when a filter matches none', async () => {
    const { g, commit } = repo();
    const a = commit('a', 1);
    const ctx = testContext(g.path);
    expect(deployList(ctx, {}).empty).toMatch(/no deploys recorded yet.*ingest deploys --from-tags.*deploy record/);
    await ingestGit(ctx);
    const window = { shas: [a], since: 0, until: at(28), limit: 3 };
    await recordDeploy(ctx, { ref: a, status: 'success', finishedAt: at(1), env: 'staging', service: 'api' });
    await recordDeploy(ctx, { ref: a, status: 'success', finishedAt: at(2), env: 'production', service: 'api' });
    expect(() => deployList(ctx, { env: 'prod' })).toThrow(/no deploys in env 'prod'; known: production, staging/);
    expect(() => deployList(ctx, { service: 'web' })).toThrow(/service 'web'; known: api/);
    // A misspelt env is an error naming the known ones, not "none shipped in a deploy".
    expect(() => deployImpact(ctx, { ...window, env: 'prod' })).toThrow(
      /no deploys in env 'prod'; known: production, staging/,
    );
    expect(deployImpact(ctx, { ...window, env: 'staging' }).summary.myDeploys).toBe(1);
    expect(deployList(ctx, { env: 'staging' }).deploys.map((d) => [d.env, d.service, d.commits])).toEqual([
      ['staging', 'api', 1],
    ]);
  });
});
