// The edits behind the demo's stories (payments timeouts, the reverted auth change, the rolled-back search
// change, the feature branches). Kept apart from the timeline so each edit can be read on its own.
import { ADR_0003, AUTH_SESSION, PAYMENTS_GATEWAY, PAYMENTS_GATEWAY_TEST, SEARCH_RANKING } from './scenario-files.js';
import { insertAfter, insertBefore, insertBeforeLast, replaceBlock, replaceLine } from './scenario-text.js';

type Read = (path: string) => string;
export type Changes = Record<string, string | null>;

// ---- payments -------------------------------------------------------------------------------------

const RETRY_BLOCK = `      const result = await withBackoff(() => this.callGateway('/v2/charges', req), {
        attempts: MAX_ATTEMPTS,
        baseDelayMs: 250,
        retryOn: (err) => err instanceof GatewayError && err.retryable,
      });`;
const DIRECT_CALL = `      const result = await this.callGateway('/v2/charges', req);`;
const ORIGINAL_COMMENT =
  '// Acme Pay card gateway. Slow responses usually still succeed, so we wait and retry rather than give up.';
const FAIL_FAST_COMMENT =
  '// Acme Pay card gateway. Fail fast: a slow call holds a checkout worker, and clients retry on 503.';
const FIXED_COMMENT =
  '// Acme Pay p99 is ~2.4 s at peak (ADR 0002): keep the timeout well above it and retry with backoff.';
const RETRY_IMPORT = "import { withBackoff } from './retry.js';";

/** Day ~8: a request id header, far from the lines the later story changes. */
export function gatewayRequestId(read: Read): Changes {
  return {
    [PAYMENTS_GATEWAY]: insertAfter(
      read(PAYMENTS_GATEWAY),
      "          'idempotency-key': req.idempotencyKey,",
      "          'x-request-id': req.requestId ?? req.idempotencyKey,",
    ),
    'src/payments/types.ts': insertAfter(
      read('src/payments/types.ts'),
      '  idempotencyKey: string;',
      '  requestId?: string;',
    ),
  };
}

/** Day ~22: latency tagged by payment method. */
export function gatewayLatencyTags(read: Read): Changes {
  return {
    [PAYMENTS_GATEWAY]: replaceLine(
      read(PAYMENTS_GATEWAY),
      "      metrics.timing('gateway.charge', Date.now() - started);",
      "      metrics.timing('gateway.charge', Date.now() - started, { method: req.method });",
    ),
  };
}

/** Day ~29, the inducing change: timeout 10 s → 2 s and the retry-with-backoff around the charge removed. */
export function gatewayFailFast(read: Read): Changes {
  let g = read(PAYMENTS_GATEWAY);
  g = replaceBlock(g, `${RETRY_IMPORT}\n`, '');
  g = replaceLine(g, ORIGINAL_COMMENT, FAIL_FAST_COMMENT);
  g = replaceLine(g, 'const GATEWAY_TIMEOUT_MS = 10_000;', 'const GATEWAY_TIMEOUT_MS = 2_000;');
  g = replaceBlock(g, 'const MAX_ATTEMPTS = 3;\n', '');
  g = replaceBlock(g, RETRY_BLOCK, DIRECT_CALL);
  let t = read(PAYMENTS_GATEWAY_TEST);
  t = replaceLine(
    t,
    "  it('retries a 503 with the same idempotency key', async () => {",
    "  it('surfaces a 503 to the caller without retrying', async () => {",
  );
  t = replaceLine(
    t,
    "    await expect(new PaymentGateway(config).charge(req)).resolves.toMatchObject({ id: 'ch_2' });",
    '    await expect(new PaymentGateway(config).charge(req)).rejects.toMatchObject({ status: 503 });',
  );
  t = replaceLine(t, '    expect(fetch).toHaveBeenCalledTimes(2);', '    expect(fetch).toHaveBeenCalledTimes(1);');
  return { [PAYMENTS_GATEWAY]: g, [PAYMENTS_GATEWAY_TEST]: t };
}

