// The demo repository's first commit: a small but plausible TypeScript checkout service ("storefront-api").
// Later commits edit these files line by line, so blame and line-level diffs mean something.

export const PAYMENTS_GATEWAY = 'src/payments/gateway.ts';
export const PAYMENTS_CHARGE = 'src/payments/charge.ts';
export const PAYMENTS_GATEWAY_TEST = 'test/payments/gateway.test.ts';
export const AUTH_SESSION = 'src/auth/session.ts';
export const SEARCH_RANKING = 'src/search/ranking.ts';

const packageJson = `{
  "name": "storefront-api",
  "version": "3.14.0",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "start": "node dist/api/server.js",
    "test": "vitest run",
    "lint": "eslint .",
    "migrate": "node dist/db/migrate.js"
  },
  "dependencies": {
    "fastify": "5.2.0",
    "ioredis": "5.4.2",
    "pg": "8.13.1",
    "pino": "9.6.0",
    "undici": "7.2.0",
    "zod": "3.24.1"
  },
  "devDependencies": {
    "@types/node": "22.10.2",
    "eslint": "9.17.0",
    "typescript": "5.7.2",
    "vitest": "2.1.8"
  }
}
`;

const readme = `# storefront-api

The HTTP API behind the Acme storefront: checkout and payments, sign-in and sessions, and catalog search.

## Layout

| Folder | What lives there | Owners |
| --- | --- | --- |
| \`src/payments\` | charges, refunds and the card gateway client | @acme/payments |
| \`src/auth\` | sessions, tokens, scopes | @acme/identity |
| \`src/search\` | catalog search and ranking | @acme/discovery |
| \`src/api\` | Fastify server and routes | @acme/platform |
| \`src/web\` | server-rendered checkout helpers | @acme/web |

## Running locally

\`\`\`sh
npm ci
docker compose up -d postgres redis
npm run migrate && npm start
\`\`\`

## Deploying

Every merge to \`main\` is deployed to staging; production deploys run Monday, Wednesday and Friday
afternoons (UTC) from the \`deploy\` workflow. Roll back by re-running the workflow with an earlier sha.
`;

const hindsightConfig = `{
  "modules": {
    "payments": ["src/payments/**"],
    "auth": ["src/auth/**"],
    "search": ["src/search/**"]
  }
}
`;

const codeowners = `# Each line is a file pattern followed by one or more owners.
*                   @acme/platform
/src/payments/      @acme/payments
/test/payments/     @acme/payments
/src/auth/          @acme/identity
/test/auth/         @acme/identity
/src/search/        @acme/discovery
/test/search/       @acme/discovery
/src/web/           @acme/web
/migrations/        @acme/platform @acme/payments
/docs/adr/          @acme/architecture
`;

const deployWorkflow = `name: deploy
on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [staging, production]
      sha:
        description: commit to deploy (defaults to the tip of main)
        required: false
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.environment }}
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ inputs.sha || github.sha }}
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - run: npm test
      - run: npm run build
      - run: npm run migrate
      - run: ./scripts/deploy.sh \${{ inputs.environment }}
`;

const tsconfig = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "outDir": "dist",
    "rootDir": "src"
  },
  "include": ["src"]
}
`;

const gitignore = `node_modules/
dist/
.env
coverage/
`;

const adr0001 = `# 1. Record architecture decisions

- Status: accepted
- Deciders: Maya Chen, Jonas Weber
- Date: 2026-05-18

## Context and Problem Statement

Decisions about this service live in Slack threads and people's heads. New engineers and coding agents
cannot tell why things are the way they are.

## Decision Outcome

We record significant decisions as Markdown ADRs in \`docs/adr/\`, using the MADR template. An ADR is
never edited after it is accepted; a later ADR supersedes it.

### Consequences

- Good, because the reasoning is next to the code and reviewed like code.
- Bad, because it is one more thing to write.
`;

const loggerTs = `import pino from 'pino';

// Secrets must never reach the log pipeline; add any new credential-bearing field here.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  redact: [
    'req.headers.authorization',
    'req.headers.cookie',
  ],
});
`;

