import { describe, expect, it } from 'vitest';
import { ingestDeploysFromTags, recordDeploy } from '../../src/ingest/deploys.js';
import { getDeploy } from '../../src/store/deploys.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

const at = (day: number, hour = 12) => Date.UTC(2026, 0, day, hour);

function history() {
  const g = gitdir();
  const shas: string[] = [];
  for (let i = 1; i <= 6; i++) {
    shas.push(
      g.commit({
        files: { [`src/app/f${i}.ts`]: `export const v = ${i};\n` },
        message: `feat: step ${i}`,
        date: `2026-01-0${i}T10:00:00Z`,
      }),
    );
  }
  return { g, shas };
}

function deployShas(ctx: ReturnType<typeof testContext>, id: number): string[] {
  return (
    ctx.store.prepare('SELECT sha FROM deploy_commits WHERE deploy_id = ? ORDER BY sha').all(id) as { sha: string }[]
  ).map((r) => r.sha);
}

describe('deploy record', () => {
  it('links each deploy to the git range since the previous shipped deploy of the same env', async () => {
    const { g, shas } = history();
    const ctx = testContext(g.path);
    const d1 = await recordDeploy(ctx, { ref: shas[1]!, status: 'success', finishedAt: at(2) });
    const d2 = await recordDeploy(ctx, { ref: shas[3]!, status: 'success', finishedAt: at(4) });
    expect(d1.commitCount).toBe(2); // first deploy: everything up to it
    expect(d2.deploy.prevDeployId).toBe(d1.deploy.id);
    expect(deployShas(ctx, d2.deploy.id)).toEqual([shas[2]!, shas[3]!].sort());
    // another environment has its own chain
    const s1 = await recordDeploy(ctx, { ref: shas[3]!, env: 'staging', status: 'success', finishedAt: at(3) });
    expect(s1.deploy.prevDeployId).toBeNull();
    expect(s1.commitCount).toBe(4);
  });

  it('ingests the repository first when the deployed commit is new, and accepts tags and short shas', async () => {
    const { g, shas } = history();
    const ctx = testContext(g.path);
    const res = await recordDeploy(ctx, { ref: shas[5]!.slice(0, 8), status: 'success', finishedAt: at(6) });
    expect(res.deploy.sha).toBe(shas[5]);
    expect((ctx.store.prepare('SELECT count(*) AS n FROM commits').get() as { n: number }).n).toBe(6);
  });

  it('a failed deploy ships nothing: the next deploy ranges from the last shipped one', async () => {
    const { g, shas } = history();
    const ctx = testContext(g.path);
    const d1 = await recordDeploy(ctx, { ref: shas[1]!, status: 'success', finishedAt: at(2) });
    const bad = await recordDeploy(ctx, { ref: shas[3]!, status: 'failure', finishedAt: at(4) });
    const d3 = await recordDeploy(ctx, { ref: shas[4]!, status: 'success', finishedAt: at(5) });
    expect(bad.deploy.prevDeployId).toBe(d1.deploy.id);
    expect(d3.deploy.prevDeployId).toBe(d1.deploy.id);
    expect(deployShas(ctx, d3.deploy.id)).toEqual([shas[2]!, shas[3]!, shas[4]!].sort());
  });

  it('re-deploying an earlier sha is a rollback of every deploy in between', async () => {
    const { g, shas } = history();
    const ctx = testContext(g.path);
    const d1 = await recordDeploy(ctx, { ref: shas[1]!, status: 'success', finishedAt: at(2) });
    const d2 = await recordDeploy(ctx, { ref: shas[3]!, status: 'success', finishedAt: at(4) });
    const d3 = await recordDeploy(ctx, { ref: shas[4]!, status: 'success', finishedAt: at(5) });
    const back = await recordDeploy(ctx, { ref: shas[1]!, status: 'success', finishedAt: at(5, 18) });
    expect(back.rollbackTo?.id).toBe(d1.deploy.id);
    expect(back.rolledBack.map((d) => d.id).sort()).toEqual([d2.deploy.id, d3.deploy.id].sort());
    expect(back.commitCount).toBe(0);
    expect(getDeploy(ctx.store, d2.deploy.id)?.status).toBe('rolled_back');
    expect(getDeploy(ctx.store, d3.deploy.id)?.rolledBackByDeployId).toBe(back.deploy.id);
    // shipping forward again re-ships the rolled-back commits
    const fwd = await recordDeploy(ctx, { ref: shas[5]!, status: 'success', finishedAt: at(6) });
    expect(fwd.deploy.prevDeployId).toBe(back.deploy.id);
    expect(deployShas(ctx, fwd.deploy.id)).toHaveLength(4);
  });

  it('recording a deploy in the past re-ranges the deploys after it', async () => {
    const { g, shas } = history();
    const ctx = testContext(g.path);
    const late = await recordDeploy(ctx, { ref: shas[4]!, status: 'success', finishedAt: at(5) });
    expect(late.commitCount).toBe(5);
    const early = await recordDeploy(ctx, { ref: shas[2]!, status: 'success', finishedAt: at(3) });
    expect(early.commitCount).toBe(3);
    expect(getDeploy(ctx.store, late.deploy.id)?.prevDeployId).toBe(early.deploy.id);
    expect(deployShas(ctx, late.deploy.id)).toEqual([shas[3]!, shas[4]!].sort());
  });

  it('is idempotent by external id and validates its input', async () => {
    const { g, shas } = history();
    const ctx = testContext(g.path);
    const a = await recordDeploy(ctx, { ref: shas[1]!, status: 'success', finishedAt: at(2), externalId: 'run-1' });
    const b = await recordDeploy(ctx, { ref: shas[1]!, status: 'success', finishedAt: at(2), externalId: 'run-1' });
    expect(b.created).toBe(false);
    expect(b.deploy.id).toBe(a.deploy.id);
    await expect(recordDeploy(ctx, { ref: 'nope-not-a-ref', status: 'success' })).rejects.toThrow(/not a commit/);
    await expect(recordDeploy(ctx, { ref: shas[1]!, status: 'exploded' as never })).rejects.toThrow(/status/);
    await expect(recordDeploy(ctx, { ref: shas[1]!, status: 'success', env: 'prod env!' })).rejects.toThrow(/env/);
    await expect(recordDeploy(ctx, { ref: '--output=/tmp/x', status: 'success' })).rejects.toThrow(
      /not a valid git reference/,
    );
  });
});