/** After the first incident: timeouts counted apart from other gateway errors. */
export function gatewayTimeoutMetric(read: Read): Changes {
  return {
    [PAYMENTS_GATEWAY]: replaceLine(
      read(PAYMENTS_GATEWAY),
      "      metrics.increment('gateway.charge.error');",
      "      const timedOut = err instanceof Error && err.name === 'AbortError';\n      metrics.increment(timedOut ? 'gateway.charge.timeout' : 'gateway.charge.error');",
    ),
  };
}

/** After the second incident: the wrong fix (a bigger connection pool). */
export function gatewayConnectionPool(read: Read): Changes {
  let g = read(PAYMENTS_GATEWAY);
  g = insertAfter(g, "import { metrics } from '../lib/metrics.js';", "import { Agent } from 'undici';");
  g = replaceLine(
    g,
    '  constructor(private readonly config: GatewayConfig) {}',
    '  private readonly dispatcher = new Agent({ connections: 64, keepAliveTimeout: 30_000 });\n\n  constructor(private readonly config: GatewayConfig) {}',
  );
  g = insertAfter(g, '        signal: controller.signal,', '        dispatcher: this.dispatcher,');
  return { [PAYMENTS_GATEWAY]: g };
}

/** A Copilot refactor of the header block, moving callGateway's lines around. */
export function gatewayExtractHeaders(read: Read): Changes {
  let g = read(PAYMENTS_GATEWAY);
  g = replaceBlock(
    g,
    `        headers: {
          authorization: \`Bearer \${this.config.apiKey}\`,
          'content-type': 'application/json',
          'idempotency-key': req.idempotencyKey,
          'x-request-id': req.requestId ?? req.idempotencyKey,
        },
`,
    '        headers: this.headers(req),\n',
  );
  g = insertBeforeLast(
    g,
    '}',
    `
  private headers(req: ChargeRequest): Record<string, string> {
    return {
      authorization: \`Bearer \${this.config.apiKey}\`,
      'content-type': 'application/json',
      'idempotency-key': req.idempotencyKey,
      'x-request-id': req.requestId ?? req.idempotencyKey,
    };
  }`,
  );
  return { [PAYMENTS_GATEWAY]: g };
}

/** The human fix after the third incident: exactly the fail-fast lines, back to timeout + backoff. */
export function gatewayRestoreRetry(read: Read): Changes {
  let g = read(PAYMENTS_GATEWAY);
  g = insertBefore(g, "import type { ChargeRequest, ChargeResult, GatewayConfig } from './types.js';", RETRY_IMPORT);
  g = replaceLine(g, FAIL_FAST_COMMENT, FIXED_COMMENT);
  g = replaceLine(
    g,
    'const GATEWAY_TIMEOUT_MS = 2_000;',
    'const GATEWAY_TIMEOUT_MS = 10_000;\nconst MAX_ATTEMPTS = 3;',
  );
  g = replaceLine(g, DIRECT_CALL, RETRY_BLOCK);
  let t = read(PAYMENTS_GATEWAY_TEST);
  t = replaceLine(
    t,
    "  it('surfaces a 503 to the caller without retrying', async () => {",
    "  it('retries a 503 with the same idempotency key', async () => {",
  );
  t = replaceLine(
    t,
    '    await expect(new PaymentGateway(config).charge(req)).rejects.toMatchObject({ status: 503 });',
    "    await expect(new PaymentGateway(config).charge(req)).resolves.toMatchObject({ id: 'ch_2' });",
  );
  t = replaceLine(t, '    expect(fetch).toHaveBeenCalledTimes(1);', '    expect(fetch).toHaveBeenCalledTimes(2);');
  t = insertBeforeLast(
    t,
    '});',
    `
  it('waits out a gateway slower than 2 s instead of aborting', async () => {
    vi.useFakeTimers();
    const slow = new Promise<Response>((resolve) => setTimeout(() => resolve(ok('ch_3')), 2_400));
    vi.stubGlobal('fetch', vi.fn().mockReturnValue(slow));
    const charged = new PaymentGateway(config).charge(req);
    await vi.advanceTimersByTimeAsync(2_500);
    await expect(charged).resolves.toMatchObject({ id: 'ch_3' });
    vi.useRealTimers();
  });`,
  );
  return { [PAYMENTS_GATEWAY]: g, [PAYMENTS_GATEWAY_TEST]: t };
}

