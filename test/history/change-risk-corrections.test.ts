import { describe, expect, it } from 'vitest';
import { logInterrupt, resolveInterrupt } from '../../src/triage/interrupts.js';
import { mcpClient, textOf } from '../helpers/mcp.js';
import { paymentsStory } from '../helpers/stories.js';

const NOW = Date.parse('2026-02-13T00:00:00Z');

// change_risk is where an agent looks before editing: what humans already corrected on these files, and the
// rule files written for them, belong in its answer.
describe('change_risk names the corrections logged on the paths and the rules that apply', () => {
  it('the idempotency cluster on gateway.ts with its answer, and the Cursor rule and folder AGENTS.md for it', async () => {
    const { g, ctx: base } = await paymentsStory();
    const ctx = { ...base, clock: () => NOW };
    g.commit({
      files: {
        '.cursor/rules/payments.mdc':
          '---\ndescription: payments\nglobs: src/payments/**\nalwaysApply: false\n---\n\n# Payments\n',
        '.cursor/rules/auth.mdc': '---\ndescription: auth\nglobs: src/auth/**\nalwaysApply: false\n---\n\n# Auth\n',
        'src/payments/AGENTS.md': '# Payments\n\nRetries reuse the idempotency key.\n',
        'AGENTS.md': '# Agents\n\n## Style\n\nPrettier formats everything.\n',
      },
      message: 'docs: rules',
      date: '2026-02-11T10:00:00Z',
    });
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = logInterrupt(ctx, {
        kind: 'correction',
        category: 'missing_context',
        summary: `Reviewer: the charge retry must send the same idempotency key on every attempt (${i + 1})`,
        paths: ['src/payments/gateway.ts'],
        source: 'human',
        createdAt: NOW - (8 - i) * 3_600_000,
      });
      ids.push(res.id);
    }
    resolveInterrupt(ctx, {
      id: ids[3]!,
      response: 'Reuse the key generated once per charge.',
      respondedAt: NOW - 3_600_000,
    });
    logInterrupt(ctx, {
      kind: 'interrupt',
      category: 'missing_context',
      summary: 'Which session cookie flags does login set?',
      paths: ['src/auth/login.ts'],
      source: 'agent',
      createdAt: NOW - 60_000,
    });

    const client = await mcpClient(ctx);
    const res = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/payments/gateway.ts'] } });
    const reasons = (res.structuredContent as { reasons: string[] }).reasons;
    const cluster = reasons.find((r) => r.includes('logged on src/payments/gateway.ts'));
    expect(cluster).toMatch(
      /^7 missing_context entries logged on src\/payments\/gateway\.ts \(cluster #\d+ "[^"]*idempotency/,
    );
    expect(cluster).toContain(
      'latest "Reviewer: the charge retry must send the same idempotency key on every attempt (7)"',
    );
    expect(cluster).toContain('→ answer "Reuse the key generated once per charge."');
    expect(reasons.join('\n')).not.toContain('session cookie');
    const rules = reasons.find((r) => r.startsWith('rules that apply:'));
    expect(rules).toBe(
      'rules that apply: .cursor/rules/payments.mdc (globs src/payments/**), src/payments/AGENTS.md (files under src/payments/)',
    );
    expect(textOf(res)).toContain('7 missing_context entries logged on src/payments/gateway.ts');
    const auth = (await client.callTool({ name: 'change_risk', arguments: { paths: ['src/auth/login.ts'] } }))
      .structuredContent as { reasons: string[] };
    expect(auth.reasons.filter((r) => r.includes('logged on'))).toHaveLength(1);
    expect(auth.reasons.find((r) => r.startsWith('rules that apply:'))).toBe(
      'rules that apply: .cursor/rules/auth.mdc (globs src/auth/**)',
    );
    await client.close();
  });
});
