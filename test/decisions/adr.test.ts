import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import {
  adrNumbering,
  assertNumberFree,
  findAdrFolder,
  listAdrs,
  markSuperseded,
  nextAdrNumber,
  proposeAdr,
  slugify,
  type ProposeAdrInput,
} from '../../src/decisions/adr.js';
import { parseDecisionRecord } from '../../src/decisions/records.js';
import { testEngine } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';
import { clusterRow, countFixes, fixRow, interruptFixIds, seedCluster, ctxAt, NOW, repoWith } from './seed-triage.js';

const repo = repoWith;
const ctxFor = ctxAt;

const ADR: ProposeAdrInput = {
  title: 'Use idempotency keys for payment retries',
  context: 'Retries of `charge()` double-charged customers twice this month.',
  decision: 'Every retry reuses the idempotency key of the first attempt.',
  options: [
    { title: 'Idempotency keys', pros: ['the provider deduplicates'], cons: ['keys must be stored'] },
    { title: 'No retries' },
  ],
  chosen: 'Idempotency keys',
  consequences: ['Good, because retries become safe', 'Bad, because the key store is one more table'],
};

const NYGARD = `# 2. Use Stripe for payments

Date: 2025-02-01

## Status

Accepted

## Context

The payments module talks to one provider.
`;

const SUPERCEDED = `# 1. Record architecture decisions

Date: 2025-01-10

## Status

Superceded by [2. Use Stripe for payments](0002-use-stripe.md)
`;

const MADR_4 = `---
status: accepted
date: 2025-06-01
decision-makers: [ada]
---
# Use Adyen for card payments

## Context and Problem Statement

Card payments need a provider.
`;

const MADR_2 = `# Split the ledger writer

* Status: proposed
* Deciders: ada

## Context

Everything goes through the ledger.
`;

describe('ADR numbering', () => {
  it('takes the highest number plus one, across gaps, keeping the width in use', () => {
    const four = repo({ 'docs/adr/0001-a.md': '# A', 'docs/adr/0002-b.md': '# B', 'docs/adr/0007-c.md': '# C' });
    const n4 = adrNumbering(join(four, 'docs/adr'));
    expect(n4).toEqual({ style: 'sequential', width: 4, highest: 7 });
    expect(nextAdrNumber(n4, NOW)).toBe(8);

    const three = repo({ 'doc/adr/001-a.md': '# A', 'doc/adr/003-b.md': '# B', 'doc/adr/README.md': '# x' });
    const r = proposeAdr(ctxFor(three), ADR);
    expect(r.path).toBe('doc/adr/004-use-idempotency-keys-for-payment-retries.md');
    expect(r.number).toBe(4);
  });

  it('answers the same proposal twice with the record already written, not a second number', () => {
    const root = repo();
    const first = proposeAdr(ctxFor(root), ADR);
    expect(first).toMatchObject({ action: 'created', number: 1, written: true });
    const again = proposeAdr(ctxFor(root), ADR);
    expect(again).toMatchObject({ action: 'unchanged', number: 1, written: false, path: first.path });
    expect(again.notes.join('\n')).toMatch(/already records this title and decision; nothing was written/);
    expect(readdirSync(join(root, 'docs/adr'))).toEqual(['0001-use-idempotency-keys-for-payment-retries.md']);
    // Same title, another decision: a new record (a later decision on the same question).
    const other = proposeAdr(ctxFor(root), { ...ADR, decision: 'Retries are dropped; the client decides.' });
    expect(other).toMatchObject({ action: 'created', number: 2 });
  });

  it('starts at 0001 in an empty folder, and names dated folders (log4brains) by date', () => {
    expect(proposeAdr(ctxFor(repo()), { ...ADR, dryRun: true }).path).toBe(
      'docs/adr/0001-use-idempotency-keys-for-payment-retries.md',
    );
    const dated = repo({ 'docs/arch/20250924-use-markdown.md': '# Use markdown' });
    expect(adrNumbering(join(dated, 'docs/arch')).style).toBe('dated');
  });

  it('lets the first name keep a number two proposals raced for', () => {
    const root = repo({ 'docs/adr/0002-aaa.md': '# A', 'docs/adr/0002-zzz.md': '# Z' });
    expect(() => assertNumberFree(join(root, 'docs/adr'), '0002-zzz.md', 2)).toThrow(/taken meanwhile by 0002-aaa\.md/);
    expect(() => assertNumberFree(join(root, 'docs/adr'), '0002-aaa.md', 2)).not.toThrow();
  });

  it('allows several records on one day in a dated folder', () => {
    const root = repo({ '.log4brains.yml': 'project:\n  adrFolder: ./docs/adr\n' });
    proposeAdr(ctxFor(root), ADR);
    expect(proposeAdr(ctxFor(root), { ...ADR, title: 'Another decision' }).path).toBe(
      'docs/adr/20260302-another-decision.md',
    );
  });

  it('slugs titles to lower-case ASCII words', () => {
    expect(slugify('Use Café "keys" — for  retries!')).toBe('use-cafe-keys-for-retries');
    expect(slugify('x'.repeat(100)).length).toBe(60);
  });
});