describe('ingest deploys --from-tags', () => {
  it('makes each matching tag a release deploy at its date, once', async () => {
    const { g, shas } = history();
    g.git('tag', 'v1.0.0', shas[1]!);
    g.git('tag', '-a', 'v1.1.0', '-m', 'release 1.1', shas[4]!);
    g.git('tag', 'nightly-1', shas[5]!);
    const ctx = testContext(g.path);
    const res = await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expect(res).toMatchObject({ added: 2, skipped: 0, matched: 2, aliases: 0 });
    expect(res.recorded.map((d) => d.sha)).toEqual([shas[1], shas[4]]);
    const again = await ingestDeploysFromTags(ctx, { glob: 'v*' });
    expect(again).toEqual({ added: 0, skipped: 2, matched: 2, aliases: 0, recorded: [] });
    const rows = ctx.store.prepare('SELECT id, sha, external_id AS ext FROM deploys ORDER BY finished_at').all() as {
      id: number;
      sha: string;
      ext: string;
    }[];
    expect(rows.map((r) => r.sha)).toEqual([shas[1], shas[4]]);
    expect(rows[0]!.ext).toBe('v1.0.0@production');
    expect(deployShas(ctx, rows[1]!.id)).toHaveLength(3);
    await expect(ingestDeploysFromTags(ctx, { glob: 'release-*' })).rejects.toThrow(/no tag matches/);
  });
});
