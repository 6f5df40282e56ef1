import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Scope } from '../../auth/scopes.js';
import type { AppContext } from '../../context.js';
import { UserInputError } from '../../errors.js';
import { header, readBody, HttpError } from '../../http.js';
import { narrowToolsets, parseToolsets, type Access } from '../access.js';
import { authenticate } from './auth.js';
import { buildServer } from '../server.js';
import { pool, singleUse } from './pool.js';
import type { OutputSchemas } from '../output-schema.js';
import { serveSubscriptions, watchDigest } from './subscriptions.js';

export interface McpHttpOptions {
  /** What the whole server allows (--read-only, --toolsets); a request can only narrow it. */
  access: Access;
  maxBodyBytes: number;
  /**
   * The repositories a request may name (`X-Hindsight-Repo: NAME` or `?repo=NAME`), each a context over the same
   * store with its own files and config (ADRs, rules, skills, module map). A request that names none is answered
   * over the server's context (the first `--repo`).
   */
  repos?: ReadonlyMap<string, AppContext>;
  /** false: a server built for each request and closed after it (bench/http.ts measures the difference). */
  reuseServers?: boolean;
  /** How much of each answer's shape tools/list advertises (serve --output-schemas). */
  outputSchemas?: OutputSchemas;
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
 * /mcp over the SDK's Streamable HTTP transport, stateless: every POST gets a fresh transport and a server that
 * keeps nothing of the requests before it (pool.ts), so any instance on the same database can answer. GET opens the
 * standalone server-to-client stream, which carries `notifications/resources/updated` for the digest subscriptions
 * of the token (kept in the database: subscriptions.ts). DELETE (ending a session) needs sessions: 405, as the
 * spec allows.
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
  let repo: AppContext;
  try {
    access = requestAccess(req, o.access, token.scopes as Scope[]);
    repo = requestRepo(req, ctx, o.repos);
    const text = await readBody(req, o.maxBodyBytes);
    body = JSON.parse(text.toString('utf8'));
  } catch (err) {
    if (err instanceof HttpError) return rpcError(res, err.status, -32600, err.message);
    if (err instanceof UserInputError) return rpcError(res, 400, -32602, err.message);
    return rpcError(res, 400, -32700, `body is not valid JSON: ${(err as Error).message}`);
  }
  note.what = describe(body);
  const schemas = o.outputSchemas ?? 'top';
  const lease =
    o.reuseServers === false ? singleUse(repo, access, reads, schemas) : pool(repo).take(access, reads, schemas);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  // Who calls travels with the request, not in the (shared) server: tools/call reads it (server.ts). Never the
  // secret: the token's id stands in the SDK's `token` field.
  (req as IncomingMessage & { auth?: AuthInfo }).auth = {
    token: token.id,
    clientId: token.id,
    scopes: [...token.scopes],
    extra: { agent: token.agent },
  };
  res.on('close', () => {
    // Answered in full: the server's handler is done, so it may answer the next request. Cut off early (the client
    // went away): its handler may still be running, so that server is dropped rather than reused.
    const done = res.writableFinished;
    void transport.close().then(() => (done ? lease.release() : lease.discard()));
  });
  await lease.server.connect(transport);
  await transport.handleRequest(req, res, body);
}

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

/** The repository a request names, or the server's; an unknown name is refused with the known ones. */
function requestRepo(req: IncomingMessage, ctx: AppContext, repos: ReadonlyMap<string, AppContext> | undefined) {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const name = header(req.headers, 'x-hindsight-repo') ?? query.get('repo') ?? undefined;
  if (name === undefined) return ctx;
  const named = repos?.get(name);
  if (!named) {
    const known = repos ? [...repos.keys()].join(', ') : 'none (this server serves one)';
    throw new UserInputError(`X-Hindsight-Repo: no repository named '${name.slice(0, 100)}'; known: ${known}`, 'repo');
  }
  return named;
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
