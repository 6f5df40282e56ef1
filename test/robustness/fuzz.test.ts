import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { ADR_0002 } from '../../src/demo/scenario-files.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { mcpClient, textOf } from '../helpers/mcp.js';
import { seeder } from '../helpers/seed.js';
import { importJson, paymentsStory } from '../helpers/stories.js';
import { prng } from '../../src/demo/scenario-text.js';
import { ArgumentFuzzer, ESCAPES, type JsonSchema } from './generate.js';

// Issue 13's robustness suite: every tool, CALLS generated calls each (seeded: FUZZ_SEED replays a run), over the
// real SDK client against a real store with a demo-like history. Every call answers within 2 s; every failure is
// an isError answer that says how to fix the call (never "a hindsight bug"); arguments that are not an object get
// -32602; the server answers a valid call afterwards; file-writing tools write inside the repository only.
// Measured with seed 13 (the run is deterministic, its timings are not): 11 tools × 1,000 generated calls + 66
// non-object ones = 11,066 calls; 2,421 answered, 8,645 refused with a fix (an unknown field, sent in 5% of calls, is
// refused with its closest name); worst call 0.5 s (a first call, warming
// up); 12 s of CPU, ~40 s of wall time on a 2-core machine at load 14. FUZZ_CALLS changes the count.
const SEED = Number(process.env['FUZZ_SEED'] ?? 13);
const CALLS = Number(process.env['FUZZ_CALLS'] ?? 1_000);
const MAX_CALL_MS = 2_000;
const NOW = Date.parse('2026-02-20T00:00:00Z');

/** Says how to fix the call: what to send, or which limit or value is wanted. */
const HINT =
  /\b(use|pass|give|call|fix|shorten|choose|set|add|import|ingest|record|run|retry|remove|rename|leave|must|needs?|one of|at most|at least|required|such as|instead|known|closest|lists?|only|see|read|try|write|start|log|drop|omit)\b|e\.g\./i;

const AGENTS_MD = `# Agents\n\n## Database migrations\n\nNever run migrations against production. Open a pull request first.\n`;
const SKILL = `---\nname: e2e-flaky-checkout\ndescription: Use when npm run e2e flakes on the checkout spec. Retries the suite.\n---\n\n# e2e\n\nRun \`npm run e2e -- --retries=2\`.\n`;

/** A demo-like store: the payments story (real git, deploys, a fix), 30 incidents and 200 more commits. */
async function world() {
  const s = await paymentsStory();
  s.g.commit({
    files: {
      'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002,
      'AGENTS.md': AGENTS_MD,
      '.claude/skills/e2e-flaky-checkout/SKILL.md': SKILL,
      'hindsight.config.json': JSON.stringify({ modules: { payments: ['src/payments/**'], auth: ['src/auth/**'] } }),
    },
    message: 'docs: decisions, rules and skills',
    date: '2026-02-11T09:00:00Z',
  });
  s.ctx.config.now = NOW;
  s.ctx.clock = () => NOW;
  const seed = seeder(s.ctx);
  const shas: string[] = [];
  for (let i = 0; i < 200; i++) {
    shas.push(
      seed.commit({
        at: NOW - (i + 1) * 3 * 3_600_000,
        subject: `change ${i}`,
        ...(i % 3 === 0 ? { agent: ['claude', 'cursor', 'copilot'][i % 3]! } : {}),
        files: [['src/payments/gateway.ts', 'src/auth/login.ts', 'src/search/index.ts', 'README.md'][i % 4]!],
      }),
    );
  }
  importJson(
    s.ctx,
    Array.from({ length: 30 }, (_, i) => ({
      id: `INC-${101 + i}`,
      title: ['Payments API timeouts', 'Login loop after deploy', 'Search index stale'][i % 3],
      severity: `SEV${(i % 3) + 1}`,
      started_at: new Date(NOW - (i + 1) * 86_400_000).toISOString(),
      files: [['src/payments/gateway.ts', 'src/auth/login.ts', 'src/search/index.ts'][i % 3]],
      ...(i === 0 ? { fix_sha: s.fix } : {}),
    })),
  );
  await refreshAttribution(s.ctx);
  return { ...s, shas };
}

type World = Awaited<ReturnType<typeof world>>;

/** Realistic values by field name, so a good share of calls get past the door and into the domain. */
function hints(w: World): Record<string, readonly unknown[]> {
  const iso = ['2026-02-01', '2026-02-19T12:00:00Z', '2026-01-01T00:00:00+02:00', '2025-12-01'];
  return {
    paths: ['src/payments/gateway.ts', 'src/auth/login.ts', 'docs/adr/0002-idempotency-keys-for-payment-retries.md'],
    path: ['src/payments/gateway.ts', 'src/auth', 'package.json'],
    module: ['payments', 'auth', 'paym', 'search', '(root)'],
    incident: ['INC-101', 'inc-102', 'Payments API timeouts', 'timeouts', '1', 'INC-9999'],
    since: iso,
    until: iso,
    at: iso,
    responded_at: iso,
    resolved_at: iso,
    agent: ['claude', 'cursor', 'copilot', 'someone-else'],
    author: ['ada@example.com', 'Ada Lovelace', 'nobody@example.com'],
    shas: [w.inducing.slice(0, 7), w.fix, w.shas[3]!.slice(0, 10), 'abcd', 'zzzz'],
    env: ['production', 'staging'],
    id: [1, 2, 3, 'TASK-1', 'TASK-2'],
    fix_id: [1, 2, 3],
    cluster_id: [1, 2, 3],
    interrupt_ids: [1, 2, 3, 4],
    incident_ids: ['INC-101', 'INC-102', 'INC-404'],
    summary: ['Which idempotency key must a payment retry reuse?', 'npm run e2e timed out on checkout again'],
    response: ['Reuse the first key: see ADR-0002.'],
    task_id: ['TASK-1', 'TASK-2'],
    title: ['Use idempotency keys for payment retries', 'Retry e2e once'],
    context: ['Gateway retries charged twice.'],
    decision: ['Every retry reuses the key of the first attempt.'],
    chosen: ['Idempotency keys'],
    rule: ['Payment retries MUST reuse the idempotency key of the first charge.', 'short'],
    target: ['agents', 'claude', 'cursor', 'copilot', 'constitution', 'docs/rules.md', '.cursor/rules/pay.mdc'],
    globs: ['src/payments/**', '**/*.ts'],
    name: ['e2e-retries', 'payments-sandbox', 'Bad Name', 'x'.repeat(65)],
    description: ['Use when the e2e suite flakes on checkout: retries it once.'],
    body: ['Run `npm run e2e -- --retries=2`.'],
  };
}

