import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../context.js';
import { ConfigError, UpstreamError, UserInputError, classifyError, errorMessage } from '../errors.js';
import { githubSignatureCheck, handleGithubWebhook, type GithubWebhookOptions } from './github.js';
import { DEFAULT_MAX_BODY_BYTES, HttpError, readBody, type WebhookAnswer, type WebhookRequest } from './http.js';
import { handleIncidentWebhook } from './incident.js';
import { handlePagerDutyWebhook } from './pagerduty.js';

export interface WebhookServerOptions {
  /** Default 127.0.0.1: loopback only; put a reverse proxy with TLS in front to receive from the internet. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Enables POST /webhooks/github. */
  github?: GithubWebhookOptions;
  /** Enables POST /webhooks/pagerduty (the v3 webhook signing secret). */
  pagerdutySecret?: string;
  /** Enables POST /webhooks/incident (the bearer token senders present). */
  incidentToken?: string;
  /** Larger bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface WebhookServer {
  url: string;
  port: number;
  /** the endpoints that are enabled */
  routes: string[];
  close(): Promise<void>;
}

type Route = (req: WebhookRequest) => Promise<WebhookAnswer>;

/**
 * Starts the webhook receiver: POST /webhooks/github, /webhooks/pagerduty and /webhooks/incident, each enabled by
 * its secret. Deliveries are handled one at a time (SQLite has one writer; deploy ranges depend on order).
 */
export async function startWebhookServer(ctx: AppContext, options: WebhookServerOptions): Promise<WebhookServer> {
  const routes = new Map<string, Route>();
  if (options.github) {
    const gh = options.github;
    const verify = await githubSignatureCheck(gh.secret);
    routes.set('/webhooks/github', (req) => handleGithubWebhook(ctx, req, gh, verify));
  }
  const { pagerdutySecret, incidentToken } = options;
  if (pagerdutySecret) routes.set('/webhooks/pagerduty', (req) => handlePagerDutyWebhook(ctx, req, pagerdutySecret));
  if (incidentToken) routes.set('/webhooks/incident', (req) => handleIncidentWebhook(ctx, req, incidentToken));
  if (routes.size === 0) {
    throw new ConfigError(
      'no webhook endpoint is enabled: set HINDSIGHT_WEBHOOK_SECRET (GitHub), HINDSIGHT_PAGERDUTY_SECRET ' +
        'or HINDSIGHT_INCIDENT_TOKEN',
    );
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let queue: Promise<unknown> = Promise.resolve();

  const server = createServer((req, res) => {
    void answer(req, res).catch((err: unknown) => ctx.log(`hindsight: webhook response failed: ${errorMessage(err)}`));
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.get(path);
    let result: WebhookAnswer;
    try {
      if (!route) throw new HttpError(404, `no endpoint ${path}; enabled: ${[...routes.keys()].join(', ')}`);
      if (req.method !== 'POST') throw new HttpError(405, `${path} accepts POST only`);
      const body = await readBody(req, limit);
      const run = queue.then(() => route({ headers: req.headers, body }));
      queue = run.catch(() => {});
      result = await run;
    } catch (err) {
      result = failure(err);
      if (result.status >= 500) ctx.log(`hindsight: webhook ${path} failed: ${errorMessage(err)}`);
    }
    ctx.log(`hindsight: webhook ${req.method} ${path} → ${result.status} ${String(result.body['outcome'] ?? '')}`);
    const text = JSON.stringify(result.body);
    res.writeHead(result.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(result.status === 405 ? { allow: 'POST' } : {}),
      // A busy database or a retryable upstream: the sender may deliver again shortly.
      ...(result.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}),
      // A refused body may still be arriving; do not keep reading it on this connection.
      ...(result.status === 413 ? { connection: 'close' } : {}),
    });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    routes: [...routes.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const RETRY_AFTER_SECONDS = 5;

/**
 * Errors by who acts: the sender (4xx with the fix), a retry (503: a busy database, a retryable upstream), the
 * operator (500 with what to change: a read-only or foreign database file, a full disk), or us (500, logged).
 */
function failure(err: unknown): WebhookAnswer {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
  if (err instanceof UserInputError) {
    return { status: 400, body: { error: err.message, ...(err.field ? { field: err.field } : {}) } };
  }
  if (err instanceof UpstreamError) {
    return { status: err.retryable ? 503 : 502, body: { error: err.message, retryable: err.retryable } };
  }
  // Without the database's path: the body goes to the sender; the server log has the path.
  const failed = classifyError(err);
  switch (failed.blame) {
    case 'input':
      return { status: 400, body: { error: failed.message } };
    case 'busy':
      return { status: 503, body: { error: failed.message, retryable: true } };
    case 'config':
    case 'environment':
      return { status: 500, body: { error: `hindsight cannot store deliveries on this set-up: ${failed.message}` } };
    default:
      return { status: 500, body: { error: 'internal error; see the server log' } };
  }
}
