import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { allTools } from '../../src/mcp/tools/index.js';
import { buildServer } from '../../src/mcp/server.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

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
      expect(tool.description.length).toBeLessThanOrEqual(600);
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
      expect(t.outputSchema?.type).toBe('object');
      expect(t.annotations?.readOnlyHint).toBeTypeOf('boolean');
    }
    await client.close();
  });
});
