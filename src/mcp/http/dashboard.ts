import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../../context.js';
import { classifyError } from '../../errors.js';
import { CSP } from '../../report/html.js';
import { authenticate } from './auth.js';

/**
 * GET /dashboard with a token that has the `read` scope: the same page `hindsight report --html` writes, built
 * from the database as it is now. The page runs no script, and its headers forbid framing and sniffing.
 */
export async function handleDashboard(
  ctx: AppContext,
  req: IncomingMessage,
  res: ServerResponse,
  note: { agent?: string },
): Promise<void> {
  const json = (status: number, body: object, headers: Record<string, string> = {}) =>
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return void json(405, { error: '/dashboard accepts GET only' }, { allow: 'GET, HEAD' });
  const auth = authenticate(ctx, req.headers);
  if (!auth.ok) return void json(401, { error: auth.error }, { 'www-authenticate': auth.challenge });
  note.agent = auth.token.agent;
  if (!auth.token.scopes.includes('read'))
    return void json(403, { error: "GET /dashboard needs the 'read' scope; create a token with --scope read" });
  let html: string;
  try {
    html = await (await import('../../report/write.js')).dashboardHtml(ctx);
  } catch (err) {
    const busy = classifyError(err).blame === 'busy';
    if (!busy) ctx.log(`hindsight: /dashboard failed: ${classifyError(err).message}`);
    return void json(busy ? 503 : 500, {
      error: busy ? 'the database is busy; retry shortly' : 'internal error; see the server log',
    });
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': `${CSP}; frame-ancestors 'none'`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}
