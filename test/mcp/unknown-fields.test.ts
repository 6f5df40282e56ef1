import { describe, expect, it } from 'vitest';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

// Issue 15: a misspelled field used to be dropped without a word — `taskid` lost the task link, `limt` the limit.

async function client() {
  const ctx = testContext(gitdir().path);
  return { ctx, client: await mcpClient(ctx) };
}

const count = (ctx: ReturnType<typeof testContext>) =>
  (ctx.store.prepare('SELECT count(*) AS n FROM interrupts').get() as { n: number }).n;

describe('unknown fields', () => {
  it('refuses a misspelled task_id with the field it is closest to, and stores nothing', async () => {
    const { ctx, client: c } = await client();
    const res = await c.callTool({
      name: 'log_interrupt',
      arguments: { summary: 'Which retry policy applies to the gateway?', taskid: 'TASK-1' },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain('unknown field `taskid` — did you mean `task_id`?');
    expect(count(ctx)).toBe(0);
    await c.close();
  });

  it('names every unknown field of a call with its closest name: typos, transpositions, case', async () => {
    const { client: c } = await client();
    const res = await c.callTool({ name: 'my_deploy_impact', arguments: { agnet: 'claude', limt: 2 } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain('unknown field `agnet` — did you mean `agent`?');
    expect(textOf(res)).toContain('unknown field `limt` — did you mean `limit`?');
    const upper = await c.callTool({ name: 'triage_report', arguments: { LIMIT: 3, Since: '2026-01-01' } });
    expect(textOf(upper)).toContain('did you mean `limit`?');
    expect(textOf(upper)).toContain('did you mean `since`?');
    await c.close();
  });

  it('lists the known fields when none is close, without echoing a huge name', async () => {
    const { client: c } = await client();
    const huge = 'x'.repeat(100_000);
    for (const key of ['banana', huge]) {
      const res = await c.callTool({ name: 'change_risk', arguments: { paths: ['src/a.ts'], [key]: 1 } });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/unknown field `[a-z]{1,60}`: leave it out \(known fields: paths\)/);
      expect(textOf(res).length).toBeLessThan(400);
    }
    await c.close();
  });

  it('still answers the same call without the unknown field', async () => {
    const { client: c } = await client();
    const res = await c.callTool({ name: 'my_deploy_impact', arguments: { agent: 'claude', limit: 2 } });
    expect(res.isError, textOf(res)).toBeFalsy();
    await c.close();
  });

  it('refuses a misspelled field at every depth, with its path and the closest name there', async () => {
    const { ctx, client: c } = await client();
    // Every object inside a tool's arguments, as tools/list advertises them: a nested input added later is covered.
    const { tools } = await c.listTools();
    const nested = tools.flatMap((t) => nestedObjects(t.inputSchema).map((n) => ({ tool: t.name, ...n })));
    expect(nested.map((n) => `${n.tool}:${n.path}`)).toContain('propose_adr:options[0]');
    for (const n of nested) {
      const typo = n.field.slice(1, 2) + n.field.slice(0, 1) + n.field.slice(2); // a transposition
      const res = await c.callTool({ name: n.tool, arguments: n.build({ [n.field]: 'x', [typo]: 'x' }) });
      expect(res.isError, n.tool).toBe(true);
      expect(textOf(res)).toContain(`unknown field \`${n.path}.${typo}\` — did you mean \`${n.field}\`?`);
    }
    const far = await c.callTool({
      name: 'propose_adr',
      arguments: { title: 'Retries', context: 'c', decision: 'd', options: [{ title: 'a', banana: 1 }], dry_run: true },
    });
    expect(textOf(far)).toContain('unknown field `options[0].banana`: leave it out (known fields there: title,');
    expect(ctx.store.prepare('SELECT count(*) AS n FROM fixes').get()).toEqual({ n: 0 });
    await c.close();
  });
});

type Json = Record<string, unknown>;

/** Each object reachable under a tool's top-level fields: its path, a field it knows, and arguments placing one there. */
function nestedObjects(schema: Json): { path: string; field: string; build: (o: Json) => Json }[] {
  const found: { path: string; field: string; build: (o: Json) => Json }[] = [];
  const walk = (s: Json, path: string, build: (o: unknown) => Json) => {
    const props = s['properties'] as Record<string, Json> | undefined;
    if (s['type'] === 'object' && props && path) {
      found.push({ path, field: Object.keys(props)[0]!, build: build as (o: Json) => Json });
    }
    if (s['type'] === 'array' && s['items']) walk(s['items'] as Json, `${path}[0]`, (o) => build([o]));
    for (const [k, v] of Object.entries(props ?? {})) {
      walk(v, path ? `${path}.${k}` : k, (o) => build({ [k]: o }));
    }
  };
  walk(schema, '', (o) => o as Json);
  return found;
}
