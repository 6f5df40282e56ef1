import { describe, expect, it } from 'vitest';
import { scoreCommit } from '../../src/attribution/score-commit.js';
import { attributeIncident, rankSuspects } from '../../src/attribution/suspects.js';
import type { CommitFacts, SuspectQuery } from '../../src/attribution/candidates.js';
import { CalibrationTally } from '../../src/eval/calibration.js';
import { ingestGit } from '../../src/ingest/git.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { importJson, shipEach } from '../helpers/stories.js';

const POOL = (limit: number) =>
  `int pool_get(struct pool *p)\n{\n    if (p->used >= ${limit})\n        return -1;\n    return p->used++;\n}\n`;

/**
 * A latent bug: the cause changed src/db/pool.c in January and shipped then; months of unrelated releases follow,
 * the last one a day before the incident (June), which names the file in a stack frame.
 */
async function latentStory() {
  const g = gitdir();
  const first = g.commit({
    files: { 'src/db/pool.c': POOL(16), 'src/ui/menu.c': 'int menu;\n' },
    message: 'db: add a connection pool',
    date: '2026-01-02T09:00:00Z',
  });
  const cause = g.commit({
    files: { 'src/db/pool.c': POOL(0) },
    message: 'db: make the pool limit configurable',
    date: '2026-01-10T09:00:00Z',
  });
  const ctx = testContext(g.path);
  await ingestGit(ctx);
  await shipEach(ctx, [
    [first, '2026-01-02T12:00:00Z'],
    [cause, '2026-01-10T12:00:00Z'],
  ]);
  let recent = '';
  for (let month = 2; month <= 6; month++) {
    const day = month === 6 ? '14' : '15';
    recent = g.commit({
      files: { 'src/ui/menu.c': `int menu;\nint item${month};\n` },
      message: `ui: menu item ${month}`,
      date: `2026-0${month}-${day}T09:00:00Z`,
    });
    await ingestGit(ctx);
    await shipEach(ctx, [[recent, `2026-0${month}-${day}T12:00:00Z`]]);
  }
  return { ctx, cause, recent };
}

describe('suspects before a fix, with no time window', () => {
  it('ranks a cause shipped five months before the incident first when the incident names its file', async () => {
    const { ctx, cause, recent } = await latentStory();
    const { incidentIds } = importJson(ctx, [
      {
        id: 'INC-9',
        title: 'connection pool exhausted',
        started_at: '2026-06-15T08:00:00Z',
        stack_frames: ['at pool_get (/build/src/db/pool.c:3:9)'],
      },
    ]);
    const commits = (await attributeIncident(ctx, incidentIds[0]!)).filter((l) => l.kind === 'commit');
    expect(commits[0]!.target).toBe(cause);
    expect(commits[0]!.evidence.reasons.join(' ')).toMatch(/src\/db\/pool\.c named by the incident/);
    expect(commits[0]!.evidence.reasons.join(' ')).toMatch(/156 days before the incident began/);
    // The release a day before, touching nothing the incident names, is not ranked above it (nor stored at all).
    const unrelated = commits.find((l) => l.target === recent);
    expect(unrelated === undefined || unrelated.score < commits[0]!.score).toBe(true);

    // Before issue 16 (only the commits of the last 30 days' deploys) the cause was not even a candidate.
    const query: SuspectQuery = {
      startedAt: Date.parse('2026-06-15T08:00:00Z'),
      env: 'production',
      service: null,
      module: null,
      files: [{ path: 'src/db/pool.c', module: 'db' }],
    };
    expect(rankSuspects(ctx, query, { changesPerFile: 0 }).map((l) => l.target)).not.toContain(cause);
    const ranked = rankSuspects(ctx, query);
    expect(ranked[0]!.target).toBe(cause);
    expect(ranked.find((l) => l.target === recent)!.score).toBeLessThan(ranked[0]!.score);
  });

  it('does not suspect a change to the named file that had not shipped when the incident began', async () => {
    const { ctx, cause } = await latentStory();
    const query: SuspectQuery = {
      startedAt: Date.parse('2026-01-10T10:00:00Z'), // the cause was committed, not yet deployed
      env: 'production',
      service: null,
      module: null,
      files: [{ path: 'src/db/pool.c', module: 'db' }],
    };
    expect(rankSuspects(ctx, query).map((l) => l.target)).not.toContain(cause);
  });
});

