import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/mcp/define-tool.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { buildServer } from '../../src/mcp/server.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';
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
    const server = buildServer(ctx);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(b);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(allTools.map((t) => t.name).sort());
    for (const t of tools) {
      expect(t.outputSchema).toEqual({ type: 'object' });
      expect(t.annotations?.readOnlyHint).toBeTypeOf('boolean');
      expect(JSON.stringify(t.inputSchema)).not.toMatch(/\$schema|9007199254740991/);
      // Every string and list says how long it may be (an ISO date's length is in its name): agents learn the
      // limits from the list, not by failing (issue 13).
      for (const [field, schema] of unboundedFields(t.inputSchema)) {
        expect(field.endsWith('_at') || /^(since|until|at)$/.test(field), `${t.name}.${field}: ${schema}`).toBe(true);
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
    await client.close();
  });

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

  it('checks every answer against the full output schema, though it advertises only an object', async () => {
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