/** A call each tool must answer after its fuzzing: the server still works. */
const VALID: Record<string, Record<string, unknown>> = {
  my_deploy_impact: { agent: 'claude' },
  change_risk: { paths: ['src/payments/gateway.ts'] },
  module_incident_history: { module: 'payments' },
  incident_suspects: { incident: 'INC-101' },
  log_interrupt: { summary: 'Which retry policy applies to the gateway?', paths: ['src/payments/gateway.ts'] },
  resolve_interrupt: { id: 1, response: 'Use ADR-0002.' },
  record_task: { action: 'start', id: 'TASK-valid' },
  triage_report: {},
  delivery_metrics: { window_days: 30 },
  release_review: {},
  propose_adr: { title: 'Use idempotency keys', context: 'Retries charged twice.', decision: 'Reuse the key.' },
  propose_rule: { rule: 'Payment retries MUST reuse the idempotency key.', dry_run: true },
  propose_skill: {
    name: 'e2e-retries',
    description: 'Use when the e2e suite flakes on checkout: retries it once.',
    body: 'Run `npm run e2e -- --retries=2`.',
    dry_run: true,
  },
};

describe('every tool under generated calls', () => {
  let w: World;
  let client: Awaited<ReturnType<typeof mcpClient>>;
  const figures = { calls: 0, errors: 0, worstMs: 0, worst: '', answered: {} as Record<string, number> };

  beforeAll(async () => {
    w = await world();
    client = await mcpClient(w.ctx, { clientName: 'claude-code' });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    // The figures the closing note asks for.
    console.log(
      `fuzz (seed ${SEED}): ${figures.calls} calls, ${figures.errors} isError answers, worst ${figures.worstMs.toFixed(0)} ms ` +
        `(${figures.worst}); answered per tool: ${JSON.stringify(figures.answered)}`,
    );
  });

  it('has a valid call for every tool', () => {
    expect(Object.keys(VALID).sort()).toEqual(allTools.map((t) => t.name).sort());
  });

  for (const tool of allTools) {
    it(`${tool.name}: ${CALLS} calls, each within ${MAX_CALL_MS} ms, every error with a fix; a valid call after`, async () => {
      const schema = z.toJSONSchema(z.object(tool.input), { target: 'draft-7', io: 'input' }) as JsonSchema;
      const fuzz = new ArgumentFuzzer(prng(SEED ^ hash(tool.name)), hints(w));
      for (let i = 0; i < CALLS; i++) {
        const args = fuzz.args(schema);
        const started = performance.now();
        const res = await client.callTool({ name: tool.name, arguments: args });
        const ms = performance.now() - started;
        figures.calls++;
        if (ms > figures.worstMs) Object.assign(figures, { worstMs: ms, worst: `${tool.name} #${i}` });
        const where = `${tool.name} #${i} (seed ${SEED}) ${JSON.stringify(args).slice(0, 300)}`;
        expect(ms, where).toBeLessThan(MAX_CALL_MS);
        if (res.isError) {
          figures.errors++;
          const text = textOf(res);
          expect(text, where).not.toMatch(/hindsight bug|unexpected/);
          expect(text, `${where}: ${text}`).toMatch(HINT);
          expect(text.length, where).toBeLessThan(3_000); // a huge argument is not echoed back
        } else {
          expect(res.structuredContent, where).toBeTypeOf('object');
          figures.answered[tool.name] = (figures.answered[tool.name] ?? 0) + 1;
        }
      }
      // Arguments that are not an object are a protocol error, not a tool failure.
      for (const bad of ['text', 42, null, true, [1, 2], [{}]]) {
        const call = client.request(
          { method: 'tools/call', params: { name: tool.name, arguments: bad as never } },
          CallToolResultSchema,
        );
        await expect(call).rejects.toMatchObject({ code: -32602 });
        figures.calls++;
      }
      const after = await client.callTool({ name: tool.name, arguments: VALID[tool.name]! });
      expect(after.isError, textOf(after)).toBeFalsy();
    }, 120_000);
  }

  it('wrote nothing outside the repository, and no call was logged as a bug', () => {
    for (const escape of ESCAPES) expect(existsSync(resolve(w.g.path, escape)), escape).toBe(false);
    expect(w.ctx.logs.filter((l) => /failed: /.test(l))).toEqual([]);
  });
});

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