const metricsTs = `import { StatsD } from './statsd.js';

const client = new StatsD({ prefix: 'storefront.' });

export const metrics = {
  increment(name: string, tags: Record<string, string> = {}): void {
    client.increment(name, 1, tags);
  },
  timing(name: string, ms: number, tags: Record<string, string> = {}): void {
    client.timing(name, ms, tags);
  },
  gauge(name: string, value: number, tags: Record<string, string> = {}): void {
    client.gauge(name, value, tags);
  },
};
`;

const configTs = `// Runtime settings. Values here are defaults; production overrides them through the environment.
export const config = {
  port: Number(process.env.PORT ?? 8080),
  searchPageSize: 20,
  sessionTtlMinutes: 60,
  cacheTtlSeconds: 300,
  rateLimitPerMinute: 600,
  webhookTimeoutMs: 5000,
  exportBatchSize: 500,
};
`;

const paymentsTypes = `export const PAYMENT_METHODS = [
  'card',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

// ISO 4217 codes Acme Pay settles for us.
export const CURRENCIES = new Set(['USD', 'EUR']);

export interface GatewayConfig {
  baseUrl: string;
  apiKey: string;
}

export interface ChargeRequest {
  amount: number;
  currency: string;
  method: PaymentMethod;
  source: string;
  idempotencyKey: string;
}

export interface ChargeResult {
  id: string;
  status: 'succeeded' | 'pending' | 'failed';
  failureCode?: string;
}
`;

const gatewayTs = `import { metrics } from '../lib/metrics.js';
import { withBackoff } from './retry.js';
import type { ChargeRequest, ChargeResult, GatewayConfig } from './types.js';

// Acme Pay card gateway. Slow responses usually still succeed, so we wait and retry rather than give up.
const GATEWAY_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 3;

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export class PaymentGateway {
  constructor(private readonly config: GatewayConfig) {}

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const started = Date.now();
    try {
      const result = await withBackoff(() => this.callGateway('/v2/charges', req), {
        attempts: MAX_ATTEMPTS,
        baseDelayMs: 250,
        retryOn: (err) => err instanceof GatewayError && err.retryable,
      });
      metrics.timing('gateway.charge', Date.now() - started);
      return result;
    } catch (err) {
      metrics.increment('gateway.charge.error');
      throw err;
    }
  }

  private async callGateway(path: string, req: ChargeRequest): Promise<ChargeResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), GATEWAY_TIMEOUT_MS);
    try {
      const res = await fetch(\`\${this.config.baseUrl}\${path}\`, {
        method: 'POST',
        headers: {
          authorization: \`Bearer \${this.config.apiKey}\`,
          'content-type': 'application/json',
          'idempotency-key': req.idempotencyKey,
        },
        body: JSON.stringify(req),
        signal: controller.signal,
      });
      if (!res.ok) {
        throw new GatewayError(\`gateway responded \${res.status}\`, res.status, res.status >= 500);
      }
      return (await res.json()) as ChargeResult;
    } finally {
      clearTimeout(timer);
    }
  }
}
`;

const retryTs = `export interface BackoffOptions {
  attempts: number;
  baseDelayMs: number;
  retryOn: (err: unknown) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries \`fn\` with exponential backoff and full jitter. Only safe for idempotent calls (see ADR 0002). */
export async function withBackoff<T>(fn: () => Promise<T>, opts: BackoffOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < opts.attempts; attempt++) {
    try {
      return await fn();
    } catch (err) {
      lastError = err;
      if (!opts.retryOn(err) || attempt === opts.attempts - 1) break;
      await sleep(Math.random() * opts.baseDelayMs * 2 ** attempt);
    }
  }
  throw lastError;
}
`;

