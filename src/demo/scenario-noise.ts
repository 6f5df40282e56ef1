// The everyday work around the demo's stories: routes, filters, copy, config tweaks, docs, tests and the
// small fixes that follow them. Each family edits its own files (never the story files), so the stories'
// lines stay traceable and feature-branch merges never conflict.
import type { DemoRepo } from './scenario-git.js';
import { insertAfter, insertBefore, insertBeforeLast, replaceLine } from './scenario-text.js';

export type Owner = 'maya' | 'jonas' | 'daniel' | 'priya';

export interface NoiseChange {
  subject: string;
  body?: string;
  owner: Owner;
  /** Dependency bumps and the like read oddly from a coding agent; keep them human. */
  humanOnly?: boolean;
  changes: Record<string, string | null>;
}

interface Fixable {
  file: string;
  from: string;
  to: string;
  subject: string;
  body?: string;
  owner: Owner;
  readyAfter: number;
}

interface Family {
  weight: number;
  next(): NoiseChange | undefined;
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^./, (c) => c.toUpperCase());

const RESOURCES = [
  'invoices',
  'customers',
  'payouts',
  'disputes',
  'webhooks',
  'plans',
  'coupons',
  'receipts',
  'subscriptions',
  'tax-rates',
  'balance-transactions',
  'events',
  'exports',
  'api-keys',
  'audit-logs',
  'shipping-rates',
  'payment-links',
  'price-lists',
  'credit-notes',
  'tax-ids',
];

const FILTER_FIELDS = [
  'brand',
  'category',
  'color',
  'size',
  'material',
  'seller',
  'locale',
  'availability',
  'condition',
  'collection',
  'season',
  'department',
  'rating',
  'warehouse',
  'origin',
];

const COPY: [key: string, text: string, better: string][] = [
  ['checkout.shipping', 'Shipping', 'Shipping & handling'],
  ['checkout.tax', 'Tax', 'Estimated tax'],
  ['checkout.total', 'Total', 'Order total'],
  ['checkout.promo.placeholder', 'Promo code', 'Gift card or promo code'],
  ['checkout.promo.invalid', 'That code is not valid', 'That code is not valid or has expired'],
  ['checkout.card.declined', 'Your card was declined.', 'Your card was declined. Try another card.'],
  ['checkout.card.expired', 'This card has expired.', 'This card has expired. Check the date or use another card.'],
  ['checkout.address.title', 'Shipping address', 'Where should we send it?'],
  ['checkout.email.label', 'Email for receipt', 'Email (we send the receipt here)'],
  ['checkout.processing', 'Processing payment…', 'Processing your payment — please keep this page open'],
  ['checkout.success', 'Thanks! Your order is confirmed.', 'Thanks! Your order is confirmed and on its way.'],
  ['search.empty', 'No results', 'No products match your search'],
  ['search.placeholder', 'Search products', 'Search 40,000+ products'],
  ['account.signin', 'Sign in', 'Sign in to your account'],
  [
    'account.session.expired',
    'Your session expired. Please sign in again.',
    'You were signed out. Please sign in again.',
  ],
];

const FORMATTERS: [name: string, subject: string, code: string, test: string][] = [
  [
    'formatPercent',
    'feat(web): format discounts as percentages',
    `export function formatPercent(value: number, locale = 'en-US'): string {\n  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);\n}`,
    `expect(format.formatPercent(0.125)).toBe('12.5%');`,
  ],
  [
    'formatDate',
    'feat(web): show order dates in the shopper locale',
    `export function formatDate(iso: string, locale = 'en-US'): string {\n  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));\n}`,
    `expect(format.formatDate('2026-06-01T00:00:00Z')).toBe('Jun 1, 2026');`,
  ],
  [
    'formatCardLast4',
    'feat(web): mask card numbers on the review step',
    `export function formatCardLast4(brand: string, last4: string): string {\n  return \`\${brand.toUpperCase()} •••• \${last4}\`;\n}`,
    `expect(format.formatCardLast4('visa', '4242')).toBe('VISA •••• 4242');`,
  ],
  [
    'formatQuantity',
    'feat(web): pluralise item counts in the cart',
    `export function formatQuantity(n: number): string {\n  return n === 1 ? '1 item' : \`\${n} items\`;\n}`,
    `expect(format.formatQuantity(3)).toBe('3 items');`,
  ],
  [
    'formatWeight',
    'feat(web): show parcel weight for heavy items',
    `export function formatWeight(grams: number): string {\n  return grams >= 1000 ? \`\${(grams / 1000).toFixed(1)} kg\` : \`\${grams} g\`;\n}`,
    `expect(format.formatWeight(2500)).toBe('2.5 kg');`,
  ],
  [
    'formatDeliveryWindow',
    'feat(web): render delivery windows',
    `export function formatDeliveryWindow(minDays: number, maxDays: number): string {\n  return minDays === maxDays ? \`\${minDays} days\` : \`\${minDays}–\${maxDays} days\`;\n}`,
    `expect(format.formatDeliveryWindow(2, 4)).toBe('2–4 days');`,
  ],
];

