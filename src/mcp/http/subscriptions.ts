import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  McpError,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../../context.js';
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

/** Declares `resources.subscribe` and answers subscribe/unsubscribe for the caller's own digest. */
export function serveSubscriptions(server: McpServer, ctx: AppContext, who: Subscriber): void {
  server.server.registerCapabilities({ resources: { subscribe: true } });
  const own = (uri: string) => {
    if (uri !== digestUri(who.agent) && decodeURIComponent(uri) !== `hindsight://digest/${who.agent}`) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `only your own digest can be subscribed to: ${digestUri(who.agent)} (your token's agent is '${who.agent}')`,
      );
    }
    return digestUri(who.agent);
  };
  server.server.setRequestHandler(SubscribeRequestSchema, ({ params }) => {
    subscribe(ctx.store, who.tokenId, own(params.uri), ctx.clock());
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, ({ params }) => {
    unsubscribe(ctx.store, who.tokenId, own(params.uri));
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
