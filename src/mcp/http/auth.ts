import type { IncomingHttpHeaders } from 'node:http';
import { verifyToken } from '../../auth/tokens.js';
import type { AppContext } from '../../context.js';
import type { TokenRow } from '../../store/tokens.js';
import { header } from '../../http.js';

export type Authenticated =
  { ok: true; token: TokenRow } | { ok: false; status: 401; challenge: string; error: string };

/**
 * `Authorization: Bearer <token>` → the token's row, or a 401 answer with the `WWW-Authenticate: Bearer`
 * challenge (RFC 6750). The token itself never reaches a log or an answer.
 */
export function authenticate(ctx: AppContext, headers: IncomingHttpHeaders): Authenticated {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header(headers, 'authorization') ?? '');
  if (!m) {
    return {
      ok: false,
      status: 401,
      challenge: 'Bearer realm="hindsight"',
      error: 'send Authorization: Bearer <token>; create one with `hindsight token create --agent NAME`',
    };
  }
  const v = verifyToken(ctx, m[1]!);
  if (v.ok) return v;
  const why = { unknown: 'unknown token', expired: 'token expired', revoked: 'token revoked' }[v.why];
  return {
    ok: false,
    status: 401,
    challenge: `Bearer realm="hindsight", error="invalid_token", error_description="${why}"`,
    error: `${why}; ask for a new one (\`hindsight token create --agent NAME\`)`,
  };
}
