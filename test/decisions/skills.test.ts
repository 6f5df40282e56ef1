import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import {
  proposeSkill,
  skillDescriptionProblem,
  skillNameProblem,
  type ProposeSkillInput,
} from '../../src/decisions/skills.js';
import { tempDir } from '../helpers/gitdir.js';
import { clusterRow, countFixes, seedCluster, ctxAt, repoWith } from './seed-triage.js';

const repo = repoWith;
const ctxFor = ctxAt;

const SKILL: ProposeSkillInput = {
  name: 'payments-sandbox',
  description: 'Runs payment flows against the Stripe sandbox. Use when a payments test needs a real card charge.',
  body: '# Payments sandbox\n\n1. Export STRIPE_TEST_KEY from 1Password.\n2. Run `npm run sandbox`.\n',
};

/** The Agent Skills rules, checked on what was written: the name equals the folder and follows the pattern. */
function assertValidSkillFile(root: string, rel: string) {
  const parsed = matter(readFileSync(join(root, rel), 'utf8'));
  const name = parsed.data['name'] as string;
  expect(rel).toBe(`.claude/skills/${name}/SKILL.md`);
  expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(name.length).toBeLessThanOrEqual(64);
  const description = parsed.data['description'] as string;
  expect(description.length).toBeGreaterThan(0);
  expect(description.length).toBeLessThanOrEqual(1024);
  return parsed;
}

describe('Agent Skills naming rules', () => {
  it('accepts lowercase, digits and single inner hyphens up to 64 characters', () => {
    for (const ok of ['pdf', 'payments-sandbox', 'a1-b2-c3', 'x'.repeat(64)])
      expect(skillNameProblem(ok), ok).toBeUndefined();
  });

  it('rejects the rest, suggesting a valid name', () => {
    expect(skillNameProblem('PDF-Processing')).toMatch(
      /lowercase letters, digits and hyphens \(e\.g\. 'pdf-processing'\)/,
    );
    expect(skillNameProblem('pdf_processing')).toMatch(/lowercase/);
    expect(skillNameProblem('-pdf')).toMatch(/must not start or end with a hyphen/);
    expect(skillNameProblem('pdf-')).toMatch(/must not start or end with a hyphen/);
    expect(skillNameProblem('pdf--processing')).toMatch(/consecutive hyphens/);
    expect(skillNameProblem('x'.repeat(65))).toMatch(/65 characters; at most 64/);
    expect(skillNameProblem('')).toMatch(/empty/);
    expect(skillNameProblem('claude-helper')).toMatch(/reserved/);
  });

  it('wants a description that says what and when, at most 1024 characters', () => {
    expect(skillDescriptionProblem(SKILL.description)).toBeUndefined();
    expect(skillDescriptionProblem('Helps with PDFs.')).toMatch(/WHEN/);
    expect(skillDescriptionProblem(`Use when x. ${'y'.repeat(1020)}`)).toMatch(/at most 1024/);
    expect(skillDescriptionProblem('  ')).toMatch(/empty/);
  });
});

