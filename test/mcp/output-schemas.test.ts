import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { defaultCalls } from '../../bench/tokens.js';
import { buildDemoDatabase } from '../../src/cli/commands/demo.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { OUTPUT_SCHEMAS } from '../../src/mcp/output-schema.js';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { assertBuilt, MAIN_JS, runCli } from '../e2e/cli.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

// Issue 15: outputSchema was `{"type":"object"}` for every tool. Each tool's real answer on the demo scenario must
// validate against what tools/list advertises — checked here by a strict JSON-schema validator, not only by the
// SDK client's lenient one — and `full` must declare every field of the answer at every depth.

type Json = Record<string, unknown>;

describe('advertised output schemas', () => {
  it('every tool answer validates against its advertised schema; full ones declare every field at every depth', async () => {
    const { scenario, dbPath } = await buildDemoDatabase(tempDir(), () => {});
    const ctx = testContext(scenario.repoPath, { dbPath, now: Date.parse(scenario.now) });
    const calls = defaultCalls(scenario.expected.paymentsIncidentIds.at(-1)!);
    expect(Object.keys(calls).sort()).toEqual(allTools.map((t) => t.name).sort());
    for (const outputSchemas of OUTPUT_SCHEMAS) {
      const client = await mcpClient(ctx, { outputSchemas });
      const { tools } = await client.listTools();
      const previous = new Map<string, unknown>();
      for (const [name, args] of Object.entries(calls)) {
        const schema = tools.find((t) => t.name === name)!.outputSchema as Json;
        const res = await client.callTool({ name, arguments: args(previous) });
        expect(res.isError, `${name}: ${textOf(res)}`).toBeFalsy();
        previous.set(name, res.structuredContent);
        // `top` names object fields in `required` without declaring them (output-schema.ts): strict about the rest.
        const strictRequired = outputSchemas === 'full';
        const validate = new Ajv({ strict: true, strictRequired, allowUnionTypes: true, allErrors: true }).compile(
          schema,
        );
        expect(validate(res.structuredContent), `${outputSchemas} ${name}: ${JSON.stringify(validate.errors)}`).toBe(
          true,
        );
        if (outputSchemas === 'full') {
          expect(undeclared(res.structuredContent, schema, schema), name).toEqual([]);
        }
      }
      await client.close();
    }
  }, 120_000);

  it('full schemas type nested fields: a nested value of the wrong type fails validation', async () => {
    const ctx = testContext(tempDir());
    const client = await mcpClient(ctx, { outputSchemas: 'full' });
    const { tools } = await client.listTools();
    const schema = tools.find((t) => t.name === 'triage_report')!.outputSchema as Json;
    const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(schema);
    const top = tools.find((t) => t.name === 'triage_report')!;
    const report = await client.callTool({ name: top.name, arguments: {} });
    const answer = structuredClone(report.structuredContent) as { window: { since: unknown } };
    expect(validate(answer)).toBe(true);
    answer.window.since = 42;
    expect(validate(answer)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('/window/since');
    await client.close();
  });
});

/** Paths in `value` that `schema` does not declare (following `$ref`s into the root's definitions). */
function undeclared(value: unknown, schema: Json, root: Json, path = ''): string[] {
  const ref = schema['$ref'] as string | undefined;
  if (ref) return undeclared(value, (root['definitions'] as Json)[ref.split('/').at(-1)!] as Json, root, path);
  if (Array.isArray(value)) {
    const items = schema['items'] as Json | undefined;
    if (!items) return value.length ? [`${path}[] (no items)`] : [];
    return value.flatMap((v, i) => undeclared(v, items, root, `${path}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const props = (schema['properties'] ?? {}) as Record<string, Json>;
    return Object.entries(value).flatMap(([k, v]) =>
      props[k] ? undeclared(v, props[k], root, `${path}.${k}`) : [`${path}.${k}`],
    );
  }
  return [];
}

describe('serve --output-schemas', () => {
  it('full advertises nested fields over stdio; a depth it does not know is a usage error', async () => {
    const g = gitdir();
    const db = join(tempDir(), 'h.db');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN_JS, '--db', db, '--repo', g.path, 'serve', '--no-ingest', '--output-schemas', 'full'],
      stderr: 'pipe',
    });
    assertBuilt();
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    const schema = tools.find((t) => t.name === 'change_risk')!.outputSchema as Json;
    const modules = (schema['properties'] as Record<string, Json>)['modules']!;
    expect(Object.keys((modules['items'] as Json)['properties'] as Json)).toContain('incidents90d');
    await client.close();
    const bad = runCli(['--db', db, '--repo', g.path, 'serve', '--output-schemas', 'deep'], { cwd: g.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--output-schemas.*deep.*top, full/s);
  });
});
