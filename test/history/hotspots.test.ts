import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import { hotspotNotes, hotspots } from '../../src/history/hotspots.js';
import { ingestGit } from '../../src/ingest/git.js';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const A = 'src/pay/a.ts';
const B = 'src/pay/b.ts';
const C = 'src/api/c.ts';
const GONE = 'src/old/gone.ts';
const lines = (n: number, tag = 'x') => Array.from({ length: n }, (_, i) => `${tag}${i}`).join('\n') + '\n';
const ADA = { name: 'Ada', email: 'ada@example.com' };
const BOB = { name: 'Bob', email: 'bob@example.com' };
const BOB_CAPS = { name: 'Bob', email: 'Bob@Example.com' };

/** A history whose code-maat figures are known by hand (built once: the tests only read it). */
let built: ReturnType<typeof build> | undefined;
const fixture = () => (built ??= build());
async function build() {
  const repo = gitdir();
  let day = 1;
  const at = () => `2026-02-${String(day++).padStart(2, '0')}T10:00:00Z`;
  // a and b change together 6×, by Ada and Bob (Bob's address spelt two ways: one author).
  for (let i = 0; i < 6; i++) {
    const author = [ADA, BOB, BOB_CAPS][i % 3]!;
    repo.commit({ files: { [A]: lines(10 + i, 'a'), [B]: lines(3 + i, 'b') }, message: `ab ${i}`, author, date: at() });
  }
  for (let i = 0; i < 2; i++) repo.commit({ files: { [A]: lines(20 + i, 'a') }, message: `a ${i}`, date: at() });
  for (let i = 0; i < 5; i++) repo.commit({ files: { [C]: lines(40 + i, 'c') }, message: `c ${i}`, date: at() });
  for (let i = 0; i < 3; i++) repo.commit({ files: { [GONE]: lines(5 + i) }, message: `gone ${i}`, date: at() });
  repo.commit({ files: { [GONE]: null }, message: 'remove gone', date: at() });
  // A sweeping change set of 31 files: counted in revisions, not in coupling (code-maat's max-changeset-size 30).
  const sweep: Record<string, string> = { [A]: lines(100, 'a') };
  for (let i = 0; i < 30; i++) sweep[`lib/f${i}.js`] = 'v\n';
  repo.commit({ files: sweep, message: 'sweep', date: at() });
  // The last line of b has no newline; the image is binary.
  repo.commit({ files: { [B]: 'x\ny', 'assets/logo.png': 'PNG\0\0binary\n' }, message: 'b last', date: at() });
  // The work tree is not HEAD: an uncommitted edit must not change a size.
  writeFileSync(join(repo.path, A), lines(5000));
  const ctx = testContext(repo.path, { now: NOW });
  await ingestGit(ctx);
  return ctx;
}

