import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../context.js';
import { ConfigError, UpstreamError, UserInputError, classifyError, errorMessage } from '../errors.js';
import { hostCheck } from '../mcp/http/host-check.js';
import { setBusyTimeout, untilNotBusy } from '../store/busy.js';
import type { McpHttpOptions, McpRequestNote } from '../mcp/http/transport.js';
import { githubSignatureCheck, handleGithubWebhook, type GithubWebhookOptions } from './github.js';
import { DEFAULT_MAX_BODY_BYTES, HttpError, readBody, type WebhookAnswer, type WebhookRequest } from '../http.js';
import { handleIncidentWebhook } from './incident.js';
import { handlePagerDutyWebhook } from './pagerduty.js';
import { handleSignalsPush } from './signals.js';

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
  /** Enables /mcp (MCP over Streamable HTTP, per-agent tokens) with what the whole server allows. */
  mcp?: Omit<McpHttpOptions, 'maxBodyBytes' | 'repos'>;
  /**
   * Every repository served, by folder name, each a context over the same store with its own files and config: an
   * /mcp request names one (X-Hindsight-Repo, ?repo=), a GitHub delivery goes to the one its repository's name
   * (owner/NAME) matches. Without a match: the server's context.
   */
  repos?: ReadonlyMap<string, AppContext>;
  /** Names besides the loopback ones that `Host` and browser `Origin`s may carry (DNS-rebinding protection). */
  publicHosts?: string[];
  /** What GET /readyz reports: undefined when ready, else why not (e.g. the first ingest still running). */
  notReady?: () => string | undefined;
  /** Enables POST /admin/ingest (tokens with the `admin` scope): starts an ingest round now. */
  ingestNow?: () => { started: boolean };
  /** In-flight requests get this long to finish on close before their connections are cut. Default 10 s. */
  shutdownGraceMs?: number;
  /**
   * A delivery that finds the database busy is retried this long before the sender gets 503 + Retry-After.
   * Default 8 s: GitHub gives up on a delivery after 10 s.
   */
  busyWaitMs?: number;
}

export interface WebhookServer {
  url: string;
  port: number;
  /** the endpoints that are enabled */
  routes: string[];
  /** Stops accepting, lets in-flight requests finish (up to the grace time), then closes. */
  close(): Promise<void>;
}

type Route = (req: WebhookRequest) => Promise<WebhookAnswer>;

/**
 * Starts the HTTP server of `serve --http`: POST /webhooks/github, /webhooks/pagerduty and /webhooks/incident,
 * each enabled by its secret; /mcp for agents; GET /healthz and /readyz. Deliveries are handled one at a time
 * (SQLite has one writer; deploy ranges depend on order). Every route but the probes checks Host and Origin.
 */