describe('ADR folder detection on real repositories', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    [
      '.adr-dir',
      { '.adr-dir': 'architecture/decisions\n', 'docs/adr/0001-x.md': '# X' },
      'architecture/decisions',
      '.adr-dir',
    ],
    [
      '.log4brains.yml',
      { '.log4brains.yml': '---\nproject:\n  name: shop\n  adrFolder: ./docs/arch\n' },
      'docs/arch',
      '.log4brains.yml',
    ],
    ['docs/decisions', { 'docs/decisions/0001-x.md': '# X' }, 'docs/decisions', 'existing folder'],
    ['docs/adr', { 'docs/adr/0001-x.md': '# X' }, 'docs/adr', 'existing folder'],
    ['doc/adr', { 'doc/adr/0001-x.md': '# X' }, 'doc/adr', 'existing folder'],
    ['none', { 'README.md': '# shop' }, 'docs/adr', 'default (created)'],
  ];
  for (const [marker, files, folder, source] of cases) {
    it(`${marker} → ${folder}`, () => {
      const root = repo(files);
      expect(findAdrFolder(root)).toMatchObject({ folder, source });
      const r = proposeAdr(ctxFor(root), ADR);
      expect(r.written).toBe(true);
      expect(r.path.startsWith(`${folder}/`)).toBe(true);
      expect(existsSync(join(root, r.path))).toBe(true);
      if (marker === '.log4brains.yml')
        expect(r.path).toBe('docs/arch/20260302-use-idempotency-keys-for-payment-retries.md');
    });
  }

  it('refuses an .adr-dir that points outside the repository, writing nothing', () => {
    const outside = tempDir();
    const root = repo({ '.adr-dir': '../elsewhere\n' });
    const ctx = ctxFor(root);
    expect(() => proposeAdr(ctx, ADR)).toThrow(/\.adr-dir '\.\.\/elsewhere' contains a '\.\.' path segment/);
    expect(countFixes(ctx)).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses an ADR folder that is a symbolic link out of the repository', () => {
    const outside = tempDir();
    const root = repo();
    mkdirSync(join(root, 'docs'));
    symlinkSync(outside, join(root, 'docs/adr'));
    const ctx = ctxFor(root);
    expect(() => proposeAdr(ctx, ADR)).toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    expect(countFixes(ctx)).toBe(0);
  });

  it('never writes into .git, whatever .adr-dir or a link inside the repository says', () => {
    const viaAdrDir = repo({ '.adr-dir': '.git/hooks\n' });
    expect(() => proposeAdr(ctxFor(viaAdrDir), ADR)).toThrow(/\.adr-dir '\.git\/hooks' leads into \.git/);
    const viaLink = repo();
    mkdirSync(join(viaLink, 'docs'));
    symlinkSync('../.git/hooks', join(viaLink, 'docs/adr'));
    expect(() => proposeAdr(ctxFor(viaLink), ADR)).toThrow(/leads into \.git \(\.git\/hooks\)/);
    for (const root of [viaAdrDir, viaLink]) {
      expect(readdirSync(join(root, '.git/hooks')).filter((f) => f.endsWith('.md'))).toEqual([]);
    }
  });

  it('does not read an .adr-dir that links outside the repository, nor ADRs in a folder that does', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'credentials'), 'aws_secret_access_key=SECRET\n');
    mkdirSync(join(outside, 'adr'));
    writeFileSync(join(outside, 'adr/0001-secret.md'), '# SECRET decision\n');
    const root = repo({ 'docs/decisions/0001-ours.md': '# Ours\n' });
    symlinkSync(join(outside, 'credentials'), join(root, '.adr-dir'));
    symlinkSync(join(outside, 'adr'), join(root, 'docs/adr'));
    const found = findAdrFolder(root);
    expect(found).toMatchObject({ folder: 'docs/decisions', source: 'existing folder' });
    expect(found.notes).toEqual(['.adr-dir leads outside the repository through a symbolic link; ignored']);
    expect(listAdrs(root, ['docs/adr', 'docs/decisions']).map((r) => r.title)).toEqual(['Ours']);
    const r = proposeAdr(ctxFor(root), { ...ADR, dryRun: true });
    expect(JSON.stringify(r)).not.toContain('SECRET');
    expect(r.path).toBe('docs/decisions/0002-use-idempotency-keys-for-payment-retries.md');
  });
});

