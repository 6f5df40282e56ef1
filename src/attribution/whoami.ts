import type { AppContext } from '../context.js';
import { gitFor } from '../git.js';
import { agentForClientName } from './identity.js';

/** Who "my" means in my_deploy_impact and log_interrupt, and where that answer came from. */
export interface Identity {
  kind: 'agent' | 'author';
  /** agent name (claude, cursor, …) or author email/name */
  value: string;
  source: 'token' | 'argument' | 'config' | 'client' | 'git-user';
}

/** Who is calling, as the door knows it. */
export interface Caller {
  /** The MCP client's name from its initialize request. */
  clientName?: string;
  /** The agent an HTTP token authenticated; when set, it alone says who "me" is. */
  agent?: string;
}

/**
 * Identity defaults, in order: the token's agent (over HTTP: nothing else counts), an explicit argument,
 * config/HINDSIGHT_AGENT, the MCP client's name mapped to an agent (Claude Code → claude), then the repository's
 * git user. Undefined when none is known.
 */
export async function resolveIdentity(
  ctx: AppContext,
  args: { author?: string | undefined; agent?: string | undefined },
  caller: Caller = {},
): Promise<Identity | undefined> {
  if (caller.agent) return { kind: 'agent', value: caller.agent, source: 'token' };
  if (args.agent) return { kind: 'agent', value: args.agent.toLowerCase(), source: 'argument' };
  if (args.author) return { kind: 'author', value: args.author, source: 'argument' };
  if (ctx.config.agent) return { kind: 'agent', value: ctx.config.agent.toLowerCase(), source: 'config' };
  const fromClient = caller.clientName ? agentForClientName(caller.clientName) : undefined;
  if (fromClient) return { kind: 'agent', value: fromClient, source: 'client' };
  const email = await gitUserEmail(ctx.config.repoPath);
  return email ? { kind: 'author', value: email, source: 'git-user' } : undefined;
}

/**
 * The agent or author the arguments name when a token already says who the caller is and it is someone else:
 * doors refuse such a call or ignore the name and say so. Undefined when there is no token or no other name.
 */
export function otherThanCaller(
  args: { author?: string | undefined; agent?: string | undefined },
  caller: Caller,
): string | undefined {
  if (!caller.agent) return undefined;
  if (args.agent && args.agent.toLowerCase() !== caller.agent) return args.agent;
  return args.author;
}

async function gitUserEmail(repoPath: string): Promise<string | undefined> {
  try {
    const out = (await gitFor(repoPath).raw(['config', '--get', 'user.email'])).trim();
    return out || undefined;
  } catch {
    return undefined; // no user configured: the caller asks for an explicit author
  }
}
