import type { Category } from '../../src/triage/categorize.js';

/** One realistic entry and the problem it is about (the ground truth the clusters are measured against). */
export interface CorpusEntry {
  group: string;
  category: Category;
  summary: string;
  detail?: string;
  paths?: string[];
}

/**
 * How agents and reviewers actually phrase recurring problems: the same problem in different words, and
 * different problems sharing a category, a module and even words (payments retries vs payments currencies,
 * migrations vs secrets, e2e flakes vs typecheck memory).
 */
export const CORPUS: CorpusEntry[] = [
  // payments: idempotency keys on retries
  {
    group: 'idempotency',
    category: 'missing_context',
    summary: 'Should the gateway retry reuse the same idempotency key or generate a new one per attempt?',
    paths: ['src/payments/gateway.ts'],
  },
  {
    group: 'idempotency',
    category: 'missing_context',
    summary: "Didn't know whether retrying a failed charge needs an idempotency key header",
    paths: ['src/payments/retry.ts'],
  },
  {
    group: 'idempotency',
    category: 'missing_context',
    summary: 'Is it safe to retry a payment charge after a gateway timeout, or could it double charge the customer?',
    paths: ['src/payments/charge.ts', 'src/payments/gateway.ts'],
  },
  {
    group: 'idempotency',
    category: 'missing_context',
    summary: 'Not sure if refund retries need an idempotency key like charges do',
    paths: ['src/payments/refunds.ts'],
  },
  {
    group: 'idempotency',
    category: 'missing_context',
    summary: 'Which key prevents duplicate charges when the retry wrapper calls Acme Pay again?',
    detail: 'retry.ts wraps gateway.charge; unclear if the idempotency-key header is set per charge or per attempt',
    paths: ['src/payments/retry.ts'],
  },
  // payments: settlement currencies
  {
    group: 'currencies',
    category: 'missing_context',
    summary: 'Which currencies does Acme Pay settle for us? The list of ISO codes is not documented',
    paths: ['src/payments/types.ts'],
  },
  {
    group: 'currencies',
    category: 'missing_context',
    summary: 'Where is the list of supported settlement currency codes kept?',
    paths: ['src/payments/types.ts'],
  },
  {
    group: 'currencies',
    category: 'missing_context',
    summary: 'Agent did not know that JPY is settled without minor units; the currency list says nothing',
    paths: ['src/payments/types.ts', 'src/payments/charge.ts'],
  },
  // auth: refresh token rotation
  {
    group: 'refresh',
    category: 'missing_context',
    summary: 'Where is the session refresh token rotated, and should parallel tabs share one?',
    paths: ['src/auth/session.ts'],
  },
  {
    group: 'refresh',
    category: 'missing_context',
    summary: 'How long is the grace window after a refresh token rotation for concurrent requests?',
    paths: ['src/auth/session.ts'],
  },
  {
    group: 'refresh',
    category: 'missing_context',
    summary: "Didn't know refresh tokens are single use: rotated tokens presented twice revoke the session family",
    paths: ['src/auth/session.ts', 'src/auth/middleware.ts'],
  },
  // api: error envelope convention
  {
    group: 'errors',
    category: 'missing_context',
    summary: 'Which convention do API error responses follow: problem+json or our own envelope?',
    paths: ['src/api/errors.ts'],
  },
  {
    group: 'errors',
    category: 'missing_context',
    summary: 'What shape should a 422 error response body have? Found two different error formats in routes',
    paths: ['src/api/routes.ts', 'src/api/errors.ts'],
  },
  {
    group: 'errors',
    category: 'missing_context',
    summary: 'Undocumented decision: error codes in the response envelope are snake_case or camelCase?',
    paths: ['src/api/errors.ts'],
  },
  // policy: production migrations need approval
  {
    group: 'migrations',
    category: 'policy_gap',
    summary: 'Agent added a migration that alters the charges table in production without approval',
    paths: ['migrations/0007_charges_status_index.sql'],
  },
  {
    group: 'migrations',
    category: 'policy_gap',
    summary: 'Agent ran the database migration against the prod DB instead of staging',
    paths: ['migrations/0006_charges_method.sql'],
  },
  {
    group: 'migrations',
    category: 'policy_gap',
    summary:
      'Edited an already applied migration file; production schema changes need sign-off and must not be rewritten',
    paths: ['migrations/0005_api_keys.sql'],
  },
  {
    group: 'migrations',
    category: 'policy_gap',
    summary: 'Agent tried to apply a schema migration to production without the platform team approving it',
    paths: ['migrations/0008_refunds_reason.sql'],
  },
  // policy: secrets
  {
    group: 'secrets',
    category: 'policy_gap',
    summary: 'Agent committed a .env file with the Acme Pay secret key',
    paths: ['.env'],
  },
  {
    group: 'secrets',
    category: 'policy_gap',
    summary: 'Agent pasted the production API key into a test fixture; secrets must never be committed',
    paths: ['test/fixtures/pay.json'],
  },
  {
    group: 'secrets',
    category: 'policy_gap',
    summary: 'Logged the customer card token and the gateway secret in debug output',
    detail: 'logger.debug printed the whole request including the secret key',
    paths: ['src/lib/logger.ts'],
  },
  // tools: flaky e2e
  {
    group: 'e2e',
    category: 'tool_failure',
    summary: 'npm run e2e timed out on the checkout spec; is the suite flaky or did I break it?',
    detail: 'Error: Timeout of 30000ms exceeded in checkout.spec.ts',
    paths: ['test/e2e/checkout.spec.ts'],
  },
  {
    group: 'e2e',
    category: 'tool_failure',
    summary: 'The end-to-end tests fail intermittently with a timeout waiting for the checkout page',
    paths: ['test/e2e/checkout.spec.ts'],
  },
  {
    group: 'e2e',
    category: 'tool_failure',
    summary: 'e2e checkout spec timed out twice in a row, passes on rerun',
    paths: ['test/e2e/checkout.spec.ts'],
  },
  {
    group: 'e2e',
    category: 'tool_failure',
    summary: 'Flaky e2e run: checkout test hangs until the 30 s timeout, then the retry passes',
  },
  // tools: typecheck out of memory
  {
    group: 'typecheck',
    category: 'tool_failure',
    summary: 'npm run typecheck crashed with JavaScript heap out of memory',
    detail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  },
  {
    group: 'typecheck',
    category: 'tool_failure',
    summary: 'tsc runs out of memory on the full project; had to raise max-old-space-size',
  },
  {
    group: 'typecheck',
    category: 'tool_failure',
    summary: 'Type checking the repository fails with a heap limit allocation error (OOM)',
  },
  // spec: search ranking
  {
    group: 'ranking',
    category: 'ambiguous_spec',
    summary: 'Ticket says boost in-stock items but also keep relevance first; which of the two wins in search ranking?',
    paths: ['src/search/ranking.ts'],
  },
  {
    group: 'ranking',
    category: 'ambiguous_spec',
    summary: 'Unclear whether out-of-stock products should be ranked lower or hidden from search results',
    paths: ['src/search/ranking.ts'],
  },
];