const chargeTs = `import { randomUUID } from 'node:crypto';
import { logger } from '../lib/logger.js';
import type { PaymentGateway } from './gateway.js';
import type { ChargeRequest, ChargeResult, PaymentMethod } from './types.js';

export interface CreateChargeInput {
  amount: number;
  currency: string;
  method: PaymentMethod;
  source: string;
  idempotencyKey?: string;
}

export interface ChargeRepository {
  insert(accountId: string, charge: ChargeResult & { amount: number; currency: string }): Promise<void>;
  findByIdempotencyKey(accountId: string, key: string): Promise<ChargeResult | undefined>;
}

export class ChargeService {
  constructor(
    private readonly gateway: PaymentGateway,
    private readonly charges: ChargeRepository,
  ) {}

  async create(accountId: string, input: CreateChargeInput): Promise<ChargeResult> {
    if (!Number.isInteger(input.amount) || input.amount <= 0) {
      throw new RangeError('amount must be a positive integer in minor units');
    }
    const idempotencyKey = input.idempotencyKey ?? randomUUID();
    const previous = await this.charges.findByIdempotencyKey(accountId, idempotencyKey);
    if (previous) return previous;

    const req: ChargeRequest = { ...input, currency: input.currency.toUpperCase(), idempotencyKey };
    const result = await this.gateway.charge(req);
    await this.charges.insert(accountId, { ...result, amount: input.amount, currency: req.currency });
    logger.info({ accountId, chargeId: result.id, status: result.status }, 'charge created');
    return result;
  }
}
`;

const refundsTs = `import { logger } from '../lib/logger.js';

export interface RefundRequest {
  chargeId: string;
  idempotencyKey: string;
}

export interface RefundGateway {
  refund(req: RefundRequest): Promise<{ id: string; status: 'succeeded' | 'pending' }>;
}

export async function refundCharge(gateway: RefundGateway, req: RefundRequest) {
  const refund = await gateway.refund(req);
  logger.info({ chargeId: req.chargeId, refundId: refund.id }, 'refund created');
  return refund;
}
`;

const sessionTs = `import { createHash, randomBytes } from 'node:crypto';
import { config } from '../lib/config.js';
import { AuthError } from './errors.js';

// Parallel tabs refresh at the same time; the second one presents a token that was just rotated.
const REUSE_GRACE_MS = 30_000;

export interface Session {
  id: string;
  userId: string;
  familyId: string;
  rotatedAt?: number;
  revokedAt?: number;
}

export interface SessionStore {
  findByRefreshHash(hash: string): Promise<Session | undefined>;
  markRotated(id: string, at: number, nextHash: string): Promise<void>;
  revokeFamily(familyId: string): Promise<void>;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function issueTokenPair(userId: string, familyId: string): TokenPair {
  return {
    accessToken: \`\${userId}.\${familyId}.\${randomBytes(24).toString('base64url')}\`,
    refreshToken: randomBytes(32).toString('base64url'),
    expiresIn: config.sessionTtlMinutes * 60,
  };
}

export async function rotateRefreshToken(store: SessionStore, presented: string, now = Date.now()) {
  const session = await store.findByRefreshHash(hashToken(presented));
  if (!session || session.revokedAt) throw new AuthError('invalid_grant', 'refresh token is not valid');
  if (session.rotatedAt && now - session.rotatedAt > REUSE_GRACE_MS) {
    // A token used again long after rotation was probably stolen: end the whole family.
    await store.revokeFamily(session.familyId);
    throw new AuthError('invalid_grant', 'refresh token was reused');
  }
  const pair = issueTokenPair(session.userId, session.familyId);
  await store.markRotated(session.id, now, hashToken(pair.refreshToken));
  return pair;
}
`;

const authErrorsTs = `export class AuthError extends Error {
  constructor(
    readonly code: 'invalid_grant' | 'invalid_token' | 'insufficient_scope',
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
`;

const scopesTs = `// Scopes an API key or session may hold. Routes check them with requireScope().
export const SCOPES = [
  'charges:read',
  'charges:write',
  'refunds:write',
  'catalog:read',
] as const;
export type Scope = (typeof SCOPES)[number];
`;

const middlewareTs = `import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from './errors.js';
import type { Scope } from './scopes.js';

export function requireScope(scope: Scope) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    if (!req.account) throw new AuthError('invalid_token', 'missing or expired credentials');
    if (!req.account.scopes.includes(scope)) {
      throw new AuthError('insufficient_scope', \`this call needs the \${scope} scope\`);
    }
  };
}
`;