describe('proposeSkill', () => {
  it('writes .claude/skills/<name>/SKILL.md with valid front matter, the body and the evidence', () => {
    const root = repo();
    const ctx = ctxFor(root);
    const { clusterId, interruptIds } = seedCluster(ctx, {
      category: 'tool_failure',
      module: 'payments',
      label: 'sandbox card declined',
      entries: [{ summary: 'Sandbox declined the test card again', at: '2026-03-01T10:00:00Z' }],
    });
    const r = proposeSkill(ctx, { ...SKILL, clusterId, interruptIds });
    expect(r).toMatchObject({ path: '.claude/skills/payments-sandbox/SKILL.md', action: 'created', written: true });
    const parsed = assertValidSkillFile(root, r.path);
    expect(parsed.data).toEqual({ name: SKILL.name, description: SKILL.description });
    expect(parsed.content).toContain('1. Export STRIPE_TEST_KEY from 1Password.');
    expect(parsed.content).toContain(
      `- Interrupt #${interruptIds[0]} (2026-03-01): Sandbox declined the test card again`,
    );
    expect(clusterRow(ctx, clusterId).fix_id).toBe(r.fixId);

    // Same call again: nothing changes, the same fix answers.
    const again = proposeSkill(ctx, { ...SKILL, clusterId, interruptIds });
    expect(again).toMatchObject({ action: 'unchanged', written: false, fixId: r.fixId });
    expect(countFixes(ctx)).toBe(1);
  });

  it("merges into a human's SKILL.md: front matter, description and body kept, one marked section", () => {
    const human =
      '---\nname: payments-sandbox\ndescription: Old text. Use when old.\nlicense: Apache-2.0\nallowed-tools: Bash(npm:*) Read\n' +
      'metadata:\n  author: payments-team\n---\n\n# Sandbox\n\nOld body, written by a human.\n';
    const root = repo({ '.claude/skills/payments-sandbox/SKILL.md': human });
    const ctx = ctxFor(root);
    const r = proposeSkill(ctx, SKILL);
    expect(r).toMatchObject({ action: 'merged', written: true });
    expect(r.notes.join('\n')).toMatch(/kept the description in \.claude\/skills\/payments-sandbox\/SKILL\.md/);
    const text = readFileSync(join(root, r.path), 'utf8');
    expect(text).toBe(r.content);
    expect(text.startsWith(human)).toBe(true);
    expect(assertValidSkillFile(root, r.path).data).toEqual({
      name: 'payments-sandbox',
      description: 'Old text. Use when old.',
      license: 'Apache-2.0',
      'allowed-tools': 'Bash(npm:*) Read',
      metadata: { author: 'payments-team' },
    });
    const added = text.slice(human.length);
    expect(added).toMatch(
      /^\n<!-- hindsight:begin · propose_skill rewrites this section; write your own text outside it -->\n/,
    );
    expect(added).toContain(`> Description hindsight proposes: ${SKILL.description}`);
    expect(added).toContain('2. Run `npm run sandbox`.\n<!-- hindsight:end -->\n');

    // Idempotent, and a new proposal replaces the section in place, below the human's text.
    expect(proposeSkill(ctx, SKILL)).toMatchObject({ action: 'unchanged', written: false, fixId: r.fixId });
    expect(readFileSync(join(root, r.path), 'utf8')).toBe(text);
    writeFileSync(join(root, r.path), `${text}\n## Notes\n\nAdded by a human later.\n`);
    const again = proposeSkill(ctx, { ...SKILL, body: '1. Use `npm run sandbox -- --card 4242`.' });
    expect(again.action).toBe('merged');
    const next = readFileSync(join(root, r.path), 'utf8');
    expect(next.startsWith(human)).toBe(true);
    expect(next.match(/<!-- hindsight:begin/g)).toHaveLength(1);
    expect(next).not.toContain('npm run sandbox`.');
    expect(next).toMatch(/--card 4242`\.\n<!-- hindsight:end -->\n\n## Notes\n\nAdded by a human later\.\n$/);
  });

  it('updates its own skill, description included, but keeps a description a human edited since', () => {
    const root = repo();
    const ctx = ctxFor(root);
    const created = proposeSkill(ctx, SKILL);
    const description = 'Runs payment flows in the sandbox. Use when a payments test charges a card.';
    const updated = proposeSkill(ctx, { ...SKILL, description, body: 'New steps.' });
    expect(updated).toMatchObject({ action: 'updated', written: true, notes: [] });
    const own = readFileSync(join(root, created.path), 'utf8');
    expect(assertValidSkillFile(root, created.path).data).toEqual({ name: SKILL.name, description });
    expect(own).toMatch(
      /^---\n[^]*\n---\n\n<!-- hindsight:begin description=[0-9a-f]{12} · [^\n]*-->\nNew steps\.\n<!-- hindsight:end -->\n$/,
    );

    // A human rewrites the description: from now on it is theirs.
    const edited = own.replace(description, 'Hand-tuned. Use when the sandbox misbehaves.');
    writeFileSync(join(root, created.path), edited);
    const merged = proposeSkill(ctx, { ...SKILL, body: 'Newer steps.' });
    expect(merged.action).toBe('merged');
    expect(assertValidSkillFile(root, created.path).data['description']).toBe(
      'Hand-tuned. Use when the sandbox misbehaves.',
    );
    expect(readFileSync(join(root, created.path), 'utf8')).toContain('Newer steps.\n<!-- hindsight:end -->');
  });

  it('refuses broken section markers with the path and how to fix them, and markers in the body', () => {
    const broken =
      '---\nname: payments-sandbox\ndescription: Mine. Use when mine.\n---\n\n<!-- hindsight:begin -->\nx\n';
    const root = repo({ '.claude/skills/payments-sandbox/SKILL.md': broken });
    const ctx = ctxFor(root);
    expect(() => proposeSkill(ctx, SKILL)).toThrow(
      /^\.claude\/skills\/payments-sandbox\/SKILL\.md has 1 '<!-- hindsight:begin …' and 0 '<!-- hindsight:end -->' lines, not one pair in order; keep exactly one pair/,
    );
    for (const markers of [
      '<!-- hindsight:end -->\nx\n<!-- hindsight:begin -->',
      '<!-- hindsight:begin -->\n<!-- hindsight:begin -->\nx\n<!-- hindsight:end -->\n<!-- hindsight:end -->',
    ]) {
      const other = repo({ '.claude/skills/payments-sandbox/SKILL.md': `# Mine\n\n${markers}\n` });
      expect(() => proposeSkill(ctxFor(other), SKILL), markers).toThrow(/lines, not one pair in order/);
    }
    expect(() => proposeSkill(ctx, { ...SKILL, name: 'other', body: 'a\n<!-- hindsight:end -->\nb' })).toThrow(
      /^body must not contain a line starting with '<!-- hindsight:begin' or '<!-- hindsight:end -->'/,
    );
    expect(readFileSync(join(root, '.claude/skills/payments-sandbox/SKILL.md'), 'utf8')).toBe(broken);
    expect(existsSync(join(root, '.claude/skills/other'))).toBe(false);
    expect(countFixes(ctx)).toBe(0);
  });

  it('refuses invalid names (traversal included) and descriptions, writing nothing', () => {
    const outside = tempDir();
    const root = repo();
    mkdirSync(join(root, '.claude/skills'), { recursive: true });
    symlinkSync(outside, join(root, '.claude/skills/linked'));
    const ctx = ctxFor(root);
    for (const name of ['../../etc', '..', '/tmp/x', 'a/b', 'a\\b', 'a\u0000b', 'Payments', 'x'.repeat(65)]) {
      expect(() => proposeSkill(ctx, { ...SKILL, name }), JSON.stringify(name)).toThrow(
        /^name '.*' (may contain|is|must)/,
      );
    }
    expect(() => proposeSkill(ctx, { ...SKILL, name: 'linked' })).toThrow(/symbolic link/);
    expect(() => proposeSkill(ctx, { ...SKILL, description: 'Does payments.' })).toThrow(
      /description must also say WHEN/,
    );
    expect(() => proposeSkill(ctx, { ...SKILL, body: '  ' })).toThrow(/body is empty/);
    expect(readdirSync(join(root, '.claude/skills'))).toEqual(['linked']);
    expect(readdirSync(outside)).toEqual([]);
    expect(countFixes(ctx)).toBe(0);
  });

  it('dry_run writes nothing', () => {
    const root = repo();
    const ctx = ctxFor(root);
    const r = proposeSkill(ctx, { ...SKILL, dryRun: true });
    expect(r).toMatchObject({ fixId: null, written: false, action: 'created' });
    expect(matter(r.content).data['name']).toBe('payments-sandbox');
    expect(existsSync(join(root, '.claude'))).toBe(false);
    expect(countFixes(ctx)).toBe(0);
  });
});