describe('proposeAdr', () => {
  it('writes a MADR record with status proposed, the date, the options and an Evidence section', () => {
    const root = repo({ 'docs/adr/0001-record.md': '# Record decisions\n' });
    const ctx = ctxFor(root);
    const { clusterId, interruptIds } = seedCluster(ctx, {
      category: 'missing_context',
      module: 'payments',
      label: 'idempotency retry charge',
      paths: ['src/payments/charge.ts'],
      entries: [
        { summary: 'Which idempotency key does a retry use?', at: '2026-03-01T10:00:00Z' },
        { summary: 'Asked again: retry keys for charge()', at: '2026-03-01T12:00:00Z', kind: 'correction' },
      ],
    });
    seeder(ctx).incident({
      externalId: 'INC-101',
      title: 'Customers charged twice',
      startedAt: '2026-02-20T10:00:00Z',
    });

    const r = proposeAdr(ctx, { ...ADR, interruptIds: [interruptIds[0]!], clusterId, incidentIds: ['INC-101'] });
    expect(r).toMatchObject({
      path: 'docs/adr/0002-use-idempotency-keys-for-payment-retries.md',
      written: true,
      action: 'created',
    });
    const text = readFileSync(join(root, r.path), 'utf8');
    expect(text).toBe(r.content);
    const parsed = matter(text);
    expect(parsed.data).toEqual({ status: 'proposed', date: new Date('2026-03-02') });
    expect(text).toMatch(/^# Use idempotency keys for payment retries$/m);
    expect(text).toMatch(/## Considered Options\n\n\* Idempotency keys\n\* No retries/);
    expect(text).toMatch(/Chosen option: "Idempotency keys"\./);
    expect(text).toMatch(
      /### Idempotency keys\n\n\* Good, because the provider deduplicates\n\* Bad, because keys must be stored/,
    );
    expect(text).toMatch(/### Consequences\n\n\* Good, because retries become safe/);
    expect(text).toMatch(/### Evidence/);
    expect(text).toContain(`* Cluster #${clusterId} "idempotency retry charge" (missing_context, module payments`);
    expect(text).toContain(`* Interrupt #${interruptIds[0]} (2026-03-01): Which idempotency key does a retry use?`);
    expect(text).toContain('* Incident INC-101: Customers charged twice');
    expect(parseDecisionRecord(text, r.path)).toMatchObject({ number: 2, status: 'proposed' });

    // Recorded, cluster covered, every entry of the cluster pointed at the fix.
    expect(fixRow(ctx, r.fixId!)).toMatchObject({
      type: 'adr',
      status: 'proposed',
      path: r.path,
      cluster_id: clusterId,
    });
    expect(JSON.parse(fixRow(ctx, r.fixId!)!.evidence)).toMatchObject({
      interruptIds: [interruptIds[0]],
      incidentIds: ['INC-101'],
    });
    expect(clusterRow(ctx, clusterId)).toEqual({ fix_id: r.fixId, covered_at: NOW });
    expect(interruptFixIds(ctx, interruptIds)).toEqual([r.fixId, r.fixId]);
  });

  it('dry_run returns the content and writes nothing: no folder, no file, no row', () => {
    const root = repo();
    const ctx = ctxFor(root);
    const r = proposeAdr(ctx, { ...ADR, dryRun: true });
    expect(r).toMatchObject({ fixId: null, written: false });
    expect(r.content).toMatch(/^---\nstatus: proposed\ndate: 2026-03-02\n---/);
    expect(existsSync(join(root, 'docs'))).toBe(false);
    expect(countFixes(ctx)).toBe(0);
  });

  it('never overwrites: the same dated name twice is refused the second time', () => {
    const root = repo({ '.log4brains.yml': 'project:\n  adrFolder: ./docs/adr\n' });
    const ctx = ctxFor(root);
    const first = proposeAdr(ctx, ADR);
    const before = readFileSync(join(root, first.path), 'utf8');
    expect(() => proposeAdr(ctx, { ...ADR, decision: 'Another decision on the same question.' })).toThrow(
      /already exists/,
    );
    expect(readFileSync(join(root, first.path), 'utf8')).toBe(before);
    expect(countFixes(ctx)).toBe(1);
  });

  it('refuses path-like titles with a clear error and writes nothing', () => {
    const root = repo();
    const ctx = ctxFor(root);
    for (const title of [
      '../../etc/passwd',
      '/etc/passwd',
      'C:\\Windows\\evil',
      'docs\\..\\x',
      'a\u0000b title',
      '~/secrets',
    ]) {
      expect(() => proposeAdr(ctx, { ...ADR, title })).toThrow(/title (contains|looks like)/);
    }
    expect(() => proposeAdr(ctx, { ...ADR, title: '!!! ???' })).toThrow(/no letters or digits/);
    expect(existsSync(join(root, 'docs'))).toBe(false);
    expect(countFixes(ctx)).toBe(0);
  });

  it('refuses unknown evidence ids, naming the field', () => {
    const ctx = ctxFor(repo());
    expect(() => proposeAdr(ctx, { ...ADR, interruptIds: [999] })).toThrow(/interrupt_ids: no interrupt with id 999/);
    expect(() => proposeAdr(ctx, { ...ADR, clusterId: 5 })).toThrow(/cluster_id: no cluster 5/);
    expect(() => proposeAdr(ctx, { ...ADR, incidentIds: ['INC-404'] })).toThrow(/incident_ids: no incident 'INC-404'/);
  });

  it('refuses a bare repository, saying so', () => {
    const bare = gitdir();
    bare.commit({ files: { 'a.txt': 'a' }, message: 'init' });
    const ctx = ctxFor(bare.bareClone());
    expect(() => proposeAdr(ctx, ADR)).toThrow(/is bare \(no work tree\)/);
  });

  it('leaves no file when the database write fails', () => {
    const root = repo({ 'docs/adr/0002-use-stripe.md': NYGARD });
    const ctx = ctxFor(root);
    ctx.store.exec(
      testEngine === 'postgres'
        ? `CREATE FUNCTION no_fixes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
           CREATE TRIGGER no_fixes BEFORE INSERT ON fixes FOR EACH ROW EXECUTE FUNCTION no_fixes()`
        : `CREATE TRIGGER no_fixes BEFORE INSERT ON fixes BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    expect(() => proposeAdr(ctx, { ...ADR, supersedes: 2 })).toThrow(/disk full/);
    expect(readdirSync(join(root, 'docs/adr'))).toEqual(['0002-use-stripe.md']);
    expect(readFileSync(join(root, 'docs/adr/0002-use-stripe.md'), 'utf8')).toBe(NYGARD);
  });
});

describe('supersedes', () => {
  it('marks an adr-tools (Nygard) record superseded in its Status section and links both ways', () => {
    const root = repo({ 'doc/adr/0001-record.md': SUPERCEDED, 'doc/adr/0002-use-stripe.md': NYGARD });
    const r = proposeAdr(ctxFor(root), { ...ADR, supersedes: 2 });
    expect(r.supersededPath).toBe('doc/adr/0002-use-stripe.md');
    const old = readFileSync(join(root, 'doc/adr/0002-use-stripe.md'), 'utf8');
    expect(old).toContain('## Status\n\nSuperseded by [ADR-0003](0003-use-idempotency-keys-for-payment-retries.md)\n');
    expect(old).not.toMatch(/^Accepted$/m);
    expect(parseDecisionRecord(old, 'x').status).toBe('superseded');
    expect(r.content).toContain('Supersedes [ADR-0002](0002-use-stripe.md) "Use Stripe for payments".');
  });

  it('refuses a record already superseded — adr-tools spelling "Superceded" included — writing nothing', () => {
    const root = repo({ 'doc/adr/0001-record.md': SUPERCEDED, 'doc/adr/0002-use-stripe.md': NYGARD });
    const ctx = ctxFor(root);
    expect(() => proposeAdr(ctx, { ...ADR, supersedes: 1 })).toThrow(/ADR 1 .* is already superseded .*Superceded by/);
    expect(readdirSync(join(root, 'doc/adr')).sort()).toEqual(['0001-record.md', '0002-use-stripe.md']);
    expect(countFixes(ctx)).toBe(0);
  });

  it('updates MADR front matter and MADR 2 bullets in place', () => {
    const root = repo({ 'docs/decisions/0003-use-adyen.md': MADR_4, 'docs/decisions/0004-split-ledger.md': MADR_2 });
    const ctx = ctxFor(root);
    proposeAdr(ctx, { ...ADR, supersedes: 3 });
    const madr4 = readFileSync(join(root, 'docs/decisions/0003-use-adyen.md'), 'utf8');
    expect(matter(madr4).data).toMatchObject({
      status: 'superseded by [ADR-0005](0005-use-idempotency-keys-for-payment-retries.md)',
      'decision-makers': ['ada'],
    });
    proposeAdr(ctx, { ...ADR, title: 'Merge the ledger writer', supersedes: 4 });
    const madr2 = readFileSync(join(root, 'docs/decisions/0004-split-ledger.md'), 'utf8');
    expect(madr2).toContain('* Status: superseded by [ADR-0006](0006-merge-the-ledger-writer.md)\n* Deciders: ada');
  });

  it('says which numbers exist when the superseded number is unknown', () => {
    const ctx = ctxFor(repo({ 'docs/adr/0001-a.md': '# A\n', 'docs/adr/0004-b.md': '# B\n' }));
    expect(() => proposeAdr(ctx, { ...ADR, supersedes: 3 })).toThrow(/no ADR numbered 3 in docs\/adr; known: 1, 4/);
  });

  it('gives a record without any status a Status section', () => {
    const text = markSuperseded('# Plain record\n\nBody.\n', '[ADR-0002](0002-x.md)');
    expect(text).toBe('# Plain record\n\n## Status\n\nSuperseded by [ADR-0002](0002-x.md)\n\nBody.\n');
    expect(parseDecisionRecord(text, 'x').status).toBe('superseded');
  });
});