const searchIndexTs = `import { config } from '../lib/config.js';
import type { Filter } from './filters.js';
import { parseQuery } from './query.js';
import { rank } from './ranking.js';

export interface SearchParams {
  q: string;
  filters?: Filter[];
  page?: number;
}

export interface CatalogIndex {
  candidates(terms: string[], filters: Filter[], limit: number): Promise<Doc[]>;
}

export interface Doc {
  id: string;
  title: string;
  score: number;
  popularity: number;
}

export async function search(index: CatalogIndex, params: SearchParams) {
  const query = parseQuery(params.q);
  const candidates = await index.candidates(query.terms, params.filters ?? [], 1000);
  const ranked = await rank(candidates, query);
  const start = ((params.page ?? 1) - 1) * config.searchPageSize;
  return { results: ranked.slice(start, start + config.searchPageSize), total: ranked.length };
}
`;

const rankingTs = `import type { Doc } from './index.js';
import type { ParsedQuery } from './query.js';

const POPULARITY_WEIGHT = 0.15;

/** BM25 score from the index, nudged by popularity so best sellers win ties. */
export async function rank(docs: Doc[], query: ParsedQuery): Promise<Doc[]> {
  const boost = query.exact ? 2 : 1;
  return docs
    .map((d) => ({ ...d, score: d.score * boost + Math.log1p(d.popularity) * POPULARITY_WEIGHT }))
    .sort((a, b) => b.score - a.score);
}
`;

const filtersTs = `export interface Filter {
  field: string;
  op: 'eq' | 'range';
  value: string | [number, number];
}

export function byPrice(min: number, max: number): Filter {
  return { field: 'price', op: 'range', value: [min, max] };
}
`;

const queryTs = `export interface ParsedQuery {
  terms: string[];
  exact: boolean;
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'for', 'with']);

export function parseQuery(q: string): ParsedQuery {
  const exact = q.startsWith('"') && q.endsWith('"') && q.length > 1;
  const terms = q
    .replace(/"/g, '')
    .toLowerCase()
    .split(/\\s+/)
    .filter((t) => t && !STOP_WORDS.has(t));
  return { terms, exact };
}
`;

const serverTs = `import Fastify from 'fastify';
import { config } from '../lib/config.js';
import { logger } from '../lib/logger.js';
import { errorHandler } from './errors.js';
import { registerRoutes } from './routes.js';
import { buildServices } from './services.js';

export async function start() {
  const app = Fastify({ logger });
  app.setErrorHandler(errorHandler);
  registerRoutes(app, await buildServices());
  await app.listen({ port: config.port, host: '0.0.0.0' });
  return app;
}
`;

const routesTs = `import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth/middleware.js';
import { parsePage } from './pagination.js';
import type { Services } from './services.js';

// Every route is versioned under /v1 and scoped; handlers stay thin and call a service.
export function registerRoutes(app: FastifyInstance, services: Services): FastifyInstance {
  app.post('/v1/charges', { preHandler: requireScope('charges:write') }, async (req, reply) => {
    const charge = await services.charges.create(req.account.id, req.body as never);
    return reply.code(201).send(charge);
  });

  app.get('/v1/charges/:id', { preHandler: requireScope('charges:read') }, async (req) => {
    return services.charges.get(req.account.id, (req.params as { id: string }).id);
  });

  app.post('/v1/refunds', { preHandler: requireScope('refunds:write') }, async (req, reply) => {
    return reply.code(201).send(await services.refunds.create(req.account.id, req.body as never));
  });

  app.get('/v1/search', { preHandler: requireScope('catalog:read') }, async (req) => {
    return services.search.query(req.query as never, parsePage(req.query));
  });

  return app;
}
`;

const apiErrorsTs = `import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../auth/errors.js';
import { GatewayError } from '../payments/gateway.js';

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AuthError) {
    return reply.code(err.code === 'insufficient_scope' ? 403 : 401).send({ error: err.code, message: err.message });
  }
  if (err instanceof GatewayError) {
    req.log.warn({ status: err.status }, 'payment gateway error');
    return reply.code(err.retryable ? 503 : 402).send({ error: 'payment_failed', retryable: err.retryable });
  }
  req.log.error({ err }, 'unhandled error');
  return reply.code(500).send({ error: 'internal' });
}
`;

