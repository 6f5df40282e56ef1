import type { Command } from 'commander';
import { SCOPES } from '../../auth/scopes.js';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { info, out } from '../output.js';
import { parseDuration, parseWhen } from '../parse.js';

const DEFAULT_SCOPES = ['read', 'log'];

/** `hindsight token create|list|revoke`: the per-agent tokens `serve --http` accepts at /mcp. */
export function registerToken(program: Command, makeContext: ContextFactory): void {
  const token = program.command('token').description('Create, list and revoke the agent tokens of serve --http');

  token
    .command('create')
    .description('Create a token for one agent; printed once, as the last line of stdout (only a hash is stored)')
    .requiredOption('--agent <name>', 'the agent the token speaks for: "me" in every call made with it')
    .option(
      '--scope <scope>',
      `${SCOPES.join(' | ')}; repeatable (default ${DEFAULT_SCOPES.join(' + ')})`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--expires <when>', 'a duration (90d, 12h, 2w, 1y) or an ISO date; default never')
    .option('--note <text>', 'what it is for, shown by token list')
    .action(async (o: { agent: string; scope?: string[]; expires?: string; note?: string }) => {
      const { createToken, parseScopes } = await import('../../auth/tokens.js');
      const ctx = makeContext();
      const now = ctx.clock();
      const expiresAt = o.expires === undefined ? undefined : expiry(o.expires, now);
      const { token: secret, row } = createToken(ctx, {
        agent: o.agent,
        scopes: parseScopes(o.scope ?? DEFAULT_SCOPES),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        ...(o.note !== undefined ? { note: o.note } : {}),
      });
      ctx.store.close();
      info(
        `token ${row.id} for agent ${row.agent}, scopes ${row.scopes.join(' ')}` +
          `${row.expiresAt ? `, expires ${new Date(row.expiresAt).toISOString()}` : ''}. ` +
          'It is shown once, below; only its hash is stored.',
      );
      out(secret);
    });

  token
    .command('list')
    .description('List tokens (never their secrets)')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const { listTokens } = await import('../../store/tokens.js');
      const ctx = makeContext();
      const now = ctx.clock();
      const rows = listTokens(ctx.store);
      ctx.store.close();
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      const shown = rows.map((r) => ({
        id: r.id,
        agent: r.agent,
        scopes: r.scopes,
        state: r.revokedAt !== null ? 'revoked' : r.expiresAt !== null && r.expiresAt <= now ? 'expired' : 'active',
        createdAt: iso(r.createdAt),
        expiresAt: iso(r.expiresAt),
        lastUsedAt: iso(r.lastUsedAt),
        note: r.note,
      }));
      if (o.json) return out(JSON.stringify(shown, null, 2));
      if (shown.length === 0) return out('no tokens; create one with: hindsight token create --agent NAME');
      out(
        shown
          .map(
            (t) =>
              `${t.id}  ${t.agent}  ${t.scopes.join(',')}  ${t.state}  created ${t.createdAt?.slice(0, 10)}` +
              `${t.expiresAt ? `  expires ${t.expiresAt.slice(0, 10)}` : ''}` +
              `${t.lastUsedAt ? `  last used ${t.lastUsedAt.slice(0, 16)}` : ''}${t.note ? `  ${t.note}` : ''}`,
          )
          .join('\n'),
      );
    });

  token
    .command('revoke <id>')
    .description('Revoke a token at once (its id from token list)')
    .action(async (id: string) => {
      const { revokeToken } = await import('../../store/tokens.js');
      const ctx = makeContext();
      const found = revokeToken(ctx.store, id, ctx.clock());
      ctx.store.close();
      if (!found) throw new UserInputError(`no token has id '${id}'; see hindsight token list`, 'id');
      out(`token ${id} revoked`);
    });
}

/** A duration from now, or an ISO date; never in the past. */
function expiry(text: string, now: number): number {
  const at = /^\d{4}-/.test(text) ? parseWhen(text, '--expires') : now + parseDuration(text, '--expires');
  if (at <= now) throw new UserInputError(`--expires '${text}' must be in the future`, 'expires');
  return at;
}
