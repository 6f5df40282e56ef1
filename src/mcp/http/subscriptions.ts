import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../../context.js';
import { rpcError } from '../rpc-error.js';
import { agentLinksFingerprint } from '../../store/digest-marks.js';
import { subscribe, subscriptionsOf, unsubscribe } from '../../store/subscriptions.js';

// resources/subscribe on a stateless server. A subscription is kept per token in the database (not in this
// process), and delivered on the token's standalone GET /mcp stream by whichever instance holds that stream: it
// polls the store for a change of the agent's digest, so a webhook received by another instance on the same
// database still reaches the client.

/** How often an open stream looks for a change (one indexed count per stream). */
export const DIGEST_POLL_MS = 3_000;

export interface Subscriber {
  tokenId: string;
  agent: string;
}

const digestUri = (agent: string) => `hindsight://digest/${encodeURIComponent(agent)}`;

/**
 * Declares `resources.subscribe` and answers subscribe/unsubscribe for the caller's own digest. The caller is `who`
 * on a server built for one token (the GET stream), else the token each request authenticated (pooled servers).
 */
export function serveSubscriptions(server: McpServer, ctx: AppContext, who?: Subscriber): void {
  server.server.registerCapabilities({ resources: { subscribe: true } });
  const caller = (extra: { authInfo?: AuthInfo }): Subscriber => {
    if (who) return who;
    const agent = extra.authInfo?.extra?.['agent'];
    const tokenId = extra.authInfo?.clientId;
    if (typeof agent !== 'string' || !tokenId) {
      throw rpcError(ErrorCode.InvalidRequest, 'subscriptions need a token: connect with an Authorization header');
    }
    return { tokenId, agent };
  };
  const own = (uri: string, me: Subscriber) => {
    const decoded = decodeURIComponent(uri);
    if (!decoded.startsWith('hindsight://digest/')) {
      // Not a resource hindsight has: said as the SDK says it for reads, so clients (and the conformance suite)
      // tell an unknown resource from a refusal.
      throw rpcError(
        ErrorCode.InvalidParams,
        `Resource ${uri} not found: only your own digest can be subscribed to (${digestUri(me.agent)})`,
      );
    }
    if (uri !== digestUri(me.agent) && decoded !== `hindsight://digest/${me.agent}`) {
      throw rpcError(
        ErrorCode.InvalidParams,
        `only your own digest can be subscribed to: ${digestUri(me.agent)} (your token's agent is '${me.agent}')`,
      );
    }
    return digestUri(me.agent);
  };
  server.server.setRequestHandler(SubscribeRequestSchema, ({ params }, extra) => {
    const me = caller(extra);
    subscribe(ctx.store, me.tokenId, own(params.uri, me), ctx.clock());
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, ({ params }, extra) => {
    const me = caller(extra);
    unsubscribe(ctx.store, me.tokenId, own(params.uri, me));
    return {};
  });
}

/**
 * Watches the agent's digest for as long as its GET stream is open, and sends `notifications/resources/updated`
 * for each subscribed URI when it changes. Returns the stop function.
 */
export function watchDigest(ctx: AppContext, server: McpServer, who: Subscriber, pollMs = DIGEST_POLL_MS): () => void {
  let seen = agentLinksFingerprint(ctx.store, who.agent);
  const timer = setInterval(() => {
    try {
      const now = agentLinksFingerprint(ctx.store, who.agent);
      if (now === seen) return;
      const uris = subscriptionsOf(ctx.store, who.tokenId);
      if (uris.length === 0) return; // not subscribed yet: a later subscription still hears of this change
      seen = now;
      for (const uri of uris) void server.server.sendResourceUpdated({ uri }).catch(() => {});
    } catch (err) {
      ctx.log(`hindsight: digest watch for ${who.agent} failed: ${(err as Error).message}`);
    }
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
