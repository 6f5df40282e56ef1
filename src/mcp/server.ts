import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { UserInputError, errorMessage } from '../errors.js';
import type { ToolDefinition } from './define-tool.js';
import { allTools } from './tools/index.js';
import { VERSION } from '../version.js';

/** Builds the MCP server over a context; the transport (stdio, in-memory) is the caller's choice. */
export function buildServer(ctx: AppContext, tools: readonly ToolDefinition[] = allTools): McpServer {
  const server = new McpServer(
    { name: 'hindsight', version: VERSION },
    {
      instructions:
        'hindsight joins git history, deploys and incidents. Before editing a module call change_risk; ' +
        'after your changes ship call my_deploy_impact; during an incident call incident_suspects.',
    },
  );
  for (const tool of tools) registerTool(server, ctx, tool);
  return server;
}

function registerTool(server: McpServer, ctx: AppContext, tool: ToolDefinition): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (args: unknown): Promise<CallToolResult> => {
      try {
        const clientName = server.server.getClientVersion()?.name;
        const output = await tool.handler(args as never, ctx, clientName ? { clientName } : {});
        return {
          structuredContent: output as Record<string, unknown>,
          content: [{ type: 'text', text: tool.render(output as never) }],
        };
      } catch (err) {
        if (err instanceof UserInputError) return errorResult(err.message);
        ctx.log(`hindsight: ${tool.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return errorResult(
          `${tool.name} failed unexpectedly: ${errorMessage(err)}. This is a hindsight bug; retrying will not help.`,
        );
      }
    },
  );
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
