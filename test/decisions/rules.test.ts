import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import {
  appendToRulesSection,
  bumpConstitution,
  containsRule,
  detectRuleFiles,
  proposeRule,
  validateRuleText,
  type ProposeRuleInput,
} from '../../src/decisions/rules.js';
import { tempDir } from '../helpers/gitdir.js';
import { clusterRow, countFixes, fixRow, seedCluster, ctxAt, repoWith } from './seed-triage.js';

const repo = repoWith;
const ctxFor = ctxAt;
const read = (root: string, rel: string) => readFileSync(join(root, rel), 'utf8');

const RULE: ProposeRuleInput = {
  rule: 'Payment retries MUST reuse the idempotency key of the first attempt.',
  rationale: 'Two double-charge incidents came from retries with fresh keys.',
};

const CONSTITUTION = `# Shop Constitution

## Core Principles

### I. Library-First
Every feature starts as a standalone library.

## Governance
The constitution supersedes all other practices.

**Version**: 2.1.1 | **Ratified**: 2025-06-13 | **Last Amended**: 2025-07-16
`;

describe('rule text', () => {
  it('accepts RFC 2119 obligations and says how to fix the rest', () => {
    expect(() => validateRuleText('Handlers MUST NOT log card numbers.')).not.toThrow();
    expect(() => validateRuleText('Agents SHOULD run the payments tests.')).not.toThrow();
    expect(() => validateRuleText('Payment retries must reuse the key.')).toThrow(/'MUST' instead of 'must'/);
    expect(() => validateRuleText('Be careful with payment retries.')).toThrow(/MUST, MUST NOT, SHOULD or SHOULD NOT/);
    expect(() => validateRuleText('Retries MUST reuse keys.\n## Injected heading')).toThrow(/one line/);
  });

  it('recognises a rule already present regardless of list marker, case and spacing', () => {
    expect(
      containsRule('# A\n\n- payment retries  MUST reuse the idempotency key of the first attempt\n', RULE.rule),
    ).toBe(true);
    expect(
      containsRule('Payment retries MUST reuse the idempotency key of the first attempt. And more.', RULE.rule),
    ).toBe(false);
  });
});

