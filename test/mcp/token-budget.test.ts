import { describe, expect, it } from 'vitest';
import { defaultCalls } from '../../bench/tokens.js';
import { buildDemoDatabase } from '../../src/cli/commands/demo.js';
import { refusal } from '../../src/mcp/access.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { ANSWER_BYTES, bytes, LIST_BYTES } from '../helpers/budget.js';
import { testContext, testDbTarget } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

describe('token budget', () => {
  it(`tools/list stays within ${LIST_BYTES} bytes`, async () => {
    // What `serve` lists when no toolset is named (delivery_metrics is opt-in: src/mcp/access.ts).
    const client = await mcpClient(testContext(gitdir().path), { access: 'default' });
    const list = await client.listTools();
    expect(list.tools).toHaveLength(allTools.filter((t) => refusal(t, {}) === undefined).length);
    expect(list.tools.map((t) => t.name)).not.toContain('delivery_metrics');
    expect(bytes(list)).toBeLessThanOrEqual(LIST_BYTES);
    await client.close();
  });

  it(`every tool's default answer on the demo scenario stays within ${ANSWER_BYTES} bytes`, async () => {
    const { scenario, dbPath } = await buildDemoDatabase(tempDir(), () => {}, testDbTarget());
    const ctx = testContext(scenario.repoPath, { dbPath, now: Date.parse(scenario.now) });
    const client = await mcpClient(ctx, { clientName: 'claude-code' });
    const calls = defaultCalls(scenario.expected.paymentsIncidentIds.at(-1)!);
    expect(Object.keys(calls).sort()).toEqual(allTools.map((t) => t.name).sort());

    const previous = new Map<string, unknown>();
    const sizes: Record<string, { text: number; structured: number }> = {};
    for (const [tool, args] of Object.entries(calls)) {
      const res = await client.callTool({ name: tool, arguments: args(previous) });
      expect(res.isError, `${tool}: ${textOf(res)}`).toBeFalsy();
      previous.set(tool, res.structuredContent);
      sizes[tool] = { text: bytes(textOf(res)), structured: bytes(res.structuredContent) };
    }
    for (const [tool, size] of Object.entries(sizes)) {
      expect(size.text, `${tool} text`).toBeLessThanOrEqual(ANSWER_BYTES);
      expect(size.structured, `${tool} structuredContent`).toBeLessThanOrEqual(ANSWER_BYTES);
    }
    // The demo's busiest answer really has something to trim: the budget is not met by answering nothing.
    expect(sizes['my_deploy_impact']!.structured).toBeGreaterThan(1_000);
    await client.close();
  }, 120_000);
});
