import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCalls } from '../../bench/tokens.js';
import { AGENTS, DENSE_45K, ORG_NOW, orgDatabase, type OrgCatalog } from '../../bench/gen-org.js';
import { argumentMakers } from '../../bench/latency.js';
import { rng } from '../../bench/stats.js';
import { refusal } from '../../src/mcp/access.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { ANSWER_BYTES, bytes } from '../helpers/budget.js';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

// The demo is small, so its answers are small whatever the code does. Real repositories are not: a busy agent's deploys
// carry many linked incidents, a hot module has hundreds of incidents with many links each, a team has hundreds of
// recurring clusters. This runs the same budget on bench/gen-org.ts's generator at the size of a 45k-commit repository,
// with denser incidents than the org benchmark (an incident per 5 commits), and the calls bench/latency.ts varies.
const CALLS_PER_TOOL = 12;

let catalog: OrgCatalog;
let client: Client;

beforeAll(async () => {
  const dbPath = join(tempDir(), 'org.db');
  catalog = orgDatabase(dbPath, DENSE_45K, () => {});
  const ctx = testContext(gitdir().path, { dbPath, now: Date.parse(ORG_NOW) });
  client = await mcpClient(ctx, { clientName: 'claude-code' });
}, 120_000);

afterAll(async () => client?.close());

async function call(name: string, args: Record<string, unknown>) {
  const res = await client.callTool({ name, arguments: args });
  expect(res.isError, `${name} ${JSON.stringify(args)}: ${textOf(res)}`).toBeFalsy();
  return res;
}

/** Every item of a paged list, following nextCursor from the first page to the last. */
async function allPages<T>(
  name: string,
  args: Record<string, unknown>,
  page: (answer: Record<string, unknown>) => { items: T[]; hasMore: boolean; nextCursor?: string },
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const res = await call(name, { ...args, ...(cursor ? { cursor } : {}) });
    const p = page(res.structuredContent as Record<string, unknown>);
    items.push(...p.items);
    expect(p.hasMore, `${name} page ${pages}`).toBe(p.nextCursor !== undefined);
    if (!p.nextCursor) return { items, pages };
    expect(textOf(res)).toContain(p.nextCursor); // text-only clients can page too
    cursor = p.nextCursor;
  }
}

