import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDecisionRecords, parseDecisionRecord, readDecisionRecords } from '../../src/decisions/records.js';
import { isBareRepository } from '../../src/decisions/safe-path.js';
import { DEFAULT_DECISION_DIRS } from '../../src/config.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';

const ADR_TOOLS_1 = `# 1. Record architecture decisions

Date: 2025-01-10

## Status

Accepted

## Context

We need to record the architectural decisions made on this project.
`;

const ADR_TOOLS_2 = `# 2. Use Stripe for payments

Date: 2025-02-01

## Status

Superceded by [3. Use Adyen for card payments](0003-use-adyen.md)

## Context

The payments module talks to one provider.
`;

const MADR_3 = `---
status: accepted
date: 2025-06-01
deciders: [ada, bob]
---
# Use Adyen for card payments

## Context and Problem Statement

\`src/payments/gateway.ts\` wraps the provider; retries must be idempotent.
`;

const MADR_2 = `# Split the ledger writer

* Status: proposed
* Deciders: ada

## Context

Everything under src/payments/ should go through the ledger.
`;

const files: Record<string, string> = {
  'docs/adr/0001-record-architecture-decisions.md': ADR_TOOLS_1,
  'docs/adr/0002-use-stripe-for-payments.md': ADR_TOOLS_2,
  'docs/adr/template.md': '# Title\n\n## Status\n\npayments\n',
  'docs/decisions/0003-use-adyen.md': MADR_3,
  'docs/decisions/0004-split-ledger-writer.md': MADR_2,
  'docs/decisions/README.md': '# Decisions\n\nAll about payments.\n',
  'docs/decisions/notes.txt': 'payments',
};

function repo(): string {
  const root = tempDir();
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('parseDecisionRecord', () => {
  it('reads adr-tools records: numbered heading, ## Status section, "Superceded" spelling', () => {
    expect(parseDecisionRecord(ADR_TOOLS_2, 'docs/adr/0002-use-stripe-for-payments.md')).toMatchObject({
      number: 2,
      title: 'Use Stripe for payments',
      status: 'superseded',
      statusNote: 'Superceded by 3. Use Adyen for card payments',
    });
    expect(parseDecisionRecord(ADR_TOOLS_1, 'x/1-record.md')).toMatchObject({ number: 1, status: 'accepted' });
  });

  it('reads MADR front matter and MADR 2 status bullets', () => {
    const r = parseDecisionRecord(MADR_3, 'docs/decisions/0003-use-adyen.md');
    expect(r).toMatchObject({ number: 3, title: 'Use Adyen for card payments', status: 'accepted' });
    expect(r.statusNote).toBeUndefined();
    expect(parseDecisionRecord(MADR_2, 'docs/decisions/0004-split.md')).toMatchObject({
      number: 4,
      title: 'Split the ledger writer',
      status: 'proposed',
    });
  });

  it('strips NNNN- prefixes from headings and falls back to the file name', () => {
    expect(parseDecisionRecord('# 0012-use-kafka\n', 'adr/use-kafka.md')).toMatchObject({
      number: 12,
      title: 'use-kafka',
      status: null,
    });
    expect(parseDecisionRecord('no heading here', 'adr/0009-cache-sessions.md')).toMatchObject({
      number: 9,
      title: 'cache sessions',
    });
    expect(parseDecisionRecord('---\nstatus: [broken\n---\n# Broken front matter\n', 'adr/7-x.md')).toMatchObject({
      title: 'Broken front matter',
    });
  });
});

describe('readDecisionRecords', () => {
  it('reads .md records from every configured folder, skipping templates, READMEs and other files', () => {
    const scan = readDecisionRecords(repo(), DEFAULT_DECISION_DIRS);
    expect(scan.records.map((r) => r.path)).toEqual([
      'docs/adr/0001-record-architecture-decisions.md',
      'docs/adr/0002-use-stripe-for-payments.md',
      'docs/decisions/0003-use-adyen.md',
      'docs/decisions/0004-split-ledger-writer.md',
    ]);
    expect(scan.notes).toEqual([]);
  });

  it('notices edits, new files and removed folders between calls', () => {
    const root = repo();
    expect(readDecisionRecords(root, ['docs/decisions']).records).toHaveLength(2);
    const f = join(root, 'docs/decisions/0004-split-ledger-writer.md');
    writeFileSync(f, MADR_2.replace('proposed', 'accepted by the team'));
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(root, 'docs/decisions/0005-new.md'), '# Something new\n');
    const again = readDecisionRecords(root, ['docs/decisions']);
    expect(again.records.map((r) => [r.number, r.status])).toEqual([
      [3, 'accepted'],
      [4, 'accepted'],
      [5, null],
    ]);
  });

  it('says so when no folder exists, a folder points outside, or the repository is bare', () => {
    expect(readDecisionRecords(tempDir(), ['docs/adr']).notes).toEqual([
      'no decision record folder found (looked in docs/adr)',
    ]);
    expect(readDecisionRecords(repo(), ['../elsewhere', 'docs/adr']).notes).toEqual([
      "decision folder '../elsewhere' is outside the repository; skipped",
    ]);
    const g = gitdir();
    g.commit({ files: { 'docs/adr/0001-x.md': ADR_TOOLS_1 }, message: 'adr' });
    const bare = g.bareClone();
    expect(isBareRepository(bare)).toBe(true);
    expect(isBareRepository(g.path)).toBe(false);
    const scan = readDecisionRecords(bare, DEFAULT_DECISION_DIRS);
    expect(scan.records).toEqual([]);
    expect(scan.notes[0]).toMatch(/is bare \(no work tree\), so decision records were not read$/);
    expect(readDecisionRecords(g.path, DEFAULT_DECISION_DIRS).records).toHaveLength(1);
  });
});

