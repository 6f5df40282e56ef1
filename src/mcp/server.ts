import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { UserInputError, errorMessage } from '../errors.js';
import { untilNotBusy } from '../store/busy.js';
import type { PromptDefinition, ResourceDefinition } from './define-resource.js';
import type { ToolDefinition } from './define-tool.js';
import { allPrompts } from './prompts/index.js';
import { allResources } from './resources/index.js';
import { toolListEntry } from './tool-list.js';
import { allTools } from './tools/index.js';
import { VERSION } from '../version.js';

/** What the caller of buildServer may want to hear about, and who is calling. */
export interface ServerHooks {
  /** After each tools/list answer is built: `serve` starts its start-up ingest after the first. */
  onToolsListed?: () => void;
  /** Why a tool may not be called here (scope, --read-only, toolsets); refused tools are not listed either. */
  refuse?: (tool: ToolDefinition) => string | undefined;
  /** The agent an HTTP token authenticated: "me" for every tool, whatever the arguments or client name say. */
  agent?: string;
  /** false: no resources and prompts (a token without the `read` scope). */
  resources?: boolean;
}

/** Builds the MCP server over a context; the transport (stdio, in-memory, HTTP) is the caller's choice. */
export function buildServer(
  ctx: AppContext,
  tools: readonly ToolDefinition[] = allTools,
  hooks: ServerHooks = {},
): McpServer {
  const server = new McpServer(
    { name: 'hindsight', version: VERSION },
    {
      instructions:
        'hindsight joins git history, deploys, incidents and agent interrupts. Before editing a module call change_risk; ' +
        'after your changes ship call my_deploy_impact; during an incident call incident_suspects. When you must stop ' +
        'and ask a human, or a human corrects you, call log_interrupt (it may point you at an existing ADR/rule/skill); ' +
        'wrap each task in record_task; load hindsight://digest/{agent} at session start.',
    },
  );
  const refuse = hooks.refuse ?? (() => undefined);
  for (const tool of tools) registerTool(server, ctx, tool, refuse(tool), hooks.agent);
  const listed = tools.filter((t) => refuse(t) === undefined);
  if (tools.length > 0) advertiseCompactly(server, listed, hooks);
  if (hooks.resources === false) return server;
  for (const resource of allResources) registerResource(server, ctx, resource);
  for (const prompt of allPrompts) registerPrompt(server, ctx, prompt);
  return server;
}

function registerResource(server: McpServer, ctx: AppContext, r: ResourceDefinition): void {
  const metadata = { title: r.title, description: r.description, mimeType: r.mimeType };
  const read = async (uri: URL, vars: Record<string, string | string[]>) => {
    const flat = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const res = await r.read(ctx, uri, flat);
    return { contents: [{ uri: uri.href, mimeType: res.mimeType ?? r.mimeType, text: res.text }] };
  };
  if (r.uriTemplate) {
    const list = r.list;
    const template = new ResourceTemplate(r.uriTemplate, {
      list: list ? async () => ({ resources: await list(ctx) }) : undefined,
    });
    server.registerResource(r.name, template, metadata, (uri, vars) => read(uri, vars));
  } else if (r.uri) {
    server.registerResource(r.name, r.uri, metadata, (uri) => read(uri, {}));
  }
}

function registerPrompt(server: McpServer, ctx: AppContext, p: PromptDefinition): void {
  server.registerPrompt(p.name, { title: p.title, description: p.description, argsSchema: p.args }, async (args) => ({
    messages: [{ role: 'user', content: { type: 'text', text: await p.build(args as never, ctx) } }],
  }));
}

/**
 * Replaces the SDK's tools/list answer with our compact one (tool-list.ts), built once on the first request.
 * The SDK's own listing converts every schema in full, with `$schema` on each, on every request.
 */
function advertiseCompactly(server: McpServer, tools: readonly ToolDefinition[], hooks: ServerHooks): void {
  let listing: Tool[] | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    listing ??= tools.map(cachedListEntry);
    // After this answer is on its way, not before: a hook's work must not delay it.
    if (hooks.onToolsListed) setImmediate(hooks.onToolsListed);
    return { tools: listing };
  });
}

/** Over HTTP every request builds a server; each tool's entry is converted once per process, not per request. */
const listEntries = new WeakMap<ToolDefinition, Tool>();
function cachedListEntry(tool: ToolDefinition): Tool {
  let entry = listEntries.get(tool);
  if (!entry) listEntries.set(tool, (entry = toolListEntry(tool)));
  return entry;
}

function registerTool(
  server: McpServer,
  ctx: AppContext,
  tool: ToolDefinition,
  refused: string | undefined,
  agent: string | undefined,
): void {
  // The SDK validates the arguments against the input shape; we check every answer against the full output
  // shape here, so a mismatch is reported as our bug rather than as the caller's invalid params.
  const fullOutput = z.object(tool.output);
  server.registerTool(
    tool.name,
    { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: tool.annotations },
    async (args: unknown): Promise<CallToolResult> => {
      // Registered anyway, so a call names what is missing instead of "tool not found".
      if (refused) return errorResult(refused);
      try {
        const clientName = server.server.getClientVersion()?.name;
        const call = { ...(clientName ? { clientName } : {}), ...(agent ? { agent } : {}) };
        const output = await untilNotBusy(async () => tool.handler(args as never, ctx, call));
        const checked = fullOutput.safeParse(output);
        if (!checked.success) throw new Error(`answer does not match its output schema: ${checked.error.message}`);
        return {
          structuredContent: output as Record<string, unknown>,
          content: [{ type: 'text', text: await tool.render(output as never) }],
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
