import type { IncomingMessage } from 'node:http';
import type { AppContext } from '../../context.js';
import type { WebhookAnswer } from '../../http.js';
import { authenticate } from './auth.js';

/**
 * POST /admin/ingest with a token that has the `admin` scope: an ingest round of every repository now (or the
 * one already running), answered at once with 202; the round's outcome goes to the request log.
 */
export function handleAdminIngest(
  ctx: AppContext,
  req: IncomingMessage,
  runNow: () => { started: boolean },
  note: { agent?: string },
): WebhookAnswer & { headers?: Record<string, string> } {
  if (req.method !== 'POST') return { status: 405, body: { error: '/admin/ingest accepts POST only' } };
  const auth = authenticate(ctx, req.headers);
  if (!auth.ok) return { status: 401, body: { error: auth.error }, headers: { 'www-authenticate': auth.challenge } };
  note.agent = auth.token.agent;
  if (!auth.token.scopes.includes('admin')) {
    return {
      status: 403,
      body: { error: "POST /admin/ingest needs the 'admin' scope; create a token with --scope admin" },
    };
  }
  const { started } = runNow();
  return { status: 202, body: { outcome: started ? 'started' : 'running' } };
}