export function partialRefunds(read: Read): Changes {
  let r = read('src/payments/refunds.ts');
  r = insertAfter(
    r,
    '  chargeId: string;',
    '  /** Minor units; omit to refund the whole charge. */\n  amount?: number;',
  );
  r = insertAfter(
    r,
    'export async function refundCharge(gateway: RefundGateway, req: RefundRequest) {',
    "  if (req.amount !== undefined && (!Number.isInteger(req.amount) || req.amount <= 0)) {\n    throw new RangeError('amount must be a positive integer in minor units');\n  }",
  );
  return { 'src/payments/refunds.ts': r };
}

export function partialRefundsTest(read: Read): Changes {
  return {
    'test/payments/refunds.test.ts': insertBeforeLast(
      read('test/payments/refunds.test.ts'),
      '});',
      `
  it('rejects a partial refund of zero', async () => {
    const gateway = { refund: vi.fn() };
    await expect(refundCharge(gateway, { chargeId: 'ch_1', amount: 0, idempotencyKey: 'r2' })).rejects.toThrow(RangeError);
    expect(gateway.refund).not.toHaveBeenCalled();
  });`,
    ),
  };
}

export const REFUND_REASON_MIGRATION = 'migrations/0007_add_refund_reason.sql';

export function refundReason(read: Read): Changes {
  return {
    [REFUND_REASON_MIGRATION]: 'ALTER TABLE refunds ADD COLUMN reason TEXT NOT NULL;\n',
    'src/payments/refunds.ts': insertAfter(
      read('src/payments/refunds.ts'),
      '  amount?: number;',
      "  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';",
    ),
  };
}

export function refundReasonBackfill(): Changes {
  return {
    [REFUND_REASON_MIGRATION]: `-- Add nullable, backfill, then enforce: refunds already has rows in production.
ALTER TABLE refunds ADD COLUMN reason TEXT;
UPDATE refunds SET reason = 'requested_by_customer' WHERE reason IS NULL;
ALTER TABLE refunds ALTER COLUMN reason SET NOT NULL;
`,
  };
}

export function paymentsRunbook(): Changes {
  return {
    'docs/runbooks/payments-gateway.md': `# Runbook: payment gateway timeouts

Symptoms: \`gateway.charge.timeout\` above 1%, 5xx on \`POST /v1/charges\`, "payment_failed" in checkout.

1. Check the Acme Pay status page and the \`Checkout health\` dashboard.
2. If timeouts rise with provider latency, confirm \`GATEWAY_TIMEOUT_MS\` in \`src/payments/gateway.ts\` is
   still above the provider's p99 and that retries with backoff are on (ADR 0002).
3. Do not raise client-side retries: they amplify the load on a slow provider.
4. Page @acme/payments if the error rate stays above 2% for 10 minutes.
`,
  };
}

// ---- auth -----------------------------------------------------------------------------------------

/** The Cursor agent's change that signs people out (reverted a day later). */
export function authSimplifyRotation(read: Read): Changes {
  let s = read(AUTH_SESSION);
  s = replaceBlock(
    s,
    '\n// Parallel tabs refresh at the same time; the second one presents a token that was just rotated.\nconst REUSE_GRACE_MS = 30_000;\n',
    '',
  );
  s = replaceLine(
    s,
    '  if (session.rotatedAt && now - session.rotatedAt > REUSE_GRACE_MS) {',
    '  if (session.rotatedAt) {',
  );
  s = replaceLine(
    s,
    '    // A token used again long after rotation was probably stolen: end the whole family.',
    '    // A rotated token must never be presented again: end the whole family.',
  );
  return { [AUTH_SESSION]: s };
}

export function passkeys(): Changes {
  return {
    'src/auth/passkeys.ts': `import { randomBytes } from 'node:crypto';

const CHALLENGE_TTL_MS = 5 * 60_000;

export interface PasskeyChallenge {
  userId: string;
  challenge: string;
  expiresAt: number;
}

export function createChallenge(userId: string, now = Date.now()): PasskeyChallenge {
  return { userId, challenge: randomBytes(32).toString('base64url'), expiresAt: now + CHALLENGE_TTL_MS };
}

export function isChallengeValid(c: PasskeyChallenge, presented: string, now = Date.now()): boolean {
  return c.challenge === presented && now < c.expiresAt;
}
`,
  };
}