describe('findDecisionRecords', () => {
  it('finds records by path, by directory and by module, most specific first, superseded last', () => {
    const found = findDecisionRecords(repo(), DEFAULT_DECISION_DIRS, {
      paths: ['src/payments/gateway.ts'],
      modules: ['payments'],
    });
    expect(found.items).toEqual([
      {
        number: 3,
        title: 'Use Adyen for card payments',
        status: 'accepted',
        path: 'docs/decisions/0003-use-adyen.md',
        matched: ['path src/payments/gateway.ts', 'directory src/payments', 'module payments'],
      },
      {
        number: 4,
        title: 'Split the ledger writer',
        status: 'proposed',
        path: 'docs/decisions/0004-split-ledger-writer.md',
        matched: ['directory src/payments', 'module payments'],
      },
      {
        number: 2,
        title: 'Use Stripe for payments',
        status: 'superseded',
        statusNote: 'Superceded by 3. Use Adyen for card payments',
        path: 'docs/adr/0002-use-stripe-for-payments.md',
        matched: ['module payments'],
      },
    ]);
    expect(found).toMatchObject({ limit: 10, hasMore: false, notes: [] });
  });

  it('matches whole words only and honours the limit', () => {
    const root = repo();
    expect(findDecisionRecords(root, DEFAULT_DECISION_DIRS, { paths: [], modules: ['pay'] }).items).toEqual([]);
    expect(findDecisionRecords(root, DEFAULT_DECISION_DIRS, { paths: [], modules: ['(root)'] }).items).toEqual([]);
    const one = findDecisionRecords(root, DEFAULT_DECISION_DIRS, { paths: [], modules: ['Payments'] }, 1);
    expect(one.items.map((r) => r.number)).toEqual([4]);
    expect(one.hasMore).toBe(true);
  });

  it('takes any stored text as a term: regex characters literally, a 100k-character path without failing', () => {
    const root = repo();
    const terms = { paths: ['A'.repeat(100_000), 'src/(payments|x)/.*', 'src/payments/gateway.ts'], modules: [] };
    const started = performance.now();
    const found = findDecisionRecords(root, DEFAULT_DECISION_DIRS, terms);
    expect(performance.now() - started).toBeLessThan(1_000); // a generous bound against a pathological search
    expect(found.items[0]).toMatchObject({
      number: 3,
      matched: ['path src/payments/gateway.ts', 'directory src/payments'],
    });
    expect(found.items.flatMap((r) => r.matched)).not.toContainEqual(expect.stringMatching(/\(payments\|x\)/));
  });
});
