// The HTTP request helpers every HTTP door shares (webhook receivers, /mcp, /admin): body limits, headers, JSON.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { z } from 'zod';

/** An answer with a status other than 200; the message tells the sender what to fix. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a route handler gets and gives back. */
export interface WebhookRequest {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** the query string (POST /signals reads its options there) */
  query?: URLSearchParams;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole body, refusing (413) anything larger than `limit` without buffering it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `body larger than ${limit} bytes; send one event per request`);
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * JSON.parse with a 400 that says where the text broke. A form-encoded body (`payload=%7B…`) is what GitHub sends
 * when the webhook's content type is application/x-www-form-urlencoded: say which setting to change.
 */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.startsWith('payload=')) {
      throw new HttpError(
        400,
        "body is form-encoded (payload=…), not JSON: in the webhook's settings choose Content type application/json",
      );
    }
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
}

/** zod at the door: a 400 naming the first fields that are missing or wrong. */
export function parseShape<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const issues = res.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new HttpError(400, `not a ${what}: ${issues}`);
}

/** Constant-time comparison of two secrets of any length (hashing first evens the lengths). */
export function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}