export function passkeysTest(): Changes {
  return {
    'test/auth/passkeys.test.ts': `import { describe, expect, it } from 'vitest';
import { createChallenge, isChallengeValid } from '../../src/auth/passkeys.js';

describe('passkey challenges', () => {
  it('expire after five minutes', () => {
    const c = createChallenge('u1', 0);
    expect(isChallengeValid(c, c.challenge, 4 * 60_000)).toBe(true);
    expect(isChallengeValid(c, c.challenge, 6 * 60_000)).toBe(false);
  });
});
`,
  };
}

export function passkeyMiddleware(read: Read): Changes {
  return {
    'src/auth/middleware.ts': replaceLine(
      read('src/auth/middleware.ts'),
      "    if (!req.account) throw new AuthError('invalid_token', 'missing or expired credentials');",
      "    // Passkey sessions carry the same account shape as password sessions.\n    if (!req.account) throw new AuthError('invalid_token', 'missing or expired credentials');",
    ),
  };
}

// ---- search ---------------------------------------------------------------------------------------

export function embeddingsClient(): Changes {
  return {
    'src/search/embeddings.ts': `const TIMEOUT_MS = 800;

export interface EmbeddingsClient {
  similarity(query: string, docId: string): Promise<number>;
}

export function embeddingsClient(baseUrl = process.env.EMBEDDINGS_URL ?? 'http://embeddings.internal'): EmbeddingsClient {
  return {
    async similarity(query, docId) {
      const url = \`\${baseUrl}/v1/similarity?q=\${encodeURIComponent(query)}&doc=\${docId}\`;
      const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) return 0;
      return ((await res.json()) as { score: number }).score;
    },
  };
}
`,
  };
}

const HYBRID_RANKING = `import { embeddingsClient, type EmbeddingsClient } from './embeddings.js';
import type { Doc } from './index.js';
import type { ParsedQuery } from './query.js';

const POPULARITY_WEIGHT = 0.15;
const SEMANTIC_WEIGHT = 0.3;
const defaultClient = embeddingsClient();

/** BM25 blended with semantic similarity (ADR 0003), nudged by popularity so best sellers win ties. */
export async function rank(docs: Doc[], query: ParsedQuery, embeddings: EmbeddingsClient = defaultClient): Promise<Doc[]> {
  const boost = query.exact ? 2 : 1;
  const text = query.terms.join(' ');
  const scored: Doc[] = [];
  for (const d of docs) {
    const semantic = await embeddings.similarity(text, d.id);
    const keyword = d.score * boost * (1 - SEMANTIC_WEIGHT);
    scored.push({ ...d, score: keyword + semantic * SEMANTIC_WEIGHT + Math.log1p(d.popularity) * POPULARITY_WEIGHT });
  }
  return scored.sort((a, b) => b.score - a.score);
}
`;

export function hybridRanking(read: Read): Changes {
  return {
    [SEARCH_RANKING]: HYBRID_RANKING,
    'test/search/ranking.test.ts': replaceLine(
      read('test/search/ranking.test.ts'),
      "    const out = await rank([doc('a', 1), doc('b', 3)], { terms: ['x'], exact: false });",
      "    const out = await rank([doc('a', 1), doc('b', 3)], { terms: ['x'], exact: false }, { similarity: async () => 0 });",
    ),
  };
}

export function hybridRankingAdr(): Changes {
  return { 'docs/adr/0003-hybrid-search-ranking.md': ADR_0003 };
}