const paginationTs = `export interface Page {
  limit: number;
  cursor?: string;
}

export function parsePage(query: unknown, opts: { maxLimit?: number } = {}): Page {
  const q = (query ?? {}) as { limit?: string; cursor?: string };
  const limit = Math.min(Number(q.limit ?? 20) || 20, opts.maxLimit ?? 500);
  return q.cursor ? { limit, cursor: q.cursor } : { limit };
}
`;

const checkoutTs = `import { formatMoney } from './format.js';
import { messages } from './messages.js';

export interface CartLine {
  sku: string;
  title: string;
  quantity: number;
  unitAmount: number;
}

export function checkoutSummary(lines: CartLine[], currency: string) {
  const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitAmount, 0);
  return {
    title: messages['checkout.title'],
    lines: lines.map((l) => ({ label: \`\${l.quantity} × \${l.title}\`, amount: formatMoney(l.quantity * l.unitAmount, currency) })),
    subtotal: formatMoney(subtotal, currency),
  };
}
`;

const formatTs = `export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
}
`;

const messagesTs = `export const messages = {
  'checkout.title': 'Checkout',
  'checkout.pay': 'Pay now',
  'checkout.error.generic': 'Something went wrong. Please try again.',
} as const;
`;

const gatewayTestTs = `import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError, PaymentGateway } from '../../src/payments/gateway.js';

const config = { baseUrl: 'https://gateway.test', apiKey: 'sk_test_123' };
const req = { amount: 1299, currency: 'EUR', method: 'card' as const, source: 'tok_visa', idempotencyKey: 'idem_1' };
const ok = (id: string) => new Response(JSON.stringify({ id, status: 'succeeded' }));

afterEach(() => vi.unstubAllGlobals());

describe('PaymentGateway', () => {
  it('charges through the gateway', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(ok('ch_1')));
    await expect(new PaymentGateway(config).charge(req)).resolves.toMatchObject({ id: 'ch_1' });
  });

  it('retries a 503 with the same idempotency key', async () => {
    const fetch = vi.fn().mockResolvedValueOnce(new Response('busy', { status: 503 })).mockResolvedValueOnce(ok('ch_2'));
    vi.stubGlobal('fetch', fetch);
    await expect(new PaymentGateway(config).charge(req)).resolves.toMatchObject({ id: 'ch_2' });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not retry a declined card', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('declined', { status: 402 })));
    await expect(new PaymentGateway(config).charge(req)).rejects.toBeInstanceOf(GatewayError);
  });
});
`;

const chargeTestTs = `import { describe, expect, it, vi } from 'vitest';
import { ChargeService } from '../../src/payments/charge.js';

function service(existing?: { id: string; status: 'succeeded' }) {
  const gateway = { charge: vi.fn().mockResolvedValue({ id: 'ch_9', status: 'succeeded' }) };
  const repo = { insert: vi.fn(), findByIdempotencyKey: vi.fn().mockResolvedValue(existing) };
  return { svc: new ChargeService(gateway as never, repo), gateway, repo };
}

describe('ChargeService', () => {
  it('rejects non-integer amounts', async () => {
    await expect(service().svc.create('acc_1', { amount: 12.5, currency: 'eur', method: 'card', source: 'tok' })).rejects.toThrow(RangeError);
  });

  it('returns the earlier charge for a repeated idempotency key', async () => {
    const { svc, gateway } = service({ id: 'ch_1', status: 'succeeded' });
    await svc.create('acc_1', { amount: 500, currency: 'eur', method: 'card', source: 'tok', idempotencyKey: 'k1' });
    expect(gateway.charge).not.toHaveBeenCalled();
  });
});
`;

const refundsTestTs = `import { describe, expect, it, vi } from 'vitest';
import { refundCharge } from '../../src/payments/refunds.js';

describe('refundCharge', () => {
  it('refunds the whole charge', async () => {
    const gateway = { refund: vi.fn().mockResolvedValue({ id: 're_1', status: 'succeeded' }) };
    await expect(refundCharge(gateway, { chargeId: 'ch_1', idempotencyKey: 'r1' })).resolves.toMatchObject({ id: 're_1' });
  });
});
`;