describe('token budget on a large generated repository', () => {
  it(`every tool's answers to varied default calls stay within ${ANSWER_BYTES} bytes`, async () => {
    const makers = argumentMakers(catalog, rng(11));
    const demo = defaultCalls('');
    const calls: Record<string, (i: number) => Record<string, unknown>> = {
      ...makers,
      // The demo's proposals (bench/tokens.ts), each from another of the generated interrupts.
      ...Object.fromEntries(
        (['propose_adr', 'propose_rule', 'propose_skill'] as const).map((tool) => [
          tool,
          (i: number) => demo[tool]!(new Map([['log_interrupt', { id: 1 + i }]])),
        ]),
      ),
    };
    // Every tool a default `serve` lists (the delivery toolset is opt-in; delivery_metrics takes ~20 s a call here).
    expect(Object.keys(calls).sort()).toEqual(
      allTools
        .filter((t) => refusal(t, {}) === undefined)
        .map((t) => t.name)
        .sort(),
    );
    const largest: Record<string, number> = {};
    for (const [tool, make] of Object.entries(calls)) {
      // Varied arguments where bench/latency.ts varies them; the others are the same call each time.
      for (let i = 0; i < (makers[tool] || tool.startsWith('propose_') ? CALLS_PER_TOOL : 1); i++) {
        const args = make(i);
        const res = await call(tool, args);
        const size = Math.max(bytes(textOf(res)), bytes(res.structuredContent));
        largest[tool] = Math.max(largest[tool] ?? 0, size);
        expect(size, `${tool} ${JSON.stringify(args)}`).toBeLessThanOrEqual(ANSWER_BYTES);
      }
    }
    // A change across many busy modules (the riskiest 4 detailed, the rest named): the whole 50-path limit.
    const busy = catalog.modules.slice(0, 50).map((m) => `src/${m}/api/f0.ts`);
    const wide = await call('change_risk', { paths: busy });
    const wideSize = Math.max(bytes(textOf(wide)), bytes(wide.structuredContent));
    expect(wideSize, 'change_risk across 50 modules').toBeLessThanOrEqual(ANSWER_BYTES);
    expect((wide.structuredContent as { modules: unknown[] }).modules).toHaveLength(4);
    expect(textOf(wide)).toContain('also touched, not detailed');
    // The generated history really is large: the busiest answers have something to trim.
    expect(largest['my_deploy_impact']).toBeGreaterThan(3_000);
    expect(largest['module_incident_history']).toBeGreaterThan(3_000);
  }, 300_000);

  it('my_deploy_impact pages: following nextCursor lists each deploy exactly once, whatever the page size', async () => {
    const args = { agent: AGENTS[0] };
    const deploys = (a: Record<string, unknown>) => ({
      items: (a['deploys'] as { id: number; incidents: unknown[] }[]).map((d) => d.id),
      hasMore: a['hasMore'] as boolean,
      ...(a['nextCursor'] ? { nextCursor: a['nextCursor'] as string } : {}),
    });
    const small = await allPages('my_deploy_impact', { ...args, limit: 3 }, deploys);
    const large = await allPages('my_deploy_impact', { ...args, limit: 50 }, deploys);
    expect(large.pages).toBeGreaterThan(1);
    expect(new Set(small.items).size).toBe(small.items.length);
    expect(small.items).toEqual(large.items);
    const first = (await call('my_deploy_impact', args)).structuredContent as { summary: { myDeploys: number } };
    expect(small.items.length).toBeGreaterThanOrEqual(first.summary.myDeploys);
  }, 120_000);

  it('module_incident_history pages: following nextCursor lists each of the total incidents exactly once', async () => {
    const incidents = (a: Record<string, unknown>) => {
      const page = a['incidents'] as { items: { id: string }[]; hasMore: boolean; nextCursor?: string };
      return { ...page, items: page.items.map((i) => i.id) };
    };
    // A module with more incidents than the largest page (the hottest has ~1,000: paging through it is slow).
    let args = { module: '' };
    let first = { incidents: { total: 0 } };
    for (const module of catalog.modules) {
      args = { module };
      first = (await call('module_incident_history', args)).structuredContent as typeof first;
      if (first.incidents.total > 50 && first.incidents.total < 150) break;
    }
    expect(first.incidents.total).toBeGreaterThan(50);
    const small = await allPages('module_incident_history', { ...args, limit: 7 }, incidents);
    const large = await allPages('module_incident_history', { ...args, limit: 50 }, incidents);
    expect(new Set(small.items).size).toBe(first.incidents.total);
    expect(small.items).toHaveLength(first.incidents.total);
    expect(small.items).toEqual(large.items);
    // with since, the pages stop at the window's start
    const since = '2026-01-01';
    const recent = await allPages('module_incident_history', { ...args, since, limit: 5 }, incidents);
    const total = ((await call('module_incident_history', { ...args, since })).structuredContent as typeof first)
      .incidents.total;
    expect(new Set(recent.items).size).toBe(total);
    expect(recent.items).toHaveLength(total);
  }, 120_000);

  it("refuses a cursor that is not the tool's own nextCursor, naming the field", async () => {
    const page = (await call('my_deploy_impact', { agent: AGENTS[0], limit: 1 })).structuredContent as {
      nextCursor: string;
    };
    for (const cursor of [page.nextCursor, 'bm90IGEgY3Vyc29y', 'x'.repeat(300)]) {
      const res = await client.callTool({
        name: 'module_incident_history',
        arguments: { module: catalog.modules[0], cursor },
      });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/cursor.*nextCursor/);
    }
  });
});
