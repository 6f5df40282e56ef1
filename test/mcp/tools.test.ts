import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/mcp/define-tool.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { buildServer } from '../../src/mcp/server.js';
import { defaultCalls } from '../../bench/tokens.js';
import { buildDemoDatabase } from '../../src/cli/commands/demo.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { testContext, testDbTarget } from '../helpers/context.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

const TOOLS_DIR = join(import.meta.dirname, '../../src/mcp/tools');

/** Invariants every tool keeps: clients gate on annotations, agents read descriptions every session. */
describe('every tool', () => {
  it('lives in a file named after it, and every tool file is registered', () => {
    const files = readdirSync(TOOLS_DIR)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => basename(f, '.ts'));
    expect(allTools.map((t) => t.name.replace(/_/g, '-')).sort()).toEqual(files.sort());
  });

  for (const tool of allTools) {
    it(`${tool.name}: annotations explicit, description says when, inputs described`, () => {
      expect(tool.name).toMatch(/^[a-z][a-z_]{2,40}$/);
      for (const k of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof tool.annotations[k]).toBe('boolean');
      }
      if (tool.annotations.readOnlyHint) expect(tool.annotations.destructiveHint).toBe(false);
      expect(tool.description.length).toBeGreaterThan(80);
      // Read by the model every session (token budget): when to call it and what comes back, no manual.
      expect(tool.description.length).toBeLessThanOrEqual(300);
      expect(tool.description).toMatch(/\b(call|use)\b/i);
      for (const [field, schema] of Object.entries(tool.input)) {
        expect((schema as { description?: string }).description, `${tool.name}.${field}`).toBeTruthy();
      }
    });
  }

  it('lists with input and output schemas over the real protocol', async () => {
    const ctx = testContext(gitdir().path);
    const server = buildServer(ctx, undefined, { refuse: () => undefined }); // every toolset
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(b);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(allTools.map((t) => t.name).sort());
    for (const t of tools) {
      // The answer's real top level, derived from the tool's output schema: names, scalar types, required.
      const shape = z.object(allTools.find((d) => d.name === t.name)!.output).shape;
      const out = t.outputSchema as { type: string; properties: Record<string, { type: unknown }>; required: string[] };
      expect(out.type).toBe('object');
      expect(Object.keys(out.properties).length, t.name).toBeGreaterThan(0);
      expect(out.required.length, t.name).toBeGreaterThan(0);
      for (const name of [...Object.keys(out.properties), ...out.required]) expect(Object.keys(shape)).toContain(name);
      expect(Object.keys(out).sort()).toEqual(['properties', 'required', 'type']); // no $schema, no noise
      for (const p of Object.values(out.properties))
        expect(Object.keys(p).filter((k) => k !== 'items')).toEqual(['type']);
      expect(t.annotations?.readOnlyHint).toBeTypeOf('boolean');
      expect(JSON.stringify(t.inputSchema)).not.toMatch(/\$schema|9007199254740991/);
      // Every string and list says how long it may be (an ISO date's length is in its name; a cursor is copied from
      // the last answer, never written): agents learn the limits from the list, not by failing (issue 13).
      for (const [field, schema] of unboundedFields(t.inputSchema)) {
        expect(field.endsWith('_at') || /^(since|until|at|cursor)$/.test(field), `${t.name}.${field}: ${schema}`).toBe(
          true,
        );
      }
    }
    const propose = tools.find((t) => t.name === 'propose_adr')!.inputSchema.properties as Record<string, object>;
    expect(propose['context']).toMatchObject({ type: 'string', maxLength: 20_000 });
    expect(propose['consequences']).toMatchObject({ maxItems: 20, items: { maxLength: 2_000 } });
    // What a caller needs to form a call survives the trimming: required fields, enums, defaults, ranges.
    const log = tools.find((t) => t.name === 'log_interrupt')!.inputSchema as {
      required: string[];
      properties: Record<string, { enum?: string[]; default?: unknown }>;
    };
    expect(log.required).toEqual(['summary']);
    expect(log.properties['kind']).toMatchObject({ enum: ['interrupt', 'correction'], default: 'interrupt' });
    const impact = tools.find((t) => t.name === 'my_deploy_impact')!.inputSchema.properties as Record<string, object>;
    expect(impact['limit']).toMatchObject({ type: 'integer', minimum: 1, maximum: 50, default: 3 });
    const record = tools.find((t) => t.name === 'record_task')!.outputSchema!;
    expect(record.properties!['title']).toEqual({ type: ['string', 'null'] });
    expect(record.properties!['interrupts']).toEqual({ type: 'number' });
    expect(record.required).toContain('startedAt');
    const risk = tools.find((t) => t.name === 'change_risk')!.outputSchema!;
    expect(risk.properties!['reasons']).toEqual({ type: 'array', items: { type: 'string' } });
    expect(risk.required).toContain('modules'); // a list of objects: named, not typed
    await client.close();
  });

  it('an SDK client, which checks every answer against the advertised output schema, gets every answer: empty ones on a fresh repository, full ones on the demo', async () => {
    const { scenario, dbPath } = await buildDemoDatabase(tempDir(), () => {}, testDbTarget());
    const fresh = testContext(gitdir().path);
    const demo = testContext(scenario.repoPath, { dbPath, now: Date.parse(scenario.now) });
    for (const ctx of [fresh, demo]) {
      const client = await mcpClient(ctx);
      const calls = defaultCalls(scenario.expected.paymentsIncidentIds.at(-1)!);
      const previous = new Map<string, unknown>();
      let answered = 0;
      for (const [tool, args] of Object.entries(calls)) {
        // callTool throws if structuredContent does not validate against the tool's advertised outputSchema.
        const res = await client.callTool({ name: tool, arguments: args(previous) });
        previous.set(tool, res.structuredContent);
        if (!res.isError) answered++;
        else expect(textOf(res), tool).not.toMatch(/bug/);
      }
      // On the demo every call answers; on a fresh repository those that need history say what is missing.
      if (ctx === demo) expect(answered).toBe(allTools.length);
      else expect(answered).toBeGreaterThan(allTools.length / 2);
      await client.close();
    }
  }, 120_000);

  it('tells serve when the client has its tool list (the start-up ingest waits for it)', async () => {
    let listed = 0;
    const server = buildServer(testContext(gitdir().path), undefined, { onToolsListed: () => listed++ });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(b);
    expect(listed).toBe(0);
    await client.listTools();
    await new Promise((resolve) => setImmediate(resolve));
    expect(listed).toBe(1);
    await client.close();
  });

  it('enforces the limits it advertises', async () => {
    const client = await mcpClient(testContext(gitdir().path));
    const res = await client.callTool({ name: 'log_interrupt', arguments: { summary: 'no' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/summary/);
    await client.close();
  });

  it('checks every answer against the full output schema, though it advertises only the top level', async () => {
    const liar = defineTool({
      name: 'liar',
      title: 'Answers the wrong shape',
      description: 'Call never: a test double whose answer breaks its own output schema.',
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      input: {},
      output: { items: z.array(z.object({ id: z.number() })) },
      handler: () => ({ items: [{ id: 'not a number' }] }) as never,
      render: () => 'never shown',
    });
    const client = await mcpClient(testContext(gitdir().path), { tools: [liar] });
    const res = await client.callTool({ name: 'liar', arguments: {} });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/does not match its output schema.*hindsight bug/s);
    await client.close();
  });
});

/** Fields whose schema is a string without maxLength or an array without maxItems, anywhere in an input schema. */
function unboundedFields(schema: unknown, name = ''): [string, string][] {
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const out: [string, string][] = [];
  if (
    (s['type'] === 'string' && !('maxLength' in s) && !('enum' in s)) ||
    (s['type'] === 'array' && !('maxItems' in s))
  )
    out.push([name, JSON.stringify(s)]);
  for (const [key, value] of Object.entries(s['properties'] ?? {})) out.push(...unboundedFields(value, key));
  if (s['items']) out.push(...unboundedFields(s['items'], name));
  return out;
}