describe('suspect scores are chances', () => {
  const inc: SuspectQuery = {
    startedAt: Date.parse('2026-06-15T08:00:00Z'),
    env: 'production',
    service: null,
    module: null,
    files: [
      { path: 'src/db/pool.c', module: 'db' },
      { path: 'src/db/conn.c', module: 'db' },
    ],
  };
  const commit = (over: Partial<CommitFacts>): CommitFacts => ({
    sha: 'a'.repeat(40),
    subject: 'db: change',
    authoredAt: Date.parse('2026-01-10T09:00:00Z'),
    size: 40,
    files: [{ path: 'src/db/pool.c', module: 'db' }],
    deploy: {
      id: 1,
      sha: 'b'.repeat(40),
      finishedAt: Date.parse('2026-01-10T12:00:00Z'),
      status: 'success',
      rolledBackBy: null,
      rolledBackAt: null,
    },
    revertedBy: null,
    ...over,
  });
  const score = (c: CommitFacts, rank?: number) =>
    scoreCommit(inc, c, new Map(rank === undefined ? [] : [[c.sha, rank]])).score;

  it('never fall when evidence is added, and stay inside [0, 1] at the extremes', () => {
    const base = commit({});
    // a later change to the file ranks it lower; both files named; shipped an hour before; reverted after the start
    expect(score(base, 0)).toBeGreaterThan(score(base, 3));
    expect(score(base, 3)).toBeGreaterThan(score(base));
    const both = commit({ files: [...base.files, { path: 'src/db/conn.c', module: 'db' }] });
    expect(score(both, 3)).toBeGreaterThan(score(base, 3));
    const justShipped = commit({ deploy: { ...base.deploy!, finishedAt: inc.startedAt - 3_600_000 } });
    expect(score(justShipped, 3)).toBeGreaterThan(score(base, 3));
    const reverted = commit({ revertedBy: { sha: 'c'.repeat(40), at: inc.startedAt + 3_600_000 } });
    expect(score(reverted, 3)).toBeGreaterThan(score(base, 3));
    // a cosmetic subject says less
    expect(score(commit({ subject: 'db: fix typo in comment' }), 3)).toBeLessThan(score(base, 3));

    const everything = commit({
      size: 1e9,
      files: [...both.files],
      deploy: { ...base.deploy!, finishedAt: inc.startedAt - 1, rolledBackAt: inc.startedAt + 1, rolledBackBy: 2 },
      revertedBy: { sha: 'c'.repeat(40), at: inc.startedAt + 1 },
    });
    const nothing = commit({ size: 0, files: [{ path: 'docs/x.md', module: 'docs' }], deploy: null });
    for (const s of [score(everything, 0), score(nothing), score(commit({ files: [] }))]) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(score(everything, 0)).toBeGreaterThan(0.9);
    expect(score(nothing)).toBeLessThan(0.01);
  });

  it('weigh how much of a change went into the named files', () => {
    // Same size, same files: one rewrote the named file, the other touched it with one line and rewrote another.
    const files = (named: number) => [
      { path: 'src/db/pool.c', module: 'db', lines: named },
      { path: 'src/ui/menu.c', module: 'ui', lines: 40 - named },
    ];
    const rewrote = commit({ files: files(39) });
    const brushed = commit({ files: files(1) });
    expect(score(rewrote, 3)).toBeGreaterThan(score(brushed, 3) + 0.01);
    const link = scoreCommit(inc, rewrote, new Map([[rewrote.sha, 3]]));
    expect(link.evidence.factors['namedLines']).toBe(39);
  });

  it('are measured by a reliability table and the Brier score', () => {
    const t = new CalibrationTally();
    for (let i = 0; i < 10; i++) t.add(0.8, i < 8);
    for (let i = 0; i < 10; i++) t.add(0.1, i < 1);
    const r = t.result();
    expect(r.count).toBe(20);
    expect(r.buckets.map((b) => [b.from, b.count, b.hitRate])).toEqual([
      [0.1, 10, 0.1],
      [0.8, 10, 0.8],
    ]);
    // perfectly calibrated buckets: the Brier score is the within-bucket variance, below the base rate's
    expect(r.brier).toBeCloseTo((8 * 0.04 + 2 * 0.64 + 1 * 0.81 + 9 * 0.01) / 20, 4);
    expect(r.brier).toBeLessThan(r.brierBaseline);
  });
});