describe('hotspots (code-maat definitions)', () => {
  it('ranks files by revisions × lines at HEAD, with authors and churn', async () => {
    const ctx = await fixture();
    const h = await hotspots(ctx, { now: NOW, windowDays: 90, by: 'file', limit: 50 });
    const get = (name: string) => h.items.find((i) => i.name === name);
    expect(get(A)).toMatchObject({ revisions: 9, authors: 2, lines: 100, score: 900, rank: 1, module: 'pay' });
    expect(get(C)).toMatchObject({ revisions: 5, authors: 1, lines: 44, score: 220, rank: 2 });
    expect(get(B)).toMatchObject({ revisions: 7, lines: 2, score: 14, rank: 3 });
    // Churn from numstat: a grows 10→11→…→15 (6 commits), then to 20, 21, then 100.
    expect(get(A)!.added).toBe(10 + 5 * 1 + 5 + 1 + 79);
    // A file deleted by HEAD and a binary file have no size, so no rank; they still count as changed.
    expect(get(GONE)).toMatchObject({ revisions: 4, lines: null, score: null, rank: null });
    expect(get('assets/logo.png')).toMatchObject({ lines: null, rank: null });
    expect(h.changed).toBe(3 + 1 + 30 + 1);
    expect(h.ranked).toBe(3 + 30);
    expect(h.head).toMatch(/^[0-9a-f]{40}$/);
  });

  it('measures change coupling as shared / average revisions, leaving out large change sets and weak pairs', async () => {
    const ctx = await fixture();
    const h = await hotspots(ctx, { now: NOW, windowDays: 90, by: 'file', limit: 50 });
    // a: 8 revisions in change sets of ≤ 30 files, b: 7; shared 6 → 6 / 7.5 = 80 %.
    expect(h.coupling.items).toEqual([{ entity: A, coupled: B, degree: 80, averageRevs: 8, sharedRevs: 6 }]);
    const loose = await hotspots(ctx, { now: NOW, windowDays: 90, by: 'file', limit: 50, maxChangesetSize: 31 });
    expect(loose.coupling.items[0]).toMatchObject({ entity: A, coupled: B, degree: Math.round((6 / 8) * 100) });
    const strict = await hotspots(ctx, { now: NOW, windowDays: 90, by: 'file', limit: 50, minSharedRevs: 7 });
    expect(strict.coupling.items).toEqual([]);
  });

  it('groups by module: distinct commits and authors, summed lines', async () => {
    const ctx = await fixture();
    const h = await hotspots(ctx, { now: NOW, windowDays: 90, by: 'module', limit: 50 });
    expect(h.items.find((i) => i.name === 'pay')).toMatchObject({ revisions: 10, authors: 2, lines: 102 });
    expect(h.items[0]!.name).toBe('pay');
  });

  it('honours the window, and says what is missing when it is empty', async () => {
    const ctx = await fixture();
    const h = await hotspots(ctx, { now: Date.parse('2026-02-05T00:00:00Z'), windowDays: 2, by: 'file', limit: 5 });
    expect(h.items.map((i) => [i.name, i.revisions])).toEqual([
      [A, 2],
      [B, 2],
    ]);
    const none = await hotspots(ctx, { now: Date.parse('2025-01-01T00:00:00Z'), windowDays: 30, by: 'file', limit: 5 });
    expect(none.items).toEqual([]);
    expect(none.notes.join(' ')).toMatch(
      /no commits in the 30 days before 2025-01-01.*: every ingested commit is later/,
    );
    // a window after the last commit names it and how far back --since must reach; the reach does include it
    const later = Date.parse('2026-06-01T00:00:00Z');
    const quiet = await hotspots(ctx, { now: later, windowDays: 30, by: 'file', limit: 5 });
    const reach = /committed (\d{4}-\d\d-\d\d), (\d+) days before: widen the window with --since \2d/.exec(
      quiet.notes.join(' '),
    );
    expect(reach).not.toBeNull();
    const wide = await hotspots(ctx, { now: later, windowDays: Number(reach![2]), by: 'file', limit: 5 });
    expect(wide.items.length).toBeGreaterThan(0);
    const shorter = await hotspots(ctx, { now: later, windowDays: Number(reach![2]) - 1, by: 'file', limit: 5 });
    expect(shorter.items).toEqual([]);
    // with nothing ingested, the line that ingests
    const empty = testContext(tempDir());
    const nothing = await hotspots(empty, { now: later, windowDays: 30, by: 'file', limit: 5 });
    expect(nothing.notes.join(' ')).toMatch(/has no commits ingested: run `.*ingest git`/);
    await expect(hotspots(ctx, { now: NOW, windowDays: 0, by: 'file', limit: 5 })).rejects.toThrow(UserInputError);
  });

  it("gives change_risk each module's hottest input path", async () => {
    const ctx = await fixture();
    const notes = await hotspotNotes(ctx, [
      { module: 'pay', paths: [B, A] },
      { module: 'api', paths: ['src/api/unknown.ts'] },
    ]);
    expect([...notes]).toEqual([
      ['pay', `hotspot: rank 1 of 33 files changed in 90 days, ${A} (9 revisions × 100 lines)`],
    ]);
  });
});

describe('hotspots leave out generated, vendored and translation files', () => {
  it("by built-in rules and the repository's .gitattributes, which can also keep a file in", async () => {
    const repo = gitdir();
    let day = 1;
    const at = () => `2026-02-${String(day++).padStart(2, '0')}T10:00:00Z`;
    repo.commit({
      files: {
        '.gitattributes': '# generated parsers\nsrc/gen/** linguist-generated=true\npo/keep.po -linguist-generated\n',
      },
      message: 'attributes',
      date: at(),
    });
    for (let i = 0; i < 3; i++) {
      repo.commit({
        files: {
          'src/app.c': lines(30 + i),
          'po/fr.po': lines(5000 + i), // a translation catalog, far larger than the code
          'po/keep.po': lines(10 + i), // kept in by the repository
          'package-lock.json': lines(3000 + i),
          'third_party/zlib/inflate.c': lines(900 + i),
          'src/gen/parser.c': lines(2000 + i),
        },
        message: `change ${i}`,
        date: at(),
      });
    }
    const ctx = testContext(repo.path, { now: NOW });
    await ingestGit(ctx);
    const h = await hotspots(ctx, { now: NOW, windowDays: 90, by: 'file', limit: 50 });
    expect(h.items.map((i) => i.name)).toEqual(['src/app.c', 'po/keep.po', '.gitattributes']);
    expect(h.excluded).toBe(4);
    expect(h.notes.join('\n')).toContain(
      'left out 4 file(s) changed in the window: 2 generated (package-lock.json, src/gen/parser.c); ' +
        '1 translation catalog (po/fr.po); 1 vendored (third_party/zlib/inflate.c)',
    );
    // Coupling sees only ranked files: the catalog changed with the code every time, and is not its couple.
    const coupled = await hotspots(ctx, {
      now: NOW,
      windowDays: 90,
      by: 'file',
      limit: 50,
      minRevs: 1,
      minSharedRevs: 1,
      minCoupling: 1,
    });
    const names = coupled.coupling.items.flatMap((c) => [c.entity, c.coupled]);
    expect(names).toContain('src/app.c');
    expect(names.filter((n) => !['src/app.c', 'po/keep.po', '.gitattributes'].includes(n))).toEqual([]);
  });
});
