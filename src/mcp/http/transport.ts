import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Scope } from '../../auth/scopes.js';
import type { AppContext } from '../../context.js';
import { UserInputError } from '../../errors.js';
import { header, readBody, HttpError } from '../../webhooks/http.js';
import { narrowToolsets, parseToolsets, refusal, type Access } from '../access.js';
import { buildServer } from '../server.js';
import { authenticate } from './auth.js';
import { serveSubscriptions, watchDigest } from './subscriptions.js';

export interface McpHttpOptions {
  /** What the whole server allows (--read-only, --toolsets); a request can only narrow it. */
  access: Access;
  maxBodyBytes: number;
  /** How often an open GET stream polls for a change of its agent's digest (default 3 s). */
  digestPollMs?: number;
  /** Open GET streams, ended when the server shuts down (they would otherwise hold it for its grace time). */
  streams?: Set<ServerResponse>;
}

/** What the request log may say about an MCP request: never the token, only whose it was and what was asked. */
export interface McpRequestNote {
  agent?: string;
  what?: string;
}

/**
 * /mcp over the SDK's Streamable HTTP transport, stateless: every POST gets a fresh server and transport, built
 * for the token's agent and scopes, so nothing lives between requests and any instance on the same database can
 * answer. GET opens the standalone server-to-client stream, which carries `notifications/resources/updated` for the
 * digest subscriptions of the token (kept in the database: subscriptions.ts). DELETE (ending a session) needs
 * sessions: 405, as the spec allows.
 */
export async function handleMcp(
  ctx: AppContext,
  req: IncomingMessage,
  res: ServerResponse,
  o: McpHttpOptions,
  note: McpRequestNote,
): Promise<void> {
  if (req.method !== 'POST' && req.method !== 'GET') {
    return rpcError(
      res,
      405,
      -32000,
      'this server is stateless: send MCP requests with POST (GET: the notification stream)',
      {
        allow: 'GET, POST',
      },
    );
  }
  const auth = authenticate(ctx, req.headers);
  if (!auth.ok) return rpcError(res, 401, -32001, auth.error, { 'www-authenticate': auth.challenge });
  const token = auth.token;
  note.agent = token.agent;
  const who = { tokenId: token.id, agent: token.agent };
  const reads = token.scopes.includes('read');
  if (req.method === 'GET') {
    if (!reads) return rpcError(res, 403, -32001, "the notification stream needs a token with the 'read' scope");
    note.what = 'notification stream';
    const server = buildServer(ctx, [], { agent: token.agent, resources: true });
    serveSubscriptions(server, ctx, who);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const stop = watchDigest(ctx, server, who, o.digestPollMs);
    o.streams?.add(res);
    res.on('close', () => {
      stop();
      o.streams?.delete(res);
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    return transport.handleRequest(req, res);
  }
  let access: Access;
  let body: unknown;
  try {
    access = requestAccess(req, o.access, token.scopes as Scope[]);
    const text = await readBody(req, o.maxBodyBytes);
    body = JSON.parse(text.toString('utf8'));
  } catch (err) {
    if (err instanceof HttpError) return rpcError(res, err.status, -32600, err.message);
    if (err instanceof UserInputError) return rpcError(res, 400, -32602, err.message);
    return rpcError(res, 400, -32700, `body is not valid JSON: ${(err as Error).message}`);
  }
  note.what = describe(body);
  const server = buildServer(ctx, undefined, {
    refuse: (tool) => refusal(tool, access),
    agent: token.agent,
    resources: reads,
    busyWaitMs: BUSY_WAIT_MS,
  });
  if (reads) serveSubscriptions(server, ctx, who);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

/** A write that finds another process's transaction waits this long (asynchronously) before answering "busy". */
const BUSY_WAIT_MS = 30_000;

/** The server's access narrowed by the token's scopes and the request's `X-MCP-Toolsets` / `X-MCP-Readonly`. */
function requestAccess(req: IncomingMessage, server: Access, scopes: Scope[]): Access {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const toolsetsText = header(req.headers, 'x-mcp-toolsets') ?? query.get('toolsets') ?? undefined;
  const readOnlyText = header(req.headers, 'x-mcp-readonly') ?? query.get('read_only') ?? undefined;
  const requested = toolsetsText === undefined ? undefined : parseToolsets(toolsetsText, 'X-MCP-Toolsets');
  const toolsets = narrowToolsets(server.toolsets, requested);
  return {
    scopes,
    readOnly: server.readOnly === true || readOnlyText === 'true' || readOnlyText === '1',
    ...(toolsets ? { toolsets } : {}),
  };
}

/** `tools/call my_deploy_impact`, `tools/list`, `batch of 3`: for the request log. */
function describe(body: unknown): string {
  if (Array.isArray(body)) return `batch of ${body.length}`;
  const msg = body as { method?: unknown; params?: { name?: unknown; uri?: unknown } } | null;
  if (!msg || typeof msg.method !== 'string') return 'not a JSON-RPC message';
  const target = msg.params?.name ?? msg.params?.uri;
  return typeof target === 'string' ? `${msg.method} ${target}` : msg.method;
}

function rpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
