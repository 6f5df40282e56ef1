import type { AppContext } from '../context.js';
import { gitFor } from '../git.js';
import { agentForClientName } from './identity.js';

/** Who "my" means in my_deploy_impact and log_interrupt, and where that answer came from. */
export interface Identity {
  kind: 'agent' | 'author';
  /** agent name (claude, cursor, …) or author email/name */
  value: string;
  source: 'argument' | 'config' | 'client' | 'git-user';
}

/**
 * Identity defaults, in order: an explicit argument, config/HINDSIGHT_AGENT, the MCP client's name mapped
 * to an agent (Claude Code → claude), then the repository's git user. Undefined when none is known.
 */
export async function resolveIdentity(
  ctx: AppContext,
  args: { author?: string | undefined; agent?: string | undefined },
  clientName?: string,
): Promise<Identity | undefined> {
  if (args.agent) return { kind: 'agent', value: args.agent.toLowerCase(), source: 'argument' };
  if (args.author) return { kind: 'author', value: args.author, source: 'argument' };
  if (ctx.config.agent) return { kind: 'agent', value: ctx.config.agent.toLowerCase(), source: 'config' };
  const fromClient = clientName ? agentForClientName(clientName) : undefined;
  if (fromClient) return { kind: 'agent', value: fromClient, source: 'client' };
  const email = await gitUserEmail(ctx.config.repoPath);
  return email ? { kind: 'author', value: email, source: 'git-user' } : undefined;
}

async function gitUserEmail(repoPath: string): Promise<string | undefined> {
  try {
    const out = (await gitFor(repoPath).raw(['config', '--get', 'user.email'])).trim();
    return out || undefined;
  } catch {
    return undefined; // no user configured: the caller asks for an explicit author
  }
}
