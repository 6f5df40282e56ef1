import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { ErrorCode, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { PromptDefinition, ResourceDefinition } from './define-resource.js';
import type { ToolDefinition, ToolSummary } from './define-tool.js';
import { refusal } from './access.js';
import { allPrompts } from './prompts/index.js';
import { allResources } from './resources/index.js';
import { rpcError } from './rpc-error.js';
import type { OutputSchemas } from './output-schema.js';
import { allToolsCatalog, catalogOf, type ToolCatalog } from './tool-catalog.js';
import { VERSION } from '../version.js';

/** What the caller of buildServer may want to hear about, and who is calling. */
export interface ServerHooks {
  /** After each tools/list answer is built: `serve` starts its start-up ingest after the first. */
  onToolsListed?: () => void;
  /** Why a tool may not be called here (scope, --read-only, toolsets); refused tools are not listed either. */
  refuse?: (tool: ToolSummary) => string | undefined;
  /**
   * The agent an HTTP token authenticated: "me" for every tool, whatever the arguments or client name say. A server
   * shared by requests of several tokens (HTTP) leaves it out: each request's `authInfo.extra.agent` says it.
   */
  agent?: string;
  /** false: no resources and prompts (a token without the `read` scope). */
  resources?: boolean;
  /**
   * How long a tool call that finds the database busy is retried, waiting without holding the event loop (the HTTP
   * server's connection has no driver busy wait). 0 (default): answer "busy, retry" — a stdio server's connection
   * already waited its busy timeout.
   */
  busyWaitMs?: number;
  /** How much of each answer's shape tools/list advertises (output-schema.ts); default `top`. */
  outputSchemas?: OutputSchemas;
}

const INSTRUCTIONS =
  'hindsight joins git history, deploys, incidents and agent interrupts. Before editing a module call change_risk; ' +
  'after your changes ship call my_deploy_impact; during an incident call incident_suspects. When you must stop ' +
  'and ask a human, or a human corrects you, call log_interrupt (it may point you at an existing ADR/rule/skill); ' +
  'wrap each task in record_task; load hindsight://digest/{agent} at session start.';

/**
 * Builds the MCP server over a context; the transport (stdio, in-memory, HTTP) is the caller's choice. `tools`:
 * every tool hindsight has unless given (tests); none when empty.
 */
export function buildServer(
  ctx: AppContext,
  tools: readonly ToolDefinition[] | ToolCatalog = allToolsCatalog,
  hooks: ServerHooks = {},
): McpServer {
  const server = new McpServer(
    { name: 'hindsight', version: VERSION },
    { instructions: INSTRUCTIONS, jsonSchemaValidator: lazyValidator() },
  );
  // Without a say from the door, the default toolsets (access.ts) are loaded.
  const refuse = hooks.refuse ?? ((tool: ToolSummary) => refusal(tool, {}));
  if (!Array.isArray(tools) || tools.length > 0) {
    const catalog = Array.isArray(tools) ? catalogOf(tools) : (tools as ToolCatalog);
    serveTools(server, catalog, { ...hooks, refuse }, async (listed, args, call) => {
      const { runTool, errorResult } = await import('./run-tool.js');
      // Refused tools are not listed, but a call to one names what is missing instead of "no tool named".
      const refused = refuse(listed);
      if (refused) return errorResult(refused);
      const tool = (await catalog.definitions()).get(listed.name)!;
      const agent = hooks.agent ?? call.agent;
      return runTool(ctx, tool, args, agent ? { ...call, agent } : call, hooks.busyWaitMs ?? 0);
    });
  }
  if (hooks.resources === false) return server;
  for (const resource of allResources) registerResource(server, ctx, resource);
  for (const prompt of allPrompts) registerPrompt(server, ctx, prompt);
  // The SDK declares listChanged on the first registration; these lists never change while a server runs (nor
  // could a stateless HTTP server tell a client they did), so the declaration says so.
  server.server.registerCapabilities({ resources: { listChanged: false }, prompts: { listChanged: false } });
  return server;
}

/**
 * Loads what the first tool call needs (the definitions, the call machinery) ahead of it. `serve` runs it after the
 * first tools/list and before its start-up ingest, whose synchronous chunks would otherwise share the event loop
 * with every step of that loading and hold back a call made meanwhile.
 */
export async function loadToolCalls(): Promise<void> {
  await Promise.all([allToolsCatalog.definitions(), import('./run-tool.js')]);
}

/**
 * A server that cannot run its tools (the configuration is wrong, the database unusable) but still starts: it lists
 * them and answers every call with `reason` — what is wrong and how to fix it — so the agent and its user read the
 * fix instead of a bare "Connection closed".
 */
export function buildUnavailableServer(reason: string, tools: ToolCatalog = allToolsCatalog): McpServer {
  const server = new McpServer(
    { name: 'hindsight', version: VERSION },
    {
      instructions: `hindsight cannot answer until its set-up is fixed: ${reason}`,
      jsonSchemaValidator: lazyValidator(),
    },
  );
  serveTools(server, tools, { refuse: (tool) => refusal(tool, {}) }, async () =>
    (await import('./run-tool.js')).errorResult(`hindsight cannot run: ${reason}`),
  );
  return server;
}

/**
 * The SDK's validator, built on first use: the SDK builds an Ajv instance for every server, to check the answers
 * to elicitation requests hindsight never sends — ~5 ms of each start (bench/FINDINGS.md §3) and of each HTTP server.
 */
function lazyValidator(): jsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return { getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema) };
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
 * tools/call as the SDK's own schema has it, but taking any `arguments`: the SDK then answers a call whose arguments
 * are not an object with -32602 (invalid params) and its reason. Parsed by the SDK's schema first, such a call died
 * in the parse and went back as -32603, an internal error (issue 13).
 */
