import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AppContext } from '../../context.js';
import { refusal, type Access } from '../access.js';
import type { OutputSchemas } from '../output-schema.js';
import { buildServer } from '../server.js';
import { serveSubscriptions } from './subscriptions.js';

/** A write that finds another process's transaction waits this long (asynchronously) before answering "busy". */
const BUSY_WAIT_MS = 30_000;

/** Idle servers kept per access profile: about the number of requests one process answers at once. */
const MAX_IDLE = 16;

export interface Lease {
  server: McpServer;
  /** The request is answered: the server is idle again. */
  release(): void;
  /** The request was cut off (its handler may still run): the server is not used again. */
  discard(): void;
}

export interface ServerPool {
  /** A server for one request with this access; `resources`: the token may read resources and prompts. */
  take(access: Access, resources: boolean, outputSchemas: OutputSchemas): Lease;
}

const pools = new WeakMap<AppContext, ServerPool>();

/**
 * The servers /mcp answers with, over one context. Building one (the SDK's McpServer, its JSON-schema validator,
 * every resource and prompt) was most of a request's own cost (bench/RESULTS-http.md), so a server is built once
 * per access profile (scopes that matter, read-only, toolsets) and answers requests one at a time: the SDK
 * supports close() then connect() on a server, and what a server keeps between requests is nothing a request
 * depends on — the caller's identity comes with each request (authInfo), the tool list depends only on the
 * profile. Stateless all the same: no request sees another's state, and any instance can answer any request.
 */
export function pool(ctx: AppContext): ServerPool {
  let p = pools.get(ctx);
  if (!p) pools.set(ctx, (p = createPool(ctx)));
  return p;
}

function createPool(ctx: AppContext): ServerPool {
  const idle = new Map<string, McpServer[]>();
  return {
    take(access, resources, outputSchemas) {
      const key = JSON.stringify([
        [...(access.scopes ?? [])].sort(),
        access.readOnly === true,
        access.toolsets ? [...access.toolsets].sort() : null,
        resources,
        outputSchemas,
      ]);
      const free = idle.get(key) ?? [];
      idle.set(key, free);
      const server = free.pop() ?? build(ctx, access, resources, outputSchemas);
      return {
        server,
        release: () => {
          if (free.length < MAX_IDLE) free.push(server);
          else void server.close();
        },
        discard: () => void server.close(),
      };
    },
  };
}

/** A server for one request only, closed after it: how /mcp answered before servers were reused (bench/http.ts). */
export function singleUse(ctx: AppContext, access: Access, resources: boolean, outputSchemas: OutputSchemas): Lease {
  const server = build(ctx, access, resources, outputSchemas);
  const close = () => void server.close();
  return { server, release: close, discard: close };
}

function build(ctx: AppContext, access: Access, resources: boolean, outputSchemas: OutputSchemas): McpServer {
  const server = buildServer(ctx, undefined, {
    refuse: (tool) => refusal(tool, access),
    resources,
    busyWaitMs: BUSY_WAIT_MS,
    outputSchemas,
  });
  // A reader may subscribe to its digest; who subscribes comes with each request (a pooled server serves many).
  if (resources) serveSubscriptions(server, ctx);
  return server;
}
