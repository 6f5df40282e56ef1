import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { mcpClient, textOf } from '../helpers/mcp.js';
import { seeder } from '../helpers/seed.js';
import { clusterRow, seedCluster } from '../decisions/seed-triage.js';

const NOW = Date.parse('2026-03-02T09:30:00Z');

const ADR_2 = `---
status: accepted
date: 2025-06-01
---
# Use Adyen for card payments

## Context and Problem Statement

Card payments need a provider.
`;

async function setup(files: Record<string, string> = {}) {
  const g = gitdir();
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(g.path, rel)), { recursive: true });
    writeFileSync(join(g.path, rel), text);
  }
  const ctx = testContext(g.path, { now: NOW });
  const client = await mcpClient(ctx);
  return { root: g.path, ctx, client };
}

describe('propose_adr over MCP', () => {
  it('writes the record, links the evidence, covers the cluster, and supersedes', async () => {
    const { root, ctx, client } = await setup({ 'docs/decisions/0002-use-adyen.md': ADR_2 });
    const { clusterId, interruptIds } = seedCluster(ctx, {
      category: 'missing_context',
      module: 'payments',
      label: 'provider choice',
      entries: [{ summary: 'Which payment provider do refunds use?', at: '2026-03-01T10:00:00Z' }],
    });
    seeder(ctx).incident({ externalId: 'INC-7', title: 'Refunds failed', startedAt: '2026-02-10T10:00:00Z' });
    const res = await client.callTool({
      name: 'propose_adr',
      arguments: {
        title: 'Use Stripe for refunds',
        context: 'Refunds go through two providers.',
        decision: 'Refunds go through Stripe only.',
        options: [{ title: 'Stripe', pros: ['one API'] }, { title: 'Adyen' }],
        chosen: 'Stripe',
        consequences: ['Good, because one reconciliation'],
        supersedes: 2,
        interrupt_ids: interruptIds,
        cluster_id: clusterId,
        incident_ids: ['INC-7'],
      },
    });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as {
      fixId: number;
      path: string;
      content: string;
      written: boolean;
      supersededPath: string;
    };
    expect(out).toMatchObject({
      path: 'docs/decisions/0003-use-stripe-for-refunds.md',
      written: true,
      number: 3,
      folder: 'docs/decisions',
      supersededPath: 'docs/decisions/0002-use-adyen.md',
    });
    expect(readFileSync(join(root, out.path), 'utf8')).toBe(out.content);
    expect(out.content).toContain('* Incident INC-7: Refunds failed');
    expect(matter(readFileSync(join(root, 'docs/decisions/0002-use-adyen.md'), 'utf8')).data['status']).toBe(
      'superseded by [ADR-0003](0003-use-stripe-for-refunds.md)',
    );
    expect(clusterRow(ctx, clusterId)).toEqual({ fix_id: out.fixId, covered_at: NOW });
    expect(textOf(res)).toMatch(
      /^ADR created: docs\/decisions\/0003-use-stripe-for-refunds\.md \(fix #\d+, status proposed\)/,
    );
  });

  it('answers a traversal title with isError and writes nothing', async () => {
    const { root, client } = await setup();
    const res = await client.callTool({
      name: 'propose_adr',
      arguments: { title: '../../outside', context: 'c', decision: 'd' },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/title contains a '\.\.' path segment/);
    expect(existsSync(join(root, 'docs'))).toBe(false);
  });
});

describe('propose_rule over MCP', () => {
  it('appends once, reports unchanged the second time, and explains a rule without MUST/SHOULD', async () => {
    const { root, client } = await setup({ 'AGENTS.md': '# Agents\n' });
    const args = { rule: 'Migrations MUST be reviewed by a human before merge.', rationale: 'Two outages.' };
    const first = await client.callTool({ name: 'propose_rule', arguments: args });
    expect(first.structuredContent).toMatchObject({
      path: 'AGENTS.md',
      kind: 'agents',
      action: 'appended',
      written: true,
    });
    const second = await client.callTool({ name: 'propose_rule', arguments: args });
    expect(second.structuredContent).toMatchObject({ action: 'unchanged', written: false });
    expect(readFileSync(join(root, 'AGENTS.md'), 'utf8').match(/Migrations MUST/g)).toHaveLength(1);

    const bad = await client.callTool({
      name: 'propose_rule',
      arguments: { rule: 'Please review migrations carefully.' },
    });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/MUST, MUST NOT, SHOULD or SHOULD NOT/);
  });

  it('dry_run previews a Cursor rule without writing it', async () => {
    const { root, client } = await setup({ '.cursor/rules/base.mdc': '---\ndescription: base\n---\n' });
    const res = await client.callTool({
      name: 'propose_rule',
      arguments: { rule: 'SQL files SHOULD use snake_case.', target: 'cursor', globs: ['db/**'], dry_run: true },
    });
    const out = res.structuredContent as { path: string; content: string; written: boolean; fixId: number | null };
    expect(out).toMatchObject({ written: false, fixId: null });
    expect(matter(out.content).data).toEqual({
      description: 'SQL files SHOULD use snake_case.',
      globs: 'db/**',
      alwaysApply: false,
    });
    expect(existsSync(join(root, out.path))).toBe(false);
    expect(textOf(res)).toMatch(/^dry run: rule \(cursor\) would be created at \.cursor\/rules\//);
  });
});

describe('propose_skill over MCP', () => {
  it('writes SKILL.md and rejects a bad name with the rule it breaks', async () => {
    const { root, client } = await setup();
    const res = await client.callTool({
      name: 'propose_skill',
      arguments: {
        name: 'db-migrations',
        description: 'Writes and checks database migrations. Use when a change needs a schema migration.',
        body: '1. Run `npm run migrate:new`.\n2. Review the SQL.',
      },
    });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as { path: string };
    expect(out.path).toBe('.claude/skills/db-migrations/SKILL.md');
    expect(matter(readFileSync(join(root, out.path), 'utf8')).data['name']).toBe('db-migrations');

    const bad = await client.callTool({
      name: 'propose_skill',
      arguments: { name: 'DB_Migrations', description: 'Use when migrating.', body: 'x' },
    });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(
      /name 'DB_Migrations' may contain only lowercase letters, digits and hyphens \(e\.g\. 'db-migrations'\)/,
    );
  });
});

describe('ADR and rule resources', () => {
  it('lists every ADR and rule file, and reads them', async () => {
    const { client } = await setup({
      'docs/adr/0001-record.md': '# 1. Record decisions\n\n## Status\n\nAccepted\n',
      'docs/adr/0007-use-keys.md': ADR_2.replace('Use Adyen for card payments', 'Use idempotency keys'),
      'AGENTS.md': '# Agents\n\nUse pnpm.\n',
      '.cursor/rules/payments.mdc': '---\ndescription: payments\n---\nRetry safely.\n',
    });
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'hindsight://adr/1',
        'hindsight://adr/7',
        'hindsight://rules/AGENTS.md',
        'hindsight://rules/.cursor/rules/payments.mdc',
      ]),
    );
    expect(resources.find((r) => r.uri === 'hindsight://adr/7')).toMatchObject({
      name: 'ADR-0007',
      title: 'ADR-0007 Use idempotency keys',
      description: 'accepted · docs/adr/0007-use-keys.md',
    });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      expect.arrayContaining(['hindsight://adr/{number}', 'hindsight://rules/{+path}']),
    );

    const adr = await client.readResource({ uri: 'hindsight://adr/7' });
    expect(adr.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    expect((adr.contents[0] as { text: string }).text).toMatch(/# Use idempotency keys/);
    const padded = await client.readResource({ uri: 'hindsight://adr/0001' });
    expect((padded.contents[0] as { text: string }).text).toMatch(/Record decisions/);
    const mdc = await client.readResource({ uri: 'hindsight://rules/.cursor/rules/payments.mdc' });
    expect((mdc.contents[0] as { text: string }).text).toMatch(/Retry safely/);

    await expect(client.readResource({ uri: 'hindsight://adr/3' })).rejects.toThrow(/no ADR numbered '3'; known: 1, 7/);
    await expect(client.readResource({ uri: 'hindsight://rules/package.json' })).rejects.toThrow(/not a rule file/);
  });
});