/** The follow-up after the rollback: one batch call for at most 200 candidates. */
export function hybridRankingBatch(read: Read): Changes {
  let r = read(SEARCH_RANKING);
  r = replaceBlock(
    r,
    `  const scored: Doc[] = [];
  for (const d of docs) {
    const semantic = await embeddings.similarity(text, d.id);
    const keyword = d.score * boost * (1 - SEMANTIC_WEIGHT);
    scored.push({ ...d, score: keyword + semantic * SEMANTIC_WEIGHT + Math.log1p(d.popularity) * POPULARITY_WEIGHT });
  }
  return scored.sort((a, b) => b.score - a.score);`,
    `  const similarities = await embeddings.similarities(text, docs.map((d) => d.id));
  return docs
    .map((d, i) => {
      const keyword = d.score * boost * (1 - SEMANTIC_WEIGHT);
      return { ...d, score: keyword + (similarities[i] ?? 0) * SEMANTIC_WEIGHT + Math.log1p(d.popularity) * POPULARITY_WEIGHT };
    })
    .sort((a, b) => b.score - a.score);`,
  );
  let e = read('src/search/embeddings.ts');
  e = replaceLine(
    e,
    '  similarity(query: string, docId: string): Promise<number>;',
    '  similarity(query: string, docId: string): Promise<number>;\n  similarities(query: string, docIds: string[]): Promise<number[]>;',
  );
  e = insertBefore(
    e,
    '  };',
    `    async similarities(query, docIds) {
      const res = await fetch(\`\${baseUrl}/v1/similarity/batch\`, {
        method: 'POST',
        body: JSON.stringify({ q: query, docs: docIds }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) return docIds.map(() => 0);
      return ((await res.json()) as { scores: number[] }).scores;
    },`,
  );
  return {
    [SEARCH_RANKING]: r,
    'src/search/embeddings.ts': e,
    'src/search/index.ts': replaceLine(
      read('src/search/index.ts'),
      '  const candidates = await index.candidates(query.terms, params.filters ?? [], 1000);',
      '  const candidates = await index.candidates(query.terms, params.filters ?? [], 200);',
    ),
    'test/search/ranking.test.ts': replaceLine(
      read('test/search/ranking.test.ts'),
      "    const out = await rank([doc('a', 1), doc('b', 3)], { terms: ['x'], exact: false }, { similarity: async () => 0 });",
      "    const embeddings = { similarity: async () => 0, similarities: async (_q: string, ids: string[]) => ids.map(() => 0) };\n    const out = await rank([doc('a', 1), doc('b', 3)], { terms: ['x'], exact: false }, embeddings);",
    ),
  };
}

// ---- web ------------------------------------------------------------------------------------------

export function cartSummary(read: Read): Changes {
  let c = read('src/web/checkout.ts');
  c = replaceLine(
    c,
    'export function checkoutSummary(lines: CartLine[], currency: string) {',
    'export function checkoutSummary(lines: CartLine[], currency: string, opts: { taxRate: number; shipping: number }) {',
  );
  c = replaceLine(
    c,
    '    subtotal: formatMoney(subtotal, currency),',
    `    subtotal: formatMoney(subtotal, currency),
    tax: formatMoney(Math.round(subtotal * opts.taxRate), currency),
    shipping: opts.shipping === 0 ? 'Free' : formatMoney(opts.shipping, currency),
    total: formatMoney(subtotal + Math.round(subtotal * opts.taxRate) + opts.shipping, currency),`,
  );
  return { 'src/web/checkout.ts': c };
}

export function cartSummaryTest(): Changes {
  return {
    'test/web/checkout.test.ts': `import { describe, expect, it } from 'vitest';
import { checkoutSummary } from '../../src/web/checkout.js';

describe('checkoutSummary', () => {
  it('adds tax and shipping to the total', () => {
    const s = checkoutSummary([{ sku: 'a', title: 'Mug', quantity: 2, unitAmount: 1000 }], 'USD', { taxRate: 0.1, shipping: 500 });
    expect(s.total).toBe('$27.00');
  });
});
`,
  };
}

export function cartSummaryRounding(read: Read): Changes {
  let c = read('src/web/checkout.ts');
  c = replaceLine(
    c,
    '    tax: formatMoney(Math.round(subtotal * opts.taxRate), currency),',
    '    tax: formatMoney(tax, currency),',
  );
  c = replaceLine(
    c,
    '    total: formatMoney(subtotal + Math.round(subtotal * opts.taxRate) + opts.shipping, currency),',
    '    total: formatMoney(subtotal + tax + opts.shipping, currency),',
  );
  c = insertAfter(
    c,
    '  const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitAmount, 0);',
    '  // Tax is rounded per line, as on the invoice; rounding the total drifted by a cent on large carts.\n  const tax = lines.reduce((sum, l) => sum + Math.round(l.quantity * l.unitAmount * opts.taxRate), 0);',
  );
  return { 'src/web/checkout.ts': c };
}
