import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { SIGNAL_FORMATS } from '../ingest/signal-formats.js';
import { ingestSignals } from '../ingest/signals.js';
import { authenticate } from '../mcp/http/auth.js';
import { SIGNAL_METRICS } from '../store/signals.js';
import { header, type WebhookAnswer, type WebhookRequest } from '../http.js';

/**
 * POST /signals with a token that has the `signals` scope: a Prometheus query_range answer, OTLP/JSON metrics or CSV
 * in the body (the format from `?format=`, else `text/csv`, else the JSON's top-level key); `?service=`, `?env=`,
 * `?metric=` fill labels the series lack. Idempotent: the same samples again change nothing.
 */
export async function handleSignalsPush(ctx: AppContext, req: WebhookRequest): Promise<WebhookAnswer> {
  const auth = authenticate(ctx, req.headers);
  if (!auth.ok) return { status: 401, body: { error: auth.error }, headers: { 'www-authenticate': auth.challenge } };
  if (!auth.token.scopes.includes('signals')) {
    return {
      status: 403,
      body: { error: "POST /signals needs the 'signals' scope; create a token with --scope signals" },
    };
  }
  const q = req.query ?? new URLSearchParams();
  const csv = /^text\/csv\b/i.test(header(req.headers, 'content-type') ?? '');
  const format = param(q, 'format', SIGNAL_FORMATS) ?? (csv ? 'csv' : undefined);
  const metric = param(q, 'metric', SIGNAL_METRICS);
  const text = req.body.toString('utf8');
  const res = await ingestSignals(ctx, text, {
    name: 'body',
    ...(format ? { format } : {}),
    ...(metric ? { metric } : {}),
    ...(q.get('service') ? { service: q.get('service')! } : {}),
    ...(q.get('env') ? { env: q.get('env')! } : {}),
  });
  return { status: 200, body: { outcome: res.changed > 0 ? 'stored' : 'unchanged', ...res } };
}

function param<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UserInputError(`?${name}='${v}' must be one of ${allowed.join(', ')}`, name);
  }
  return v as T;
}