export async function startWebhookServer(ctx: AppContext, options: WebhookServerOptions): Promise<WebhookServer> {
  const routes = new Map<string, Route>();
  // Only picks where the delivery is applied; the handler checks its signature before it acts on anything.
  const deliveredTo = (body: Buffer): AppContext => {
    if (!options.repos) return ctx;
    try {
      const name = (JSON.parse(body.toString('utf8')) as { repository?: { name?: unknown } }).repository?.name;
      return (typeof name === 'string' && options.repos.get(name)) || ctx;
    } catch {
      return ctx; // not JSON: the handler says so
    }
  };
  if (options.github) {
    const gh = options.github;
    const verify = await githubSignatureCheck(gh.secret);
    routes.set('/webhooks/github', (req) => handleGithubWebhook(deliveredTo(req.body), req, gh, verify));
  }
  const { pagerdutySecret, incidentToken } = options;
  if (pagerdutySecret) routes.set('/webhooks/pagerduty', (req) => handlePagerDutyWebhook(ctx, req, pagerdutySecret));
  if (incidentToken) routes.set('/webhooks/incident', (req) => handleIncidentWebhook(ctx, req, incidentToken));
  // Pushed production signals need a token, and tokens exist where /mcp does.
  if (options.mcp) routes.set('/signals', (req) => handleSignalsPush(ctx, req));
  if (routes.size === 0 && !options.mcp) {
    throw new ConfigError(
      'no webhook endpoint is enabled: set HINDSIGHT_WEBHOOK_SECRET (GitHub), HINDSIGHT_PAGERDUTY_SECRET ' +
        'or HINDSIGHT_INCIDENT_TOKEN',
    );
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Every request shares this connection: a write that finds the lock taken (an ingest batch in another
  // process) must not spin in the driver, which stops the event loop (20 ms spins by 8 writers kept reads
  // waiting ~4 s, bench/http.ts); it waits asynchronously instead (untilNotBusy) and the server keeps answering.
  // Deliveries are idempotent, so running one again after a busy answer is safe.
  setBusyTimeout(ctx.store, 0);
  const refusedHost = hostCheck(options.publicHosts);
  const streams = new Set<ServerResponse>();
  const mcp = options.mcp
    ? { ...options.mcp, maxBodyBytes: limit, streams, ...(options.repos ? { repos: options.repos } : {}) }
    : undefined;
  const handleMcp = mcp ? (await import('../mcp/http/transport.js')).handleMcp : undefined;
  const { ingestNow } = options;
  const admin = ingestNow ? (await import('../mcp/http/admin.js')).handleAdminIngest : undefined;
  // Where agents hold tokens, people may read the dashboard with one (scope `read`).
  const dashboard = mcp ? (await import('../mcp/http/dashboard.js')).handleDashboard : undefined;
  const enabled = [...routes.keys(), ...(mcp ? ['/mcp', '/dashboard'] : []), ...(admin ? ['/admin/ingest'] : [])];
  let queue: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let drained = () => {};

  const server = createServer((req, res) => {
    const started = performance.now();
    const note: McpRequestNote & { outcome?: string } = {};
    inFlight++;
    res.on('close', () => {
      // The request log: method, path (no query), status, time, whose token — never a header or a body.
      const who = note.agent ? ` agent=${note.agent}` : '';
      const what = note.what ?? note.outcome ?? '';
      ctx.log(
        `hindsight: ${req.method} ${pathOf(req)} ${res.statusCode} ${Math.round(performance.now() - started)}ms${who}${what ? ` ${what}` : ''}`,
      );
      if (--inFlight === 0) drained();
    });
    void answer(req, res, note).catch((err: unknown) => {
      ctx.log(`hindsight: response failed: ${errorMessage(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    note: McpRequestNote & { outcome?: string },
  ): Promise<void> {
    const path = pathOf(req);
    if (path === '/healthz' || path === '/readyz')
      return probe(res, path === '/healthz' ? undefined : options.notReady?.());
    const refused = refusedHost(req.headers);
    if (refused) return send(res, { status: 403, body: { error: refused } });
    if (path === '/mcp' && handleMcp && mcp) return handleMcp(ctx, req, res, mcp, note);
    if (path === '/admin/ingest' && admin && ingestNow) return send(res, admin(ctx, req, ingestNow, note));
    if (path === '/dashboard' && dashboard) return dashboard(ctx, req, res, note);
    const route = routes.get(path);
    let result: WebhookAnswer;
    try {
      if (!route) throw new HttpError(404, `no endpoint ${path}; enabled: ${enabled.join(', ')}`);
      if (req.method !== 'POST') throw new HttpError(405, `${path} accepts POST only`);
      const body = await readBody(req, limit);
      const run = queue.then(() =>
        untilNotBusy(
          () => route({ headers: req.headers, body, query: new URL(req.url ?? '/', 'http://x').searchParams }),
          options.busyWaitMs ?? 8_000,
        ),
      );
      queue = run.catch(() => {});
      result = await run;
    } catch (err) {
      result = failure(err);
      if (result.status >= 500) ctx.log(`hindsight: webhook ${path} failed: ${errorMessage(err)}`);
    }
    note.outcome = String(result.body['outcome'] ?? '');
    send(res, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const grace = options.shutdownGraceMs ?? 10_000;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    routes: enabled,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Open MCP notification streams never finish by themselves: end them, as a restart would.
      for (const res of streams) res.end();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, grace).unref();
        });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/** /healthz: the process answers (no auth, no data). /readyz: and it is ready to serve (503 with why not). */
function probe(res: ServerResponse, notReady: string | undefined): void {
  send(
    res,
    notReady ? { status: 503, body: { status: 'starting', why: notReady } } : { status: 200, body: { status: 'ok' } },
  );
}

function send(res: ServerResponse, result: WebhookAnswer & { headers?: Record<string, string> }): void {
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    ...result.headers,
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