// Each knob only ever moves one way (teams tune towards something), a few times at most.
const CONFIG_KNOBS: [key: string, label: string, step: number, unit: string, owner: Owner][] = [
  ['searchPageSize', 'search page size', 4, '', 'priya'],
  ['cacheTtlSeconds', 'catalog cache TTL', 60, 's', 'priya'],
  ['rateLimitPerMinute', 'API rate limit', 150, '/min', 'jonas'],
  ['webhookTimeoutMs', 'webhook delivery timeout', -1000, 'ms', 'jonas'],
  ['exportBatchSize', 'export batch size', 250, '', 'jonas'],
  ['sessionTtlMinutes', 'session lifetime', 30, ' min', 'daniel'],
];
const MAX_CONFIG_CHANGES = 3;

const CURRENCY_CODES = ['GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'JPY'];

const AUTH_FILES: [path: string, subject: string, body: string, content: string, fix?: [string, string, string]][] = [
  [
    'src/auth/lockout.ts',
    'feat(auth): lock sign-in after repeated failures',
    'Ten failed attempts within 15 minutes lock the account for 15 minutes.',
    `const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES = 10;

export interface FailureStore {
  recent(key: string, sinceMs: number): Promise<number>;
  record(key: string, at: number): Promise<void>;
}

export async function isLockedOut(store: FailureStore, ip: string, now = Date.now()): Promise<boolean> {
  return (await store.recent(\`signin:\${ip}\`, now - WINDOW_MS)) >= MAX_FAILURES;
}
`,
    [
      '  return (await store.recent(`signin:${ip}`, now - WINDOW_MS)) >= MAX_FAILURES;',
      '  return (await store.recent(`signin:${ip.toLowerCase()}`, now - WINDOW_MS)) >= MAX_FAILURES;',
      'fix(auth): normalise lockout keys',
    ],
  ],
  [
    'src/auth/audit.ts',
    'feat(auth): audit log for session revocations',
    'Support needs to see why a customer was signed out.',
    `import { logger } from '../lib/logger.js';

export type AuditEvent = 'session.revoked' | 'session.family_revoked' | 'apikey.created' | 'apikey.deleted';

export function audit(event: AuditEvent, subject: string, detail: Record<string, unknown> = {}): void {
  logger.info({ audit: true, event, subject, ...detail }, event);
}
`,
  ],
  [
    'src/auth/keys.ts',
    'feat(auth): load token signing keys from KMS',
    '',
    `export interface SigningKey {
  kid: string;
  secret: Buffer;
  notAfter: number;
}

let cache: { keys: SigningKey[]; loadedAt: number } | undefined;
const CACHE_MS = 5 * 60_000;

export async function signingKeys(load: () => Promise<SigningKey[]>, now = Date.now()): Promise<SigningKey[]> {
  if (!cache || now - cache.loadedAt > CACHE_MS) cache = { keys: await load(), loadedAt: now };
  return cache.keys.filter((k) => k.notAfter > now);
}
`,
    [
      '  return cache.keys.filter((k) => k.notAfter > now);',
      '  // Keep keys a minute past expiry so tokens signed just before rotation still verify.\n  return cache.keys.filter((k) => k.notAfter + 60_000 > now);',
      'fix(auth): accept tokens signed just before key rotation',
    ],
  ],
];

const SESSION_TESTS: [subject: string, block: string][] = [
  [
    'test(auth): rejects revoked sessions',
    `  it('rejects a revoked session', async () => {\n    const s = store({ id: 's1', userId: 'u1', familyId: 'f1', revokedAt: 5 });\n    await expect(rotateRefreshToken(s, 'tok', 10)).rejects.toThrow('not valid');\n  });`,
  ],
  [
    'test(auth): rejects unknown refresh tokens',
    `  it('rejects an unknown token', async () => {\n    await expect(rotateRefreshToken(store(undefined), 'nope')).rejects.toThrow('not valid');\n  });`,
  ],
];

const MIGRATIONS: [path: string, subject: string, owner: Owner, sql: string][] = [
  [
    'migrations/0008_charges_created_at_idx.sql',
    'perf(db): index charges by account and creation time',
    'jonas',
    'CREATE INDEX CONCURRENTLY charges_account_created ON charges (account_id, created_at DESC);\n',
  ],
  [
    'migrations/0009_webhook_deliveries.sql',
    'feat(db): table for webhook delivery attempts',
    'jonas',
    'CREATE TABLE webhook_deliveries (\n  id BIGSERIAL PRIMARY KEY,\n  account_id TEXT NOT NULL REFERENCES accounts(id),\n  event TEXT NOT NULL,\n  status INTEGER,\n  attempted_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n',
  ],
  [
    'migrations/0010_api_keys_last_used.sql',
    'feat(db): remember when an API key was last used',
    'daniel',
    'ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMPTZ;\n',
  ],
  [
    'migrations/0011_charges_currency_check.sql',
    'feat(db): constrain charge currencies to three letters',
    'maya',
    "ALTER TABLE charges ADD CONSTRAINT charges_currency_iso CHECK (currency ~ '^[A-Z]{3}$');\n",
  ],
];

const API_ERRORS: [subject: string, apply: (s: string) => string][] = [
  [
    'fix(api): answer 400 for validation errors',
    (s) =>
      insertBefore(
        s,
        "  req.log.error({ err }, 'unhandled error');",
        "  if (err instanceof RangeError) {\n    return reply.code(400).send({ error: 'invalid_request', message: err.message });\n  }",
      ),
  ],
  [
    'feat(api): echo the request id in error responses',
    (s) =>
      replaceLine(
        s,
        "  return reply.code(500).send({ error: 'internal' });",
        "  return reply.code(500).send({ error: 'internal', requestId: req.id });",
      ),
  ],
];

const SYNONYMS: [from: string, to: string][] = [
  ['couch', 'sofa'],
  ['tee', 't-shirt'],
  ['sneakers', 'trainers'],
  ['hoodie', 'sweatshirt'],
  ['laptop', 'notebook'],
];

const PAYMENT_METHODS: [id: string, label: string][] = [
  ['sepa_debit', 'SEPA Direct Debit'],
  ['ideal', 'iDEAL'],
  ['bancontact', 'Bancontact'],
  ['apple_pay', 'Apple Pay'],
  ['google_pay', 'Google Pay'],
  ['klarna', 'Klarna'],
  ['paypal', 'PayPal'],
];

const CHARGE_TESTS: [subject: string, block: string][] = [
  [
    'test(payments): cover currency normalisation',
    `  it('upper-cases the currency before charging', async () => {\n    const { svc, gateway } = service();\n    await svc.create('acc_1', { amount: 500, currency: 'eur', method: 'card', source: 'tok' });\n    expect(gateway.charge).toHaveBeenCalledWith(expect.objectContaining({ currency: 'EUR' }));\n  });`,
  ],
  [
    'test(payments): cover generated idempotency keys',
    `  it('generates an idempotency key when none is given', async () => {\n    const { svc, gateway } = service();\n    await svc.create('acc_1', { amount: 500, currency: 'usd', method: 'card', source: 'tok' });\n    expect(gateway.charge.mock.calls[0]?.[0].idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);\n  });`,
  ],
  [
    'test(payments): cover persistence of the gateway result',
    `  it('stores the charge with its amount', async () => {\n    const { svc, repo } = service();\n    await svc.create('acc_1', { amount: 750, currency: 'gbp', method: 'card', source: 'tok' });\n    expect(repo.insert).toHaveBeenCalledWith('acc_1', expect.objectContaining({ amount: 750, currency: 'GBP' }));\n  });`,
  ],
  [
    'test(payments): reject zero amounts',
    `  it('rejects a zero amount', async () => {\n    await expect(service().svc.create('acc_1', { amount: 0, currency: 'eur', method: 'card', source: 'tok' })).rejects.toThrow(RangeError);\n  });`,
  ],
];

const README_SECTIONS: [subject: string, text: string][] = [
  [
    'docs: list the environment variables',
    `## Environment\n\n| Variable | Default | Meaning |\n| --- | --- | --- |\n| \`PORT\` | 8080 | HTTP port |\n| \`DATABASE_URL\` | — | Postgres connection string |\n| \`REDIS_URL\` | — | Redis for sessions and rate limits |\n| \`ACME_PAY_API_KEY\` | — | card gateway secret key |\n`,
  ],
  [
    'docs: describe dashboards and alerts',
    `## Observability\n\nMetrics go to StatsD with the \`storefront.\` prefix. The \`Checkout health\` dashboard shows charge\nlatency, gateway errors and 5xx by route; alerts page the payments on-call through PagerDuty.\n`,
  ],
  [
    'docs: how we use coding agents here',
    `## Working with coding agents\n\nClaude Code, Cursor and Copilot all work in this repository. Agents open pull requests like everyone\nelse; a human reviews and merges. Read \`docs/adr/\` before changing payments or auth.\n`,
  ],
  [
    'docs: on-call handbook pointers',
    `## On-call\n\nRunbooks live in \`docs/runbooks/\`. Write a post-mortem for every SEV1/SEV2 within five working days.\n`,
  ],
  [
    'docs: explain feature flags',
    `## Feature flags\n\nFlags are read from LaunchDarkly at startup and refreshed every 30 s. Remove a flag within two\nsprints of reaching 100%.\n`,
  ],
];

const REDACTIONS: [path: string, subject: string][] = [
  ["'req.body.source'", 'chore(logging): redact payment sources from request logs'],
  ["'req.body.password'", 'chore(logging): redact passwords on sign-in requests'],
  ["'*.apiKey'", 'chore(logging): redact API keys anywhere in log objects'],
  ['\'res.headers["set-cookie"]\'', 'chore(logging): redact session cookies in responses'],
];

const CI_EDITS: [subject: string, apply: (yml: string) => string][] = [
  ['ci: run lint before deploying', (y) => insertAfter(y, '      - run: npm ci', '      - run: npm run lint')],
  [
    'ci: time out stuck deploys after 20 minutes',
    (y) => insertAfter(y, '    runs-on: ubuntu-latest', '    timeout-minutes: 20'),
  ],
  [
    'ci: never run two production deploys at once',
    (y) =>
      insertBefore(y, 'jobs:', 'concurrency:\n  group: deploy-${{ inputs.environment }}\n  cancel-in-progress: false'),
  ],
];

const STOP_WORDS = ['and', 'of', 'in', 'on', 'to'];

/** Draws everyday commits in a plausible mix; `rnd` is the scenario's seeded PRNG. */
export class NoiseSource {
  private readonly families: Family[];
  private readonly fixables: Fixable[] = [];
  private readonly routed: string[] = [];
  private made = 0;

  constructor(
    private readonly repo: DemoRepo,
    private readonly rnd: () => number,
  ) {
    this.families = [
      { weight: 5, next: () => this.route() },
      { weight: 2, next: () => this.writeScope() },
      { weight: 4, next: () => this.filter() },
      { weight: 3, next: () => this.copy() },
      { weight: 2, next: () => this.formatter() },
      { weight: 3, next: () => this.config() },
      { weight: 2, next: () => this.paymentMethod() },
      { weight: 2, next: () => this.chargeTest() },
      { weight: 2, next: () => this.readme() },
      { weight: 1, next: () => this.redaction() },
      { weight: 1, next: () => this.ci() },
      { weight: 1, next: () => this.stopWord() },
      { weight: 2, next: () => this.currency() },
      { weight: 2, next: () => this.authFile() },
      { weight: 1, next: () => this.sessionTest() },
      { weight: 2, next: () => this.migration() },
      { weight: 1, next: () => this.apiError() },
      { weight: 2, next: () => this.synonym() },
      { weight: 6, next: () => this.fix() },
    ];
  }

  next(): NoiseChange {
    for (let tries = 0; tries < 50; tries++) {
      const total = this.families.reduce((s, f) => s + f.weight, 0);
      let pick = this.rnd() * total;
      const family = this.families.find((f) => (pick -= f.weight) < 0) ?? this.families[0];
      const change = family?.next();
      if (change) {
        this.made++;
        return change;
      }
    }
    for (const family of this.families) {
      const change = family.next();
      if (change) {
        this.made++;
        return change;
      }
    }
    throw new Error('demo: every kind of everyday change is used up; plan fewer commits or add recipes');
  }

  // The pools are module constants shared by every build; each source walks them with its own cursor.
  private readonly cursors = new Map<readonly unknown[], number>();

  private take<T>(pool: readonly T[]): T | undefined {
    const i = this.cursors.get(pool) ?? 0;
    if (i >= pool.length) return undefined;
    this.cursors.set(pool, i + 1);
    return pool[i];
  }

  private read(path: string): string {
    return this.repo.read(path);
  }

  private route(): NoiseChange | undefined {
    const r = this.take(RESOURCES);
    if (!r) return undefined;
    const routes = this.read('src/api/routes.ts');
    const listLine = `    return services.${camel(r)}.list(req.account.id, parsePage(req.query));`;
    const block = `  app.get('/v1/${r}', { preHandler: requireScope('${r}:read') }, async (req) => {\n${listLine}\n  });\n`;
    const changes: Record<string, string> = {
      'src/api/routes.ts': insertBefore(routes, '  return app;', block),
      'src/auth/scopes.ts': insertBefore(this.read('src/auth/scopes.ts'), '] as const;', `  '${r}:read',`),
    };
    if (this.rnd() < 0.6) {
      changes['test/api/routes.test.ts'] = insertBeforeLast(
        this.read('test/api/routes.test.ts'),
        '});',
        `\n  it('lists ${r} for the calling account', async () => {\n    const res = await app.inject({ method: 'GET', url: '/v1/${r}', headers: auth('${r}:read') });\n    expect(res.statusCode).toBe(200);\n  });`,
      );
    }
    this.fixables.push({
      file: 'src/api/routes.ts',
      from: listLine,
      to: `    return services.${camel(r)}.list(req.account.id, parsePage(req.query, { maxLimit: 100 }));`,
      subject: `fix(api): cap page size on GET /v1/${r}`,
      body: 'Large pages time out behind the load balancer; 100 is what the web client asks for anyway.',
      owner: 'jonas',
      readyAfter: this.made + 8,
    });
    this.routed.push(r);
    return {
      subject: `feat(api): add GET /v1/${r}`,
      owner: this.rnd() < 0.7 ? 'jonas' : 'daniel',
      changes,
    };
  }

  private writeScope(): NoiseChange | undefined {
    const r = this.routed.shift();
    if (!r) return undefined;
    return {
      subject: `feat(auth): add ${r}:write scope`,
      body: `Lets API keys manage ${r.replace(/-/g, ' ')} without the admin scope.`,
      owner: 'daniel',
      changes: {
        'src/auth/scopes.ts': insertAfter(this.read('src/auth/scopes.ts'), `  '${r}:read',`, `  '${r}:write',`),
      },
    };
  }

  private filter(): NoiseChange | undefined {
    const f = this.take(FILTER_FIELDS);
    if (!f) return undefined;
    const valueLine = `  return { field: '${f}', op: 'eq', value: value.trim() };`;
    const fn = `\nexport function by${pascal(f)}(value: string): Filter {\n${valueLine}\n}\n`;
    const changes: Record<string, string> = { 'src/search/filters.ts': `${this.read('src/search/filters.ts')}${fn}` };
    if (this.rnd() < 0.7) {
      changes['test/search/filters.test.ts'] = insertBeforeLast(
        this.read('test/search/filters.test.ts'),
        '});',
        `\n  it('filters by ${f}', () => {\n    expect(filters.by${pascal(f)}(' x ')).toMatchObject({ field: '${f}', op: 'eq' });\n  });`,
      );
    }
    this.fixables.push({
      file: 'src/search/filters.ts',
      from: valueLine,
      to: `  return { field: '${f}', op: 'eq', value: value.trim().toLowerCase() };`,
      subject: `fix(search): match ${f} filter case-insensitively`,
      owner: 'priya',
      readyAfter: this.made + 10,
    });
    return { subject: `feat(search): filter results by ${f}`, owner: 'priya', changes };
  }

  private copy(): NoiseChange | undefined {
    const item = this.take(COPY);
    if (!item) return undefined;
    const [key, text, better] = item;
    const line = `  '${key}': '${text}',`;
    this.fixables.push({
      file: 'src/web/messages.ts',
      from: line,
      to: `  '${key}': '${better}',`,
      subject: `fix(web): clearer copy for ${key}`,
      body: 'From the June usability sessions.',
      owner: 'priya',
      readyAfter: this.made + 12,
    });
    return {
      subject: `feat(web): add copy for ${key}`,
      owner: key.startsWith('checkout.card') || key === 'checkout.processing' ? 'maya' : 'priya',
      changes: { 'src/web/messages.ts': insertBefore(this.read('src/web/messages.ts'), '} as const;', line) },
    };
  }

  private formatter(): NoiseChange | undefined {
    const item = this.take(FORMATTERS);
    if (!item) return undefined;
    const [name, subject, code, test] = item;
    return {
      subject,
      owner: 'priya',
      changes: {
        'src/web/format.ts': `${this.read('src/web/format.ts')}\n${code}\n`,
        'test/web/format.test.ts': insertBeforeLast(
          this.read('test/web/format.test.ts'),
          '});',
          `\n  it('${name}', () => {\n    ${test}\n  });`,
        ),
      },
    };
  }

  private readonly configChanges = new Map<string, number>();

  private config(): NoiseChange | undefined {
    const knob = CONFIG_KNOBS[Math.floor(this.rnd() * CONFIG_KNOBS.length)];
    if (!knob) return undefined;
    const [key, label, step, unit, owner] = knob;
    const done = this.configChanges.get(key) ?? 0;
    if (done >= MAX_CONFIG_CHANGES) return undefined;
    const content = this.read('src/lib/config.ts');
    const m = new RegExp(`^  ${key}: (\\d+),$`, 'm').exec(content);
    if (!m) return undefined;
    const current = Number(m[1]);
    const value = current + step;
    this.configChanges.set(key, done + 1);
    return {
      subject: `chore(config): ${step > 0 ? 'raise' : 'lower'} ${label} to ${value}${unit}`,
      owner,
      changes: { 'src/lib/config.ts': replaceLine(content, `  ${key}: ${current},`, `  ${key}: ${value},`) },
    };
  }

  private currency(): NoiseChange | undefined {
    const code = this.take(CURRENCY_CODES);
    if (!code) return undefined;
    const content = this.read('src/payments/types.ts');
    const m = /^export const CURRENCIES = new Set\(\[(.*)\]\);$/m.exec(content);
    if (!m) return undefined;
    return {
      subject: `feat(payments): accept charges in ${code}`,
      owner: this.rnd() < 0.7 ? 'maya' : 'jonas',
      changes: {
        'src/payments/types.ts': replaceLine(content, m[0], `export const CURRENCIES = new Set([${m[1]}, '${code}']);`),
      },
    };
  }

  private authFile(): NoiseChange | undefined {
    const item = this.take(AUTH_FILES);
    if (!item) return undefined;
    const [path, subject, body, content, fix] = item;
    if (fix) {
      const [from, to, fixSubject] = fix;
      this.fixables.push({ file: path, from, to, subject: fixSubject, owner: 'daniel', readyAfter: this.made + 15 });
    }
    return { subject, ...(body ? { body } : {}), owner: 'daniel', changes: { [path]: content } };
  }

  private sessionTest(): NoiseChange | undefined {
    const item = this.take(SESSION_TESTS);
    if (!item) return undefined;
    const [subject, block] = item;
    const path = 'test/auth/session.test.ts';
    return { subject, owner: 'daniel', changes: { [path]: insertBeforeLast(this.read(path), '});', `\n${block}`) } };
  }

  private migration(): NoiseChange | undefined {
    // Numbering follows the story's 0007 migration, so these wait until it exists.
    if (!this.repo.has('migrations/0007_add_refund_reason.sql')) return undefined;
    const item = this.take(MIGRATIONS);
    if (!item) return undefined;
    const [path, subject, owner, sql] = item;
    return { subject, owner, humanOnly: true, changes: { [path]: sql } };
  }

  private apiError(): NoiseChange | undefined {
    const item = this.take(API_ERRORS);
    if (!item) return undefined;
    const [subject, apply] = item;
    const path = 'src/api/errors.ts';
    return { subject, owner: 'jonas', changes: { [path]: apply(this.read(path)) } };
  }

  private synonym(): NoiseChange | undefined {
    const pair = this.take(SYNONYMS);
    if (!pair) return undefined;
    const [from, to] = pair;
    const path = 'src/search/synonyms.ts';
    const entry = `  ['${from}', '${to}'],`;
    const content = this.repo.has(path)
      ? insertBefore(this.read(path), ']);', entry)
      : `// Query-time synonyms: the left term also searches for the right one.\nexport const SYNONYMS = new Map<string, string>([\n${entry}\n]);\n`;
    return {
      subject: this.repo.has(path) ? `feat(search): treat "${from}" as "${to}"` : 'feat(search): query-time synonyms',
      owner: this.rnd() < 0.5 ? 'priya' : 'jonas',
      changes: { [path]: content },
    };
  }

  private paymentMethod(): NoiseChange | undefined {
    const item = this.take(PAYMENT_METHODS);
    if (!item) return undefined;
    const [id, label] = item;
    return {
      subject: `feat(payments): accept ${label}`,
      body: `Acme Pay supports ${label} on the same charges endpoint; only the method value changes.`,
      owner: 'maya',
      changes: {
        'src/payments/types.ts': insertBefore(this.read('src/payments/types.ts'), '] as const;', `  '${id}',`),
      },
    };
  }

  private chargeTest(): NoiseChange | undefined {
    const item = this.take(CHARGE_TESTS);
    if (!item) return undefined;
    const [subject, block] = item;
    return {
      subject,
      owner: 'maya',
      changes: {
        'test/payments/charge.test.ts': insertBeforeLast(
          this.read('test/payments/charge.test.ts'),
          '});',
          `\n${block}`,
        ),
      },
    };
  }

  private readme(): NoiseChange | undefined {
    const item = this.take(README_SECTIONS);
    if (!item) return undefined;
    const [subject, text] = item;
    return {
      subject,
      owner: 'jonas',
      humanOnly: true,
      changes: { 'README.md': `${this.read('README.md')}\n${text}` },
    };
  }

  private redaction(): NoiseChange | undefined {
    const item = this.take(REDACTIONS);
    if (!item) return undefined;
    const [path, subject] = item;
    return {
      subject,
      owner: 'jonas',
      changes: { 'src/lib/logger.ts': insertBefore(this.read('src/lib/logger.ts'), '  ],', `    ${path},`) },
    };
  }

  private ci(): NoiseChange | undefined {
    const item = this.take(CI_EDITS);
    if (!item) return undefined;
    const [subject, apply] = item;
    const path = '.github/workflows/deploy.yml';
    return { subject, owner: 'jonas', humanOnly: true, changes: { [path]: apply(this.read(path)) } };
  }

  private stopWord(): NoiseChange | undefined {
    const w = this.take(STOP_WORDS);
    if (!w) return undefined;
    const content = this.read('src/search/query.ts');
    const m = /^const STOP_WORDS = new Set\(\[(.*)\]\);$/m.exec(content);
    if (!m) return undefined;
    return {
      subject: `fix(search): ignore "${w}" as a stop word`,
      owner: 'priya',
      changes: {
        'src/search/query.ts': replaceLine(content, m[0], `const STOP_WORDS = new Set([${m[1]}, '${w}']);`),
      },
    };
  }

  private fix(): NoiseChange | undefined {
    const i = this.fixables.findIndex((f) => f.readyAfter <= this.made);
    if (i < 0) return undefined;
    const [f] = this.fixables.splice(i, 1);
    if (!f) return undefined;
    return {
      subject: f.subject,
      ...(f.body ? { body: f.body } : {}),
      owner: f.owner,
      changes: { [f.file]: replaceLine(this.read(f.file), f.from, f.to) },
    };
  }
}
