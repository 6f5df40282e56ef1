import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { defaultCalls } from '../../../bench/tokens.js';
import { refreshAttribution } from '../../../src/attribution/refresh.js';
import { ALL_TOOLSETS } from '../../../src/mcp/access.js';
import { allTools } from '../../../src/mcp/tools/index.js';
import { copyDatabase } from '../../../src/store/engine/copy.js';
import { testContext, testDbTarget } from '../../helpers/context.js';
import { mcpClient } from '../../helpers/mcp.js';
import { importJson, paymentsStory } from '../../helpers/stories.js';
import { teamServer } from './harness.js';

const NOW = Date.parse('2026-02-20T00:00:00Z');

/** Every tool once (writes included, proposals as dry runs), every resource, the prompt: the answers in order. */
async function everything(client: Client) {
  const answers: unknown[] = [];
  const previous = new Map<string, unknown>();
  for (const [tool, args] of Object.entries(defaultCalls('INC-9'))) {
    const res = await client.callTool({ name: tool, arguments: args(previous) });
    expect(res.isError, `${tool}: ${JSON.stringify(res.content)}`).toBeFalsy();
    previous.set(tool, res.structuredContent);
    answers.push(tool, res.structuredContent, res.content);
  }
  const { resources } = await client.listResources();
  const { resourceTemplates } = await client.listResourceTemplates();
  answers.push(resources, resourceTemplates);
  for (const r of resources) answers.push(await client.readResource({ uri: r.uri }));
  const { prompts } = await client.listPrompts();
  answers.push(prompts, await client.getPrompt({ name: 'weekly_triage', arguments: {} }));
  answers.push((await client.listTools()).tools);
  return answers;
}

describe('MCP over Streamable HTTP', () => {
  it('lists every tool, resource and prompt and answers as the in-memory server does on the same data', async () => {
    const s = await paymentsStory();
    importJson(s.ctx, [
      { id: 'INC-9', title: 'Payments API timeouts', started_at: '2026-02-08T08:00:00Z', fix_sha: s.fix },
    ]);
    s.ctx.clock = () => NOW;
    await refreshAttribution(s.ctx);
    // Two copies of one database: each client's writes (log_interrupt …) land in its own.
    const copy = testDbTarget();
    copyDatabase(s.ctx.config.dbPath, copy);
    const viaHttp = testContext(s.g.path, { dbPath: copy, now: NOW });

    const local = await everything(await mcpClient(s.ctx, { clientName: 'claude-code' }));
    const t = await teamServer(viaHttp, { mcp: { access: { toolsets: ALL_TOOLSETS } } });
    const remote = await everything(await t.connect(t.token('claude', ['read', 'log', 'propose']).token));

    expect((remote.at(-1) as { name: string }[]).map((x) => x.name)).toEqual(allTools.map((x) => x.name));
    // "Who am I" comes from the token over HTTP and from the client's name in memory; all else is the same.
    const sameBut = (a: unknown[]) =>
      JSON.parse(
        JSON.stringify(a)
          .replaceAll('(from token)', '(from client)')
          .replaceAll('"source":"token"', '"source":"client"'),
      );
    expect(sameBut(remote)).toEqual(sameBut(local));
    expect(JSON.stringify(remote)).toContain('"source":"token"');
  });
});