const sessionTestTs = `import { describe, expect, it, vi } from 'vitest';
import { hashToken, rotateRefreshToken } from '../../src/auth/session.js';

function store(session: object | undefined) {
  return { findByRefreshHash: vi.fn().mockResolvedValue(session), markRotated: vi.fn(), revokeFamily: vi.fn() };
}

describe('rotateRefreshToken', () => {
  it('issues a new pair and records the rotation', async () => {
    const s = store({ id: 's1', userId: 'u1', familyId: 'f1' });
    const pair = await rotateRefreshToken(s, 'tok', 1_000);
    expect(s.markRotated).toHaveBeenCalledWith('s1', 1_000, hashToken(pair.refreshToken));
  });

  it('revokes the family when a token is reused long after rotation', async () => {
    const s = store({ id: 's1', userId: 'u1', familyId: 'f1', rotatedAt: 0 });
    await expect(rotateRefreshToken(s, 'tok', 120_000)).rejects.toThrow('reused');
    expect(s.revokeFamily).toHaveBeenCalledWith('f1');
  });
});
`;

const rankingTestTs = `import { describe, expect, it } from 'vitest';
import { rank } from '../../src/search/ranking.js';

const doc = (id: string, score: number, popularity = 0) => ({ id, title: id, score, popularity });

describe('rank', () => {
  it('orders by score', async () => {
    const out = await rank([doc('a', 1), doc('b', 3)], { terms: ['x'], exact: false });
    expect(out.map((d) => d.id)).toEqual(['b', 'a']);
  });
});
`;

const filtersTestTs = `import { describe, expect, it } from 'vitest';
import * as filters from '../../src/search/filters.js';

describe('filters', () => {
  it('builds a price range', () => {
    expect(filters.byPrice(10, 20)).toEqual({ field: 'price', op: 'range', value: [10, 20] });
  });
});
`;

const routesTestTs = `import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, auth } from '../helpers/app.js';

let app: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  app = await buildTestApp();
});

describe('routes', () => {
  it('rejects calls without the needed scope', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/charges', headers: auth('catalog:read') });
    expect(res.statusCode).toBe(403);
  });
});
`;

const formatTestTs = `import { describe, expect, it } from 'vitest';
import * as format from '../../src/web/format.js';

describe('format', () => {
  it('formats money in minor units', () => {
    expect(format.formatMoney(1299, 'USD')).toBe('$12.99');
  });
});
`;

const migrations: Record<string, string> = {
  'migrations/0001_accounts.sql': `CREATE TABLE accounts (\n  id TEXT PRIMARY KEY,\n  name TEXT NOT NULL,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n`,
  'migrations/0002_charges.sql': `CREATE TABLE charges (\n  id TEXT PRIMARY KEY,\n  account_id TEXT NOT NULL REFERENCES accounts(id),\n  amount INTEGER NOT NULL,\n  currency CHAR(3) NOT NULL,\n  status TEXT NOT NULL,\n  idempotency_key TEXT NOT NULL,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n  UNIQUE (account_id, idempotency_key)\n);\n`,
  'migrations/0003_refunds.sql': `CREATE TABLE refunds (\n  id TEXT PRIMARY KEY,\n  charge_id TEXT NOT NULL REFERENCES charges(id),\n  status TEXT NOT NULL,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n`,
  'migrations/0004_sessions.sql': `CREATE TABLE sessions (\n  id TEXT PRIMARY KEY,\n  user_id TEXT NOT NULL,\n  family_id TEXT NOT NULL,\n  refresh_hash TEXT NOT NULL UNIQUE,\n  rotated_at TIMESTAMPTZ,\n  revoked_at TIMESTAMPTZ\n);\n`,
  'migrations/0005_api_keys.sql': `CREATE TABLE api_keys (\n  id TEXT PRIMARY KEY,\n  account_id TEXT NOT NULL REFERENCES accounts(id),\n  scopes TEXT[] NOT NULL,\n  hashed_key TEXT NOT NULL UNIQUE\n);\n`,
  'migrations/0006_charges_method.sql': `ALTER TABLE charges ADD COLUMN method TEXT NOT NULL DEFAULT 'card';\n`,
};

