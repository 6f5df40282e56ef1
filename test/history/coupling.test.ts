import { describe, expect, it } from 'vitest';
import { coChangedFiles, coChangedModules } from '../../src/history/coupling.js';
import { insertCommit, type NewCommit } from '../../src/store/commits.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY_MS = 86_400_000;
const ago = (days: number) => NOW - days * DAY_MS;
const GW = 'src/payments/gateway.ts';
const BOOK = 'src/ledger/book.ts';
const ROUTES = 'src/api/routes.ts';

function fixture() {
  const ctx = testContext(tempDir(), { now: NOW });
  const seed = seeder(ctx);
  let day = 1;
  for (let i = 0; i < 4; i++) seed.commit({ at: ago(day++), files: [GW, BOOK] });
  for (let i = 0; i < 2; i++) seed.commit({ at: ago(day++), files: [GW, ROUTES] });
  seed.commit({ at: ago(day++), files: [GW] });
  seed.commit({ at: ago(day++), files: [GW, 'src/payments/refund.ts'] }); // support 1: coincidence
  seed.commit({ at: ago(day++), files: [ROUTES, 'src/api/server.ts'] }); // not touching gateway
  // Skipped: merges, sweeping commits, and anything older than two years for files.
  seed.commit({ at: ago(day++), isMerge: true, files: [GW, 'docs/guide.md'] });
  seed.commit({
    at: ago(day++),
    files: [GW, ...Array.from({ length: 50 }, (_, i) => `vendor/lib/f${i}.js`)],
  });
  for (let i = 0; i < 3; i++) seed.commit({ at: ago(800 + i), files: [GW, 'src/old/thing.ts'] });
  return ctx;
}

describe('coChangedModules', () => {
  it('ranks modules changed in the same commits, skipping merges and sweeping commits', () => {
    const ctx = fixture();
    const c = coChangedModules(ctx.store, 'payments', { now: NOW });
    expect(c.basis).toBe(11); // 8 recent + 3 old; not the merge, not the 51-file commit
    expect(c.items).toEqual([
      { module: 'ledger', commits: 4, share: 0.36 },
      { module: 'old', commits: 3, share: 0.27 },
      { module: 'api', commits: 2, share: 0.18 },
    ]);
    expect(c.hasMore).toBe(false);
    expect(coChangedModules(ctx.store, 'payments', { now: NOW, limit: 1 })).toMatchObject({
      items: [{ module: 'ledger' }],
      hasMore: true,
    });
  });

  it('reads only the latest maxCommits commits, by either plan', () => {
    // 16 commits in all: with maxCommits 4, payments (13 commits ≥ √(4 × 16)) walks commits newest first…
    const ctx = fixture();
    const hot = coChangedModules(ctx.store, 'payments', { now: NOW, maxCommits: 4 });
    expect(hot.basis).toBe(4);
    expect(hot.items).toEqual([{ module: 'ledger', commits: 4, share: 1 }]);
    // …while ledger (4 commits) sorts its own.
    const small = coChangedModules(ctx.store, 'ledger', { now: NOW, maxCommits: 3 });
    expect(small).toMatchObject({ basis: 3, items: [{ module: 'payments', commits: 3, share: 1 }] });
  });

  it('walks every repository when the module is hot', () => {
    const ctx = fixture();
    const second = seeder(ctx, '/elsewhere/second-repo');
    // Newer than everything in the first repository: these must win the latest-4 window.
    for (let i = 0; i < 4; i++) second.commit({ at: NOW - i * 1000, files: [GW, ROUTES] });
    const c = coChangedModules(ctx.store, 'payments', { now: NOW, maxCommits: 4 });
    expect(c.items).toEqual([{ module: 'api', commits: 4, share: 1 }]);
  });
  it('cuts the basis inside a day and counts commits after the start of today, as a walk over the commits would', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const seed = seeder(ctx);
    const noon = NOW - DAY_MS / 2; // yesterday, noon
    // Yesterday: three commits with ledger, then two (later) with api; today (up to now): one with api.
    for (let i = 0; i < 3; i++) seed.commit({ at: noon + i * 1000, files: [GW, BOOK] });
    for (let i = 0; i < 2; i++) seed.commit({ at: noon + 10_000 + i * 1000, files: [GW, ROUTES] });
    seed.commit({ at: NOW + 3_600_000, files: [GW, ROUTES] });
    seed.commit({ at: NOW + 7_200_000, files: [GW, BOOK] }); // after now: not yet
    const now = NOW + 5_400_000;
    // Latest 4: today's api commit and yesterday's two api and newest ledger commit.
    expect(coChangedModules(ctx.store, 'payments', { now, maxCommits: 4 })).toMatchObject({
      basis: 4,
      items: [
        { module: 'api', commits: 3 },
        { module: 'ledger', commits: 1 },
      ],
    });
    // Whole day plus today.
    expect(coChangedModules(ctx.store, 'payments', { now, maxCommits: 6 })).toMatchObject({
      basis: 6,
      items: [
        { module: 'api', commits: 3 },
        { module: 'ledger', commits: 3 },
      ],
    });
    // Another basis size than the rollup's reads the commits, with the same answer.
    expect(coChangedModules(ctx.store, 'payments', { now, maxCommits: 4, maxFiles: 10 })).toMatchObject({
      basis: 4,
      items: [
        { module: 'api', commits: 3 },
        { module: 'ledger', commits: 1 },
      ],
    });
  });
});

