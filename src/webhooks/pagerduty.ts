import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { Touched } from '../github/apply.js';
import { upsertIncidentRow } from '../github/incidents.js';
import { hasDelivery, recordDelivery } from '../store/github.js';
import { HttpError, header, parseJson, parseShape, type WebhookAnswer, type WebhookRequest } from '../http.js';
import { withTransaction } from '../store/transaction.js';

/**
 * PagerDuty v3 signature: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>`, comma-separated when
 * several secrets are live (rotation). True when any v1 signature matches.
 */
export function verifyPagerDutySignature(secret: string, body: Buffer, headerValue: string | undefined): boolean {
  if (!headerValue) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return headerValue.split(',').some((part) => {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/i.exec(part);
    return m !== null && timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected);
  });
}

const pagerDutyEventSchema = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string(),
    occurred_at: z.string(),
    data: z
      .object({
        id: z.string().min(1),
        title: z.string().optional(),
        created_at: z.string().optional(),
        html_url: z.string().optional(),
        urgency: z.string().optional(),
        service: z.object({ summary: z.string().optional() }).nullish(),
        priority: z.object({ summary: z.string().optional() }).nullish(),
      })
      .optional(),
  }),
});

const HANDLED = new Set(['incident.triggered', 'incident.resolved']);

/** POST /webhooks/pagerduty: incident.triggered opens an incident (source pagerduty), incident.resolved resolves it. */
export async function handlePagerDutyWebhook(
  ctx: AppContext,
  req: WebhookRequest,
  secret: string,
): Promise<WebhookAnswer> {
  if (!verifyPagerDutySignature(secret, req.body, header(req.headers, 'x-pagerduty-signature'))) {
    throw new HttpError(
      401,
      'X-PagerDuty-Signature is missing or does not match: use the signing secret of this PagerDuty webhook subscription',
    );
  }
  const { event } = parseShape(pagerDutyEventSchema, parseJson(req.body), 'PagerDuty v3 webhook event');
  const deliveryId = `pagerduty:${event.id}`;
  if (hasDelivery(ctx.store, deliveryId)) return { status: 200, body: { outcome: 'duplicate', delivery: event.id } };
  const record = (outcome: string) =>
    recordDelivery(ctx.store, {
      deliveryId,
      source: 'pagerduty',
      event: event.event_type,
      receivedAt: ctx.clock(),
      outcome,
    });
  if (!HANDLED.has(event.event_type) || !event.data) {
    const why = `${event.event_type} events are not used`;
    record(`ignored: ${why}`);
    return { status: 200, body: { outcome: 'ignored', why } };
  }
  const d = event.data;
  const resolved = event.event_type === 'incident.resolved';
  const touched = new Touched();
  withTransaction(ctx.store, () => {
    const res = upsertIncidentRow(
      ctx,
      {
        id: d.id,
        source: 'pagerduty',
        title: d.title,
        started_at: d.created_at ?? (resolved ? undefined : event.occurred_at),
        resolved_at: resolved ? event.occurred_at : undefined,
        status: resolved ? 'resolved' : 'open',
        service: d.service?.summary,
        severity: d.priority?.summary ?? d.urgency,
        url: d.html_url,
      },
      { defaultSource: 'pagerduty' },
    )!;
    record('stored');
    touched.add({ outcome: 'stored', incidentIds: [res.id] });
  });
  await touched.refresh(ctx);
  return { status: 200, body: { outcome: 'stored', delivery: event.id } };
}