const ToolCallRequest = z.object({
  method: z.literal('tools/call'),
  params: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

type ToolRunner = (
  tool: ToolSummary,
  args: unknown,
  call: { clientName?: string; agent?: string },
) => Promise<CallToolResult>;

/**
 * Answers tools/list and tools/call ourselves rather than through the SDK's registerTool. tools/list: our compact
 * listing (tool-list.ts), built once on the first request — the SDK's converts every schema in full, with
 * `$schema` on each, on every request. tools/call: arguments checked with answers that say how to fix them, and
 * every failure classified by who acts on it (tool-errors.ts).
 */
function serveTools(server: McpServer, tools: ToolCatalog, hooks: ServerHooks, run: ToolRunner): void {
  server.server.registerCapabilities({ tools: { listChanged: false } });
  let listing: Tool[] | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, async () => {
    listing ??= (await tools.listed())
      .filter((t) => hooks.refuse?.(t) === undefined)
      .map((t) => t.entry(hooks.outputSchemas ?? 'top'));
    // After this answer is on its way, not before: a hook's work must not delay it.
    if (hooks.onToolsListed) setImmediate(hooks.onToolsListed);
    return { tools: listing };
  });
  server.server.setRequestHandler(ToolCallRequest, async ({ params }, extra) => {
    const listed = await tools.listed();
    const tool = listed.find((t) => t.name === params.name);
    if (!tool) {
      throw rpcError(
        ErrorCode.InvalidParams,
        `no tool named '${params.name.slice(0, 100)}'; call one of: ${listed.map((t) => t.name).join(', ')}`,
      );
    }
    // Over HTTP the request's token says who calls (transport.ts); the client name is then not asked, as a
    // server answering many clients' requests in turn may hold another client's.
    const agent = extra.authInfo?.extra?.['agent'];
    if (typeof agent === 'string') return run(tool, params.arguments ?? {}, { agent });
    const clientName = server.server.getClientVersion()?.name;
    return run(tool, params.arguments ?? {}, clientName ? { clientName } : {});
  });
}
