import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { untilNotBusy } from '../store/busy.js';
import type { PromptDefinition, ResourceDefinition } from './define-resource.js';
import type { ToolDefinition } from './define-tool.js';
import { refusal } from './access.js';
import { allPrompts } from './prompts/index.js';
import { allResources } from './resources/index.js';
import { failureText, invalidArguments } from './tool-errors.js';
import { rpcError } from './rpc-error.js';
import { strictInput } from './strict-input.js';
import type { OutputSchemas } from './output-schema.js';
import { toolListEntry } from './tool-list.js';
import { allTools } from './tools/index.js';
import { VERSION } from '../version.js';

/** What the caller of buildServer may want to hear about, and who is calling. */
export interface ServerHooks {
  /** After each tools/list answer is built: `serve` starts its start-up ingest after the first. */
  onToolsListed?: () => void;
  /** Why a tool may not be called here (scope, --read-only, toolsets); refused tools are not listed either. */
  refuse?: (tool: ToolDefinition) => string | undefined;
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

/** Builds the MCP server over a context; the transport (stdio, in-memory, HTTP) is the caller's choice. */
export function buildServer(
  ctx: AppContext,
  tools: readonly ToolDefinition[] = allTools,
  hooks: ServerHooks = {},
): McpServer {
  const server = new McpServer({ name: 'hindsight', version: VERSION }, { instructions: INSTRUCTIONS });
  // Without a say from the door, the default toolsets (access.ts) are loaded.
  const refuse = hooks.refuse ?? ((tool: ToolDefinition) => refusal(tool, {}));
  if (tools.length > 0) {
    serveTools(server, tools, { ...hooks, refuse }, (tool, args, call) => {
      // Refused tools are not listed, but a call to one names what is missing instead of "no tool named".
      const refused = refuse(tool);
      if (refused) return Promise.resolve(errorResult(refused));
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
 * A server that cannot run its tools (the configuration is wrong, the database unusable) but still starts: it lists
 * them and answers every call with `reason` — what is wrong and how to fix it — so the agent and its user read the
 * fix instead of a bare "Connection closed".
 */
export function buildUnavailableServer(reason: string, tools: readonly ToolDefinition[] = allTools): McpServer {
  const server = new McpServer(
    { name: 'hindsight', version: VERSION },
    { instructions: `hindsight cannot answer until its set-up is fixed: ${reason}` },
  );
  serveTools(server, tools, { refuse: (tool) => refusal(tool, {}) }, () =>
    Promise.resolve(errorResult(`hindsight cannot run: ${reason}`)),
  );
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
 * tools/call as the SDK's own schema has it, but taking any `arguments`: the SDK then answers a call whose arguments
 * are not an object with -32602 (invalid params) and its reason. Parsed by the SDK's schema first, such a call died
 * in the parse and went back as -32603, an internal error (issue 13).
 */
const ToolCallRequest = z.object({
  method: z.literal('tools/call'),
  params: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

type ToolRunner = (
  tool: ToolDefinition,
  args: unknown,
  call: { clientName?: string; agent?: string },
) => Promise<CallToolResult>;

/**
 * Answers tools/list and tools/call ourselves rather than through the SDK's registerTool. tools/list: our compact
 * listing (tool-list.ts), built once on the first request — the SDK's converts every schema in full, with
 * `$schema` on each, on every request. tools/call: arguments checked with answers that say how to fix them, and
 * every failure classified by who acts on it (tool-errors.ts).
 */
function serveTools(server: McpServer, tools: readonly ToolDefinition[], hooks: ServerHooks, run: ToolRunner): void {
  const byName = new Map(tools.map((t) => [t.name, t]));
  server.server.registerCapabilities({ tools: { listChanged: false } });
  let listing: Tool[] | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    listing ??= tools
      .filter((t) => hooks.refuse?.(t) === undefined)
      .map((t) => cachedListEntry(t, hooks.outputSchemas ?? 'top'));
    // After this answer is on its way, not before: a hook's work must not delay it.
    if (hooks.onToolsListed) setImmediate(hooks.onToolsListed);
    return { tools: listing };
  });
  server.server.setRequestHandler(ToolCallRequest, ({ params }, extra) => {
    const tool = byName.get(params.name);
    if (!tool) {
      throw rpcError(
        ErrorCode.InvalidParams,
        `no tool named '${params.name.slice(0, 100)}'; call one of: ${[...byName.keys()].join(', ')}`,
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

/** Each tool's entry is converted once per process, not per server (over HTTP, one per access profile). */
const listEntries = { top: new WeakMap<ToolDefinition, Tool>(), full: new WeakMap<ToolDefinition, Tool>() };
function cachedListEntry(tool: ToolDefinition, outputSchemas: OutputSchemas): Tool {
  const cache = listEntries[outputSchemas];
  let entry = cache.get(tool);
  if (!entry) cache.set(tool, (entry = toolListEntry(tool, outputSchemas)));
  return entry;
}

// Built once per tool: the input (unknown fields refused at every depth, not dropped) and the full output schema
// (tools/list may advertise only its top level).
const schemas = new WeakMap<ToolDefinition, { input: z.ZodObject; output: z.ZodObject }>();

async function runTool(
  ctx: AppContext,
  tool: ToolDefinition,
  args: unknown,
  call: { clientName?: string; agent?: string },
  busyWaitMs: number,
): Promise<CallToolResult> {
  let s = schemas.get(tool);
  if (!s) schemas.set(tool, (s = { input: strictInput(tool.input), output: z.object(tool.output) }));
  const parsed = s.input.safeParse(args);
  if (!parsed.success) return errorResult(invalidArguments(tool.name, parsed.error, args, s.input));
  try {
    const output = await untilNotBusy(async () => tool.handler(parsed.data as never, ctx, call), busyWaitMs);
    // Checked here so a mismatch is reported as our bug rather than as the caller's invalid params.
    const checked = s.output.safeParse(output);
    if (!checked.success) throw new Error(`answer does not match its output schema: ${checked.error.message}`);
    const text = await tool.render(output as never);
    const setup = tool.needs ? (await import('../setup-hints.js')).missingSetup(ctx, tool.needs) : [];
    if (setup.length === 0)
      return { structuredContent: output as Record<string, unknown>, content: [{ type: 'text', text }] };
    return {
      structuredContent: { ...(output as Record<string, unknown>), setup },
      content: [{ type: 'text', text: [...setup.map((s) => `set-up missing: ${s}`), text].join('\n') }],
    };
  } catch (err) {
    return errorResult(failureText(tool.name, err, ctx));
  }
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
