import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
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

  it('updates an existing skill: body replaced, other front-matter keys kept', () => {
    const existing =
      '---\nname: payments-sandbox\ndescription: Old text. Use when old.\nlicense: Apache-2.0\nallowed-tools: Bash(npm:*) Read\n' +
      'metadata:\n  author: payments-team\n---\n\nOld body.\n';
    const root = repo({ '.claude/skills/payments-sandbox/SKILL.md': existing });
    const r = proposeSkill(ctxFor(root), SKILL);
    expect(r.action).toBe('updated');
    const parsed = assertValidSkillFile(root, r.path);
    expect(parsed.data).toEqual({
      name: 'payments-sandbox',
      description: SKILL.description,
      license: 'Apache-2.0',
      'allowed-tools': 'Bash(npm:*) Read',
      metadata: { author: 'payments-team' },
    });
    expect(parsed.content).not.toContain('Old body');
    expect(parsed.content.trim()).toBe(SKILL.body.trim());
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