/** Every file of the first commit. */
export function initialFiles(): Record<string, string> {
  return {
    '.gitignore': gitignore,
    '.github/CODEOWNERS': codeowners,
    '.github/workflows/deploy.yml': deployWorkflow,
    'README.md': readme,
    'docs/adr/0001-record-architecture-decisions.md': adr0001,
    'hindsight.config.json': hindsightConfig,
    'package.json': packageJson,
    'tsconfig.json': tsconfig,
    ...migrations,
    'src/lib/config.ts': configTs,
    'src/lib/logger.ts': loggerTs,
    'src/lib/metrics.ts': metricsTs,
    'src/payments/types.ts': paymentsTypes,
    [PAYMENTS_GATEWAY]: gatewayTs,
    'src/payments/retry.ts': retryTs,
    [PAYMENTS_CHARGE]: chargeTs,
    'src/payments/refunds.ts': refundsTs,
    [AUTH_SESSION]: sessionTs,
    'src/auth/errors.ts': authErrorsTs,
    'src/auth/scopes.ts': scopesTs,
    'src/auth/middleware.ts': middlewareTs,
    'src/search/index.ts': searchIndexTs,
    [SEARCH_RANKING]: rankingTs,
    'src/search/filters.ts': filtersTs,
    'src/search/query.ts': queryTs,
    'src/api/server.ts': serverTs,
    'src/api/routes.ts': routesTs,
    'src/api/errors.ts': apiErrorsTs,
    'src/api/pagination.ts': paginationTs,
    'src/web/checkout.ts': checkoutTs,
    'src/web/format.ts': formatTs,
    'src/web/messages.ts': messagesTs,
    [PAYMENTS_GATEWAY_TEST]: gatewayTestTs,
    'test/payments/charge.test.ts': chargeTestTs,
    'test/payments/refunds.test.ts': refundsTestTs,
    'test/auth/session.test.ts': sessionTestTs,
    'test/search/ranking.test.ts': rankingTestTs,
    'test/search/filters.test.ts': filtersTestTs,
    'test/api/routes.test.ts': routesTestTs,
    'test/web/format.test.ts': formatTestTs,
  };
}

/** ADR 0002: the payments retry decision the demo's fix commit points back to. */
export const ADR_0002 = `# 2. Idempotency keys for payment retries

- Status: accepted
- Deciders: Maya Chen, Jonas Weber
- Date: 2026-06-04

## Context and Problem Statement

Calls from \`src/payments\` to the Acme Pay gateway time out or fail with 5xx now and then, mostly during the
provider's settlement batches. A charge that timed out may still have succeeded upstream. How do we retry
payments without charging a customer twice?

## Considered Options

- No retries in the service; let clients retry.
- Retry in the service, with an idempotency key per charge attempt.

## Decision Outcome

Chosen option: "Retry in the service, with an idempotency key", because clients retry without backoff and
amplify provider slowness, while the gateway deduplicates requests that carry the same \`idempotency-key\`.

- Every gateway call in \`src/payments\` sends the charge's idempotency key (generated once per charge).
- \`PaymentGateway.charge\` retries retryable errors (timeouts, 5xx) with exponential backoff and jitter,
  at most 3 attempts.
- The gateway timeout stays well above the provider's p99 latency (about 2.4 s at peak): a request we
  abandon early is a payment we cannot confirm.

### Consequences

- Good, because transient gateway errors do not surface as failed checkouts.
- Bad, because a slow provider makes checkout slower (up to ~30 s in the worst case); the API timeout must
  allow for it.
`;

export const ADR_0003 = `# 3. Hybrid ranking for catalog search

- Status: accepted
- Deciders: Priya Raman
- Date: 2026-07-16

## Context and Problem Statement

Keyword ranking (BM25 plus popularity) misses synonyms: "sofa" does not find "couch". Should
\`src/search\` blend in semantic similarity?

## Decision Outcome

Chosen option: blend BM25 with cosine similarity from the embeddings service, 70/30, computed per
candidate at query time. Revisit if p95 latency moves.

### Consequences

- Good, because recall on synonym queries improves markedly in offline evaluation.
- Bad, because every query now depends on the embeddings service.
`;
