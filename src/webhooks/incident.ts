import type { AppContext } from '../context.js';
import { Touched } from '../github/apply.js';
import { upsertIncidentRow } from '../github/incidents.js';
import { hasDelivery, recordDelivery } from '../store/github.js';
import { HttpError, header, parseJson, sameSecret, type WebhookAnswer, type WebhookRequest } from '../http.js';
import { withTransaction } from '../store/transaction.js';

/**
 * POST /webhooks/incident with `Authorization: Bearer <token>`: one incident in the import's row schema
 * (`id`, `title`, `started_at` …; `source` defaults to `webhook`). An `Idempotency-Key` header makes retries safe
 * to replay; without one, sending the same row again changes nothing anyway.
 */
export async function handleIncidentWebhook(
  ctx: AppContext,
  req: WebhookRequest,
  token: string,
): Promise<WebhookAnswer> {
  const auth = /^Bearer\s+(\S.*)$/i.exec(header(req.headers, 'authorization') ?? '');
  if (!auth || !sameSecret(auth[1]!.trim(), token)) {
    throw new HttpError(401, 'send Authorization: Bearer <the token in HINDSIGHT_INCIDENT_TOKEN>');
  }
  const key = header(req.headers, 'idempotency-key');
  const deliveryId = key ? `incident:${key}` : undefined;
  if (deliveryId && hasDelivery(ctx.store, deliveryId)) {
    return { status: 200, body: { outcome: 'duplicate', delivery: key } };
  }
  const row = parseJson(req.body);
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new HttpError(400, 'send one incident as a JSON object: { "id", "title", "started_at", … }');
  }
  const touched = new Touched();
  const res = withTransaction(ctx.store, () => {
    // Only id is required: a known incident can be updated (resolved_at, fix_sha …) with just the changes.
    const r = upsertIncidentRow(ctx, row, { defaultSource: 'webhook', required: [] })!;
    if (deliveryId) {
      recordDelivery(ctx.store, {
        deliveryId,
        source: 'incident',
        event: 'incident',
        receivedAt: ctx.clock(),
        outcome: 'stored',
      });
    }
    return r;
  });
  if (res.changed) touched.add({ outcome: 'stored', incidentIds: [res.id] });
  await touched.refresh(ctx);
  return {
    status: res.created ? 201 : 200,
    body: { outcome: res.changed ? 'stored' : 'unchanged', incident: res.id, created: res.created },
  };
}
