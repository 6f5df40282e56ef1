import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AppContext } from '../../src/context.js';
import type { ToolDefinition, ToolSummary } from '../../src/mcp/define-tool.js';
import { ALL_TOOLSETS, refusal, type Access } from '../../src/mcp/access.js';
import type { OutputSchemas } from '../../src/mcp/output-schema.js';
import { buildServer } from '../../src/mcp/server.js';

/** The real SDK client connected to our server over the in-memory linked transport. */
export async function mcpClient(
  ctx: AppContext,
  options: {
    clientName?: string;
    tools?: readonly ToolDefinition[];
    access?: Access | 'default';
    outputSchemas?: OutputSchemas;
  } = {},
) {
  // Every toolset (or exactly the tools given) unless a test asks for the server's default listing: what `serve`
  // loads when no toolset is named.
  const access = options.access ?? { toolsets: ALL_TOOLSETS };
  const refuse = options.tools
    ? () => undefined
    : (tool: ToolSummary) => refusal(tool, access === 'default' ? {} : access);
  const server = buildServer(ctx, options.tools, {
    ...(options.access === 'default' ? {} : { refuse }),
    ...(options.outputSchemas ? { outputSchemas: options.outputSchemas } : {}),
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: options.clientName ?? 'test', version: '1.0.0' });
  await client.connect(b);
  return client;
}

export function textOf(res: unknown): string {
  const content = (res as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((p) => p.text ?? '').join('\n');
}