describe('AGENTS.md, CLAUDE.md and Copilot instructions', () => {
  it('appends under one "## Rules from hindsight" section, and the same rule twice only once', () => {
    const root = repo({ 'AGENTS.md': '# Agents\n\nUse pnpm.\n', 'CLAUDE.md': '@AGENTS.md\n' });
    const ctx = ctxFor(root);
    const { clusterId, interruptIds } = seedCluster(ctx, {
      category: 'policy_gap',
      module: 'payments',
      label: 'retry idempotency key',
      entries: [{ summary: 'Agent retried a charge with a new key', at: '2026-03-01T10:00:00Z', kind: 'correction' }],
    });
    const first = proposeRule(ctx, { ...RULE, clusterId, interruptIds });
    expect(first).toMatchObject({ path: 'AGENTS.md', kind: 'agents', action: 'appended', written: true });
    expect(first.notes.join(' ')).toMatch(/chosen by default/);
    expect(read(root, 'AGENTS.md')).toBe(
      '# Agents\n\nUse pnpm.\n\n## Rules from hindsight\n\n' +
        '- Payment retries MUST reuse the idempotency key of the first attempt.\n' +
        '  - Why: Two double-charge incidents came from retries with fresh keys.\n' +
        `  - Proposed by hindsight on 2026-03-02 from interrupts #${interruptIds[0]}; cluster #${clusterId} "retry idempotency key".\n`,
    );
    expect(read(root, 'CLAUDE.md')).toBe('@AGENTS.md\n');
    expect(fixRow(ctx, first.fixId!)).toMatchObject({ type: 'rule', status: 'proposed', path: 'AGENTS.md' });
    expect(clusterRow(ctx, clusterId).fix_id).toBe(first.fixId);

    const again = proposeRule(ctx, { ...RULE, clusterId, interruptIds });
    expect(again).toMatchObject({ action: 'unchanged', written: false, fixId: first.fixId });
    const second = proposeRule(ctx, { rule: 'Refunds SHOULD go through the ledger writer.' });
    expect(second.action).toBe('appended');
    const text = read(root, 'AGENTS.md');
    expect(text.match(/## Rules from hindsight/g)).toHaveLength(1);
    expect(text.match(/Payment retries MUST/g)).toHaveLength(1);
    expect(
      text
        .trimEnd()
        .endsWith('- Refunds SHOULD go through the ledger writer.\n  - Proposed by hindsight on 2026-03-02.'),
    ).toBe(true);
    expect(countFixes(ctx)).toBe(2);
  });

  it('inserts at the end of an existing section, before the next heading', () => {
    const text = '# A\n\n## Rules from hindsight\n\n- Old rule MUST stay.\n\n## Testing\n\nRun vitest.\n';
    expect(appendToRulesSection(text, '- New rule MUST follow.')).toBe(
      '# A\n\n## Rules from hindsight\n\n- Old rule MUST stay.\n\n- New rule MUST follow.\n\n## Testing\n\nRun vitest.\n',
    );
  });

  it('targets CLAUDE.md, then Copilot, by default when AGENTS.md is absent; creates AGENTS.md when nothing exists', () => {
    const claude = repo({ 'CLAUDE.md': '# Claude\n' });
    expect(proposeRule(ctxFor(claude), RULE).path).toBe('CLAUDE.md');
    const copilot = repo({ '.github/copilot-instructions.md': 'We use Bazel.\n' });
    expect(proposeRule(ctxFor(copilot), RULE)).toMatchObject({
      path: '.github/copilot-instructions.md',
      kind: 'copilot',
    });
    expect(read(copilot, '.github/copilot-instructions.md')).toMatch(
      /^We use Bazel\.\n\n## Rules from hindsight\n\n- Payment/,
    );
    const none = repo();
    expect(proposeRule(ctxFor(none), RULE)).toMatchObject({ path: 'AGENTS.md', action: 'created' });
    expect(read(none, 'AGENTS.md')).toMatch(/^## Rules from hindsight\n\n- Payment retries MUST/);
  });

  it('writes to a named target (keyword or known rule path) even when others exist', () => {
    const root = repo({ 'AGENTS.md': '# Agents\n', 'packages/api/AGENTS.md': '# API agents\n' });
    expect(proposeRule(ctxFor(root), { ...RULE, target: 'claude' })).toMatchObject({
      path: 'CLAUDE.md',
      action: 'created',
    });
    expect(proposeRule(ctxFor(root), { ...RULE, target: 'packages/api/AGENTS.md' })).toMatchObject({
      path: 'packages/api/AGENTS.md',
      kind: 'agents',
      action: 'appended',
    });
    expect(proposeRule(ctxFor(root), { ...RULE, target: 'services/web/CLAUDE.md' })).toMatchObject({
      path: 'services/web/CLAUDE.md',
      kind: 'claude',
      action: 'created',
    });
    expect(proposeRule(ctxFor(root), { ...RULE, target: '.cursor/rules/backend/payments.mdc' })).toMatchObject({
      path: '.cursor/rules/backend/payments.mdc',
      kind: 'cursor',
      action: 'created',
    });
    expect(read(root, 'AGENTS.md')).toBe('# Agents\n');
  });

  it('dry_run writes nothing and records nothing', () => {
    const root = repo({ 'AGENTS.md': '# Agents\n' });
    const ctx = ctxFor(root);
    const r = proposeRule(ctx, { ...RULE, dryRun: true });
    expect(r).toMatchObject({ fixId: null, written: false, action: 'appended' });
    expect(r.content).toMatch(/^- Payment retries MUST/);
    expect(read(root, 'AGENTS.md')).toBe('# Agents\n');
    expect(countFixes(ctx)).toBe(0);
  });
});

describe('Cursor rules', () => {
  it('writes a new .mdc whose front matter parses: description, globs from the evidence paths, alwaysApply', () => {
    const root = repo({ '.cursor/rules/style.mdc': '---\ndescription: Style\nalwaysApply: true\n---\nUse tabs.\n' });
    const ctx = ctxFor(root);
    const { clusterId } = seedCluster(ctx, {
      category: 'policy_gap',
      module: 'payments',
      label: 'retry key',
      paths: ['src/payments/charge.ts', 'lib/billing/retry.ts'],
      entries: [{ summary: 'retried with a new key', at: '2026-03-01T10:00:00Z' }],
    });
    const r = proposeRule(ctx, { ...RULE, title: 'Payment retries', clusterId });
    expect(r).toMatchObject({ path: '.cursor/rules/payment-retries.mdc', kind: 'cursor', action: 'created' });
    const parsed = matter(read(root, r.path));
    expect(parsed.data).toEqual({
      description: RULE.rule,
      globs: 'src/payments/**, lib/billing/**',
      alwaysApply: false,
    });
    expect(parsed.content).toMatch(/# Payment retries\n\n## Rules from hindsight\n\n- Payment retries MUST/);
    expect(read(root, '.cursor/rules/style.mdc')).toMatch(/Use tabs/);

    // The same rule again: found in the .mdc, nothing new.
    expect(proposeRule(ctx, { ...RULE, title: 'Payment retries', clusterId })).toMatchObject({
      action: 'unchanged',
      path: r.path,
    });
    expect(readdirSync(join(root, '.cursor/rules')).sort()).toEqual(['payment-retries.mdc', 'style.mdc']);
  });

  it('applies always without globs, and keeps globs that are not plain YAML parseable', () => {
    const root = repo({ '.cursor/rules/x.mdc': '---\ndescription: x\n---\n' });
    const always = proposeRule(ctxFor(root), { rule: 'Commits MUST be signed off: "DCO" applies.', title: 'Sign-off' });
    expect(matter(read(root, always.path)).data).toEqual({
      description: 'Commits MUST be signed off: "DCO" applies.',
      globs: null,
      alwaysApply: true,
    });
    const starred = proposeRule(ctxFor(root), { ...RULE, target: 'cursor', globs: ['**/*.sql', 'db/**'] });
    expect(matter(read(root, starred.path)).data['globs']).toEqual(['**/*.sql', 'db/**']);
  });
});

describe('spec-kit constitution', () => {
  it('adds the rule before Governance, bumps MINOR and sets Last Amended; a repeat changes nothing', () => {
    const root = repo({ '.specify/memory/constitution.md': CONSTITUTION });
    const ctx = ctxFor(root);
    const r = proposeRule(ctx, { ...RULE, target: 'constitution' });
    expect(r).toMatchObject({ kind: 'constitution', version: { from: '2.1.1', to: '2.2.0' } });
    const text = read(root, '.specify/memory/constitution.md');
    expect(text).toContain('**Version**: 2.2.0 | **Ratified**: 2025-06-13 | **Last Amended**: 2026-03-02');
    expect(text.indexOf('## Rules from hindsight')).toBeGreaterThan(text.indexOf('### I. Library-First'));
    expect(text.indexOf('## Rules from hindsight')).toBeLessThan(text.indexOf('## Governance'));
    expect(proposeRule(ctx, { ...RULE, target: 'constitution' }).action).toBe('unchanged');
    expect(read(root, '.specify/memory/constitution.md')).toBe(text);
    // Default target when it is the only rule file.
    expect(proposeRule(ctx, { rule: 'Specs MUST name the owning module.' })).toMatchObject({
      kind: 'constitution',
      version: { from: '2.2.0', to: '2.3.0' },
    });
  });

  it('bumps plain "Version:" lines too, and refuses a missing constitution', () => {
    expect(bumpConstitution('Version: 1.4.2\nLast Amended: 2025-01-01\n', '2026-03-02')?.text).toBe(
      'Version: 1.5.0\nLast Amended: 2026-03-02\n',
    );
    expect(bumpConstitution('# No version here\n', '2026-03-02')).toBeUndefined();
    expect(() => proposeRule(ctxFor(repo()), { ...RULE, target: 'constitution' })).toThrow(/no constitution at/);
  });
});

describe('unsafe targets', () => {
  it('refuses targets outside the repository or of other kinds, writing nothing', () => {
    const outside = tempDir();
    const root = repo({ 'AGENTS.md': '# Agents\n', 'README.md': '# Shop\n' });
    symlinkSync(join(outside, 'evil.md'), join(root, 'CLAUDE.md'));
    symlinkSync(outside, join(root, 'out'));
    mkdirSync(join(root, '.cursor'));
    symlinkSync(outside, join(root, '.cursor/rules'));
    const ctx = ctxFor(root);
    const allowed = /; allowed targets: agents, claude, cursor, copilot, constitution, or one of the paths AGENTS\.md/;
    const refused: [string, RegExp][] = [
      ['../escape.md', /'\.\.' path segment/],
      [`${outside}/x.md`, /absolute path/],
      ['/tmp/x.md', /absolute path/],
      ['docs\\rules.md', /backslash/],
      ['.cursor/rules/../../../x.mdc', /'\.\.' path segment/],
      ['rules\u0000.md', /NUL/],
      ['package.json', /is not a rule file hindsight writes/],
      ['README.md', /is not a rule file hindsight writes/],
      ['docs/RULES.md', /is not a rule file hindsight writes/],
      ['.git/hooks/pre-commit.md', /is not a rule file hindsight writes/],
      ['.git/AGENTS.md', /is not a rule file hindsight writes/],
      ['.github/workflows/ci.md', /is not a rule file hindsight writes/],
      ['.github/AGENTS.md', /is not a rule file hindsight writes/],
      ['.cursor/rules/a/b/c/deep.mdc', /is not a rule file hindsight writes/],
    ];
    for (const [target, message] of refused) {
      expect(() => proposeRule(ctx, { ...RULE, target }), target).toThrow(message);
      expect(() => proposeRule(ctx, { ...RULE, target }), target).toThrow(allowed);
    }
    // Allowed names whose links lead out of the repository.
    for (const target of ['CLAUDE.md', 'claude', 'out/AGENTS.md', '.cursor/rules/x.mdc', 'cursor']) {
      expect(() => proposeRule(ctx, { ...RULE, target }), target).toThrow(/symbolic link/);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(read(root, 'AGENTS.md')).toBe('# Agents\n');
    expect(read(root, 'README.md')).toBe('# Shop\n');
    expect(existsSync(join(root, '.git/hooks/pre-commit.md'))).toBe(false);
    expect(existsSync(join(root, '.github'))).toBe(false);
    expect(countFixes(ctx)).toBe(0);
  });

  it('refuses a link inside the repository that leads into .git or to a file that is not Markdown', () => {
    const root = repo({ 'scripts/deploy.sh': '#!/bin/sh\n' });
    symlinkSync('.git/config', join(root, 'AGENTS.md'));
    symlinkSync('scripts/deploy.sh', join(root, 'CLAUDE.md'));
    const ctx = ctxFor(root);
    const config = read(root, '.git/config');
    expect(() => proposeRule(ctx, { ...RULE, target: 'agents' })).toThrow(/leads into \.git \(\.git\/config\)/);
    expect(() => proposeRule(ctx, { ...RULE, target: 'claude' })).toThrow(
      /links to scripts\/deploy\.sh, which is not a Markdown rule file/,
    );
    expect(read(root, '.git/config')).toBe(config);
    expect(read(root, 'scripts/deploy.sh')).toBe('#!/bin/sh\n');
    // Neither is a rule file to read either.
    expect(detectRuleFiles(root)).toEqual([{ kind: 'claude', path: 'CLAUDE.md' }]);
    expect(countFixes(ctx)).toBe(0);
  });

  it('writes through a link that stays inside the repository (AGENTS.md → CLAUDE.md)', () => {
    const root = repo({ 'CLAUDE.md': '# Shared rules\n' });
    symlinkSync('CLAUDE.md', join(root, 'AGENTS.md'));
    const r = proposeRule(ctxFor(root), RULE);
    expect(r).toMatchObject({ path: 'CLAUDE.md', action: 'appended' });
    expect(read(root, 'AGENTS.md')).toMatch(/^# Shared rules\n\n## Rules from hindsight\n\n- Payment retries MUST/);
  });

  it('detects every rule file kind', () => {
    const root = repo({
      'AGENTS.md': 'a',
      'CLAUDE.md': 'c',
      '.github/copilot-instructions.md': 'g',
      '.specify/memory/constitution.md': CONSTITUTION,
      '.cursor/rules/a.mdc': 'x',
      '.cursor/rules/frontend/b.mdc': 'y',
      '.cursor/rules/notes.md': 'not a rule',
    });
    expect(detectRuleFiles(root)).toEqual([
      { kind: 'agents', path: 'AGENTS.md' },
      { kind: 'claude', path: 'CLAUDE.md' },
      { kind: 'copilot', path: '.github/copilot-instructions.md' },
      { kind: 'constitution', path: '.specify/memory/constitution.md' },
      { kind: 'cursor', path: '.cursor/rules/a.mdc' },
      { kind: 'cursor', path: '.cursor/rules/frontend/b.mdc' },
    ]);
  });
});