describe('coChangedFiles', () => {
  it('ranks files by confidence with a support floor, within two years, excluding the inputs', () => {
    const f = coChangedFiles(fixture().store, [GW], { now: NOW });
    expect(f.basis).toBe(8);
    expect(f.items).toEqual([
      {
        path: BOOK,
        module: 'ledger',
        support: 4,
        confidence: 0.5,
        with: GW,
        reason: `changed in 4 of 8 commits touching ${GW}`,
      },
      {
        path: ROUTES,
        module: 'api',
        support: 2,
        confidence: 0.25,
        with: GW,
        reason: `changed in 2 of 8 commits touching ${GW}`,
      },
    ]);
    expect(f).toMatchObject({ limit: 10, hasMore: false });
  });

  it('keeps the strongest input path per file and never lists an input path', () => {
    const f = coChangedFiles(fixture().store, [GW, ROUTES], { now: NOW });
    expect(f.items.map((i) => i.path)).toEqual([BOOK]);
    // server.ts co-changed once with routes only: below the support floor.
    const loose = coChangedFiles(fixture().store, [GW, ROUTES], { now: NOW, minSupport: 1 });
    expect(loose.items.map((i) => [i.path, i.confidence, i.with])).toEqual([
      [BOOK, 0.5, GW],
      ['src/api/server.ts', 0.33, ROUTES],
      ['src/payments/refund.ts', 0.13, GW],
    ]);
    expect(loose.items.map((i) => i.path)).not.toContain(GW);
  });

  it('answers an empty list for a path without history', () => {
    expect(coChangedFiles(fixture().store, ['src/new/file.ts'], { now: NOW })).toMatchObject({ items: [], basis: 0 });
  });

  it('reads what the commit writer stored: merges and sweeping commits stay out of the basis', () => {
    // The walk reads each file row's own copy of "merge? how many files?" (migration 0014), written by the commit
    // writer with the row: this goes through insertCommit, as ingest does, not the seeder.
    const ctx = testContext(tempDir(), { now: NOW });
    const repoId = seeder(ctx).repoId;
    let n = 0;
    const commit = (files: string[], parents: string[] = []): NewCommit => ({
      sha: String(++n).padStart(40, '0'),
      repoId,
      authorName: 'Ada',
      authorEmail: 'ada@example.com',
      authoredAt: ago(n),
      committedAt: ago(n),
      subject: `change ${n}`,
      body: '',
      parents,
      authorKind: 'human',
      agent: null,
      agentEvidence: null,
      revertsSha: null,
      files: files.map((path) => ({ path, oldPath: null, module: ctx.modules.moduleOf(path), added: 1, deleted: 0 })),
      trailers: [],
      fixes: [],
    });
    for (let i = 0; i < 3; i++) insertCommit(ctx.store, commit([GW, BOOK]));
    insertCommit(ctx.store, commit([GW, ROUTES], ['a'.repeat(40), 'b'.repeat(40)])); // a merge
    insertCommit(ctx.store, commit([GW, ROUTES, ...Array.from({ length: 49 }, (_, i) => `src/x/f${i}.ts`)]));
    insertCommit(ctx.store, commit([GW, ROUTES]));
    const f = coChangedFiles(ctx.store, [GW], { now: NOW, minSupport: 1 });
    expect(f.basis).toBe(4);
    expect(f.items.map((i) => [i.path, i.support])).toEqual([
      [BOOK, 3],
      [ROUTES, 1],
    ]);
  });
});