describe('files hindsight did not write (issue 13)', () => {
  const HUMAN_SKILL =
    '---\nname: deploy\ndescription: Deploys the shop by hand. Use when a release is tagged.\n---\n\n' +
    '# Deploy\n\n1. Run `make deploy`.\n2. Watch the dashboard.\n';

  it("merges propose_skill into a human's SKILL.md: description and body intact, one marked section", async () => {
    const { root, client } = await setup({ '.claude/skills/deploy/SKILL.md': HUMAN_SKILL });
    const args = {
      name: 'deploy',
      description: 'Deploys with the new pipeline. Use when the deploy job fails.',
      body: '1. Re-run the pipeline with `--retry`.',
    };
    const first = await client.callTool({ name: 'propose_skill', arguments: args });
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ action: 'merged', written: true });
    expect(textOf(first)).toMatch(/^skill merged: \.claude\/skills\/deploy\/SKILL\.md/);
    const text = readFileSync(join(root, '.claude/skills/deploy/SKILL.md'), 'utf8');
    expect(text.startsWith(HUMAN_SKILL)).toBe(true);
    expect(matter(text).data).toEqual({
      name: 'deploy',
      description: 'Deploys the shop by hand. Use when a release is tagged.',
    });
    expect(text.slice(HUMAN_SKILL.length)).toMatch(
      /^\n<!-- hindsight:begin[^\n]*-->\n[\s\S]*1\. Re-run the pipeline with `--retry`\.\n<!-- hindsight:end -->\n$/,
    );

    const second = await client.callTool({ name: 'propose_skill', arguments: args });
    expect(second.structuredContent).toMatchObject({ action: 'unchanged', written: false });
    expect(readFileSync(join(root, '.claude/skills/deploy/SKILL.md'), 'utf8')).toBe(text);
  });

  it('refuses propose_rule targets that are not rule files, listing the allowed ones, writing nothing', async () => {
    const { root, client } = await setup({ 'README.md': '# Shop\n' });
    for (const target of ['README.md', '.git/hooks/pre-commit.md', '.github/workflows/ci.md', '../x.md', '/tmp/x.md']) {
      const res = await client.callTool({
        name: 'propose_rule',
        arguments: { rule: 'Deploys MUST be tagged.', target },
      });
      expect(res.isError, target).toBe(true);
      expect(textOf(res), target).toMatch(/allowed targets: agents, claude, cursor, copilot, constitution/);
      expect(textOf(res), target).toContain('.github/copilot-instructions.md');
    }
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('# Shop\n');
    expect(existsSync(join(root, '.git/hooks/pre-commit.md'))).toBe(false);
    expect(existsSync(join(root, '.github'))).toBe(false);
    expect(existsSync(join(root, '../x.md'))).toBe(false);
  });

  it('never reads a rule file or an ADR folder that links outside the repository', async () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.md'), 'SECRET rule text\n');
    mkdirSync(join(outside, 'adr'));
    writeFileSync(join(outside, 'adr/0001-secret.md'), '# SECRET decision\n');
    const { root, client } = await setup({ 'AGENTS.md': '# Agents\n' });
    symlinkSync(join(outside, 'secret.md'), join(root, 'CLAUDE.md'));
    mkdirSync(join(root, 'docs'));
    symlinkSync(join(outside, 'adr'), join(root, 'docs/adr'));

    const uris = (await client.listResources()).resources.map((r) => r.uri);
    expect(uris).toContain('hindsight://rules/AGENTS.md');
    expect(uris).not.toContain('hindsight://rules/CLAUDE.md');
    expect(uris).not.toContain('hindsight://adr/1');
    await expect(client.readResource({ uri: 'hindsight://rules/CLAUDE.md' })).rejects.toThrow(/not a rule file/);
    await expect(client.readResource({ uri: 'hindsight://adr/1' })).rejects.toThrow(/no ADR numbered '1'/);

    const rule = await client.callTool({
      name: 'propose_rule',
      arguments: { rule: 'Deploys MUST be tagged.', target: 'claude' },
    });
    expect(rule.isError).toBe(true);
    expect(textOf(rule)).toMatch(/symbolic link/);
    const adr = await client.callTool({
      name: 'propose_adr',
      arguments: { title: 'Tag deploys', context: 'c', decision: 'd' },
    });
    expect(adr.isError).toBe(true);
    expect(textOf(adr)).toMatch(/symbolic link/);
    expect(readFileSync(join(outside, 'secret.md'), 'utf8')).toBe('SECRET rule text\n');
    expect(readdirSync(join(outside, 'adr'))).toEqual(['0001-secret.md']);
  });
});
