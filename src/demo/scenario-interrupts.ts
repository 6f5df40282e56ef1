// The demo's triage-loop inputs: two weeks of agent tasks and the interrupts and corrections they raised, in
// the `hindsight interrupts import` JSON format ({ "tasks": [...], "interrupts": [...] }). Three problems recur:
// agents not knowing that payment retries need idempotency keys (ADR-0002 answers it, yet they keep asking),
// agents touching production database migrations without approval (a policy gap: a rule), and a flaky
// `npm run e2e` (a tool failure: a skill). Everything derives from `now`: same `now` → same file.

/** A task row as `interrupts import` reads it from the "tasks" list. */
export interface DemoTask {
  id: string;
  agent: string;
  title: string;
  started_at: string;
  finished_at?: string;
  outcome?: 'completed' | 'failed' | 'abandoned';
}

/** An interrupt/correction row as `interrupts import` reads it. */
export interface DemoInterrupt {
  id: string;
  kind: 'interrupt' | 'correction';
  category?: 'missing_context' | 'policy_gap' | 'tool_failure' | 'ambiguous_spec' | 'other';
  summary: string;
  detail?: string;
  paths?: string[];
  task_id?: string;
  agent: string;
  source: 'human' | 'agent';
  created_at: string;
  responded_at?: string;
  resolved_at?: string;
  response?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN = 60_000;

const AGENTS = ['claude', 'cursor', 'copilot'] as const;
const TITLES = [
  'Add retry to refund webhook handler',
  'Paginate the orders endpoint',
  'Fix currency rounding in checkout totals',
  'Rotate refresh tokens on every use',
  'Boost in-stock items in search ranking',
  'Add charge method column',
  'Tidy up API error responses',
  'Speed up catalog search filters',
  'Retry gateway charges on 5xx',
  'Add metrics to the session middleware',
  'Upgrade the Postgres client',
  'Format prices per locale on the web',
];

interface Plan {
  day: number; // days before now
  task: number; // task index that day
  kind: DemoInterrupt['kind'];
  category?: DemoInterrupt['category'];
  summary: string;
  detail?: string;
  paths?: string[];
  source?: DemoInterrupt['source'];
  /** minutes until a human answered; undefined: still waiting */
  answerAfter?: number;
  response?: string;
}

const IDEMPOTENCY =
  'Yes: every retry reuses the charge’s idempotency key; read docs/adr/0002-idempotency-keys-for-payment-retries.md.';
const MIGRATIONS =
  'Never run or edit migrations against production yourself: open a PR and get platform on-call approval.';
const E2E = 'Known flake: the e2e server needs a warm-up; run `npm run e2e -- --retries=2` after `npm run build`.';

// Two weeks: the previous week heavier on the three recurring problems, this week lighter but still recurring.
const PLANS: Plan[] = [
  // ---- previous week (days 13..7)
  {
    day: 13,
    task: 0,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Should the gateway retry reuse the same idempotency key or generate a new one per attempt?',
    paths: ['src/payments/gateway.ts'],
    answerAfter: 95,
    response: IDEMPOTENCY,
  },
  {
    day: 13,
    task: 1,
    kind: 'interrupt',
    category: 'tool_failure',
    summary: 'npm run e2e timed out on the checkout spec; is the suite flaky or did I break it?',
    detail: 'Error: Timeout of 30000ms exceeded in checkout.spec.ts',
    paths: ['test/e2e/checkout.spec.ts'],
    answerAfter: 40,
    response: E2E,
  },
  {
    day: 12,
    task: 0,
    kind: 'correction',
    category: 'policy_gap',
    summary: 'Agent added a new migration that alters the charges table in production without approval',
    paths: ['migrations/0007_charges_status_index.sql'],
    source: 'human',
    answerAfter: 5,
    response: MIGRATIONS,
  },
  {
    day: 12,
    task: 2,
    kind: 'interrupt',
    category: 'ambiguous_spec',
    summary: 'Ticket says boost in-stock items but also keep relevance first; which of the two wins in search ranking?',
    paths: ['src/search/ranking.ts'],
    answerAfter: 300,
    response: 'Relevance first; in-stock is a tie-breaker.',
  },
  {
    day: 11,
    task: 1,
    kind: 'interrupt',
    category: 'missing_context',
    summary: "Didn't know whether retrying a failed charge needs an idempotency key header",
    paths: ['src/payments/retry.ts'],
    answerAfter: 180,
    response: IDEMPOTENCY,
  },
  {
    day: 11,
    task: 0,
    kind: 'interrupt',
    category: 'tool_failure',
    summary: 'The e2e tests fail intermittently with a timeout waiting for the checkout page',
    paths: ['test/e2e/checkout.spec.ts'],
    answerAfter: 60,
    response: E2E,
  },
  {
    day: 10,
    task: 1,
    kind: 'correction',
    category: 'policy_gap',
    summary: 'Agent ran the database migration against the production DB instead of staging',
    detail: 'DATABASE_URL=postgres://deploy:hunter2prod@db.prod.internal:5432/storefront was pasted in the session',
    paths: ['migrations/0006_charges_method.sql'],
    source: 'human',
    answerAfter: 3,
    response: MIGRATIONS,
  },
  {
    day: 10,
    task: 2,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Where is the session refresh token rotated, and should parallel tabs share one?',
    paths: ['src/auth/session.ts'],
    answerAfter: 1500,
    response: 'In session.ts rotate(); parallel tabs get a 10 s grace window.',
  },
  {
    day: 9,
    task: 0,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Is it safe to retry a payment charge after a gateway timeout, or could it double charge?',
    paths: ['src/payments/charge.ts', 'src/payments/gateway.ts'],
    answerAfter: 240,
    response: IDEMPOTENCY,
  },
  {
    day: 9,
    task: 1,
    kind: 'interrupt',
    category: 'tool_failure',
    summary: 'npm run e2e crashed: flaky timeout in the checkout end-to-end test again',
    paths: ['test/e2e/checkout.spec.ts'],
    answerAfter: 30,
    response: E2E,
  },
  {
    day: 8,
    task: 0,
    kind: 'correction',
    category: 'policy_gap',
    summary: 'Agent edited an already applied migration file; production migrations need approval and must not change',
    paths: ['migrations/0005_api_keys.sql'],
    source: 'human',
    answerAfter: 10,
    response: MIGRATIONS,
  },
  {
    day: 8,
    task: 2,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Which convention do API error responses follow: problem+json or our own envelope?',
    paths: ['src/api/errors.ts'],
    answerAfter: 120,
    response: 'Our envelope { error: { code, message } }; see src/api/errors.ts.',
  },
  {
    day: 7,
    task: 1,
    kind: 'interrupt',
    category: 'ambiguous_spec',
    summary: 'Unclear which currency rounding mode checkout totals should use',
    paths: ['src/web/format.ts'],
    answerAfter: 2000,
    response: 'Banker’s rounding, per finance.',
  },
  // ---- this week (days 6..0)
  {
    day: 6,
    task: 0,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Gateway charge retries: does each attempt need the same idempotency key?',
    paths: ['src/payments/gateway.ts'],
    answerAfter: 1700,
    response: IDEMPOTENCY,
  },
  {
    day: 5,
    task: 1,
    kind: 'interrupt',
    category: 'tool_failure',
    summary: 'e2e checkout spec timed out twice in a row; flaky or real failure?',
    paths: ['test/e2e/checkout.spec.ts'],
    answerAfter: 1600,
    response: E2E,
  },
  {
    day: 5,
    task: 2,
    kind: 'correction',
    category: 'policy_gap',
    summary: 'Agent wanted to apply a schema migration to production without approval from platform',
    paths: ['migrations/0008_refunds_reason.sql'],
    source: 'human',
    answerAfter: 2,
    response: MIGRATIONS,
  },
  {
    day: 4,
    task: 0,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Not sure whether refund retries need an idempotency key like charges do',
    paths: ['src/payments/refunds.ts'],
    answerAfter: 1900,
    response: IDEMPOTENCY,
  },
  {
    day: 3,
    task: 1,
    kind: 'interrupt',
    category: 'ambiguous_spec',
    summary: 'Search filters: unclear whether price filters apply before or after ranking',
    paths: ['src/search/filters.ts'],
    answerAfter: 1500,
    response: 'Before ranking.',
  },
  {
    day: 2,
    task: 0,
    kind: 'interrupt',
    category: 'tool_failure',
    summary: 'npm run e2e flaky: the checkout page timeout again, passes on rerun',
    paths: ['test/e2e/checkout.spec.ts'],
  },
  {
    day: 1,
    task: 2,
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Does the charge retry have to send the idempotency key header on every attempt?',
    paths: ['src/payments/retry.ts'],
  },
  {
    day: 1,
    task: 1,
    kind: 'correction',
    category: 'policy_gap',
    summary: 'Agent generated a migration and tried to run it on the production database without approval',
    paths: ['migrations/0009_sessions_device.sql'],
    source: 'human',
  },
];

/** Two weeks of demo tasks and interrupts ending at `now` (unix ms), in the import file's JSON shape. */
export function demoInterrupts(now: number): { tasks: DemoTask[]; interrupts: DemoInterrupt[] } {
  // Day d covers [now − (d+1)·24 h, now − d·24 h): day 0..6 is the report's default window, 7..13 the one before.
  const at = (day: number, ms: number) => new Date(now - (day + 1) * DAY + ms).toISOString();
  const tasks: DemoTask[] = [];
  let n = 0;
  for (let day = 13; day >= 0; day--) {
    for (let k = 0; k < 3; k++, n++) {
      const agent = AGENTS[(day + k) % AGENTS.length]!;
      const start = 2 * k * HOUR;
      // Most tasks complete; every 7th fails, every 11th is abandoned; today's last ones are still running.
      const running = day === 0 && k > 0;
      const outcome = n % 7 === 3 ? 'failed' : n % 11 === 5 ? 'abandoned' : 'completed';
      tasks.push({
        id: taskId(day, k),
        agent,
        title: TITLES[n % TITLES.length]!,
        started_at: at(day, start),
        ...(running ? {} : { finished_at: at(day, start + 90 * MIN + k * 20 * MIN), outcome }),
      });
    }
  }
  const interrupts = PLANS.map((p, i): DemoInterrupt => {
    const created = 2 * p.task * HOUR + 25 * MIN + i * MIN;
    const agent = AGENTS[(p.day + p.task) % AGENTS.length]!;
    return {
      id: `demo-${String(i + 1).padStart(3, '0')}`,
      kind: p.kind,
      ...(p.category ? { category: p.category } : {}),
      summary: p.summary,
      ...(p.detail ? { detail: p.detail } : {}),
      ...(p.paths ? { paths: p.paths } : {}),
      task_id: taskId(p.day, p.task),
      agent,
      source: p.source ?? 'agent',
      created_at: at(p.day, created),
      ...(p.answerAfter !== undefined
        ? {
            responded_at: at(p.day, created + p.answerAfter * MIN),
            resolved_at: at(p.day, created + p.answerAfter * MIN),
            response: p.response!,
          }
        : {}),
    };
  });
  return { tasks, interrupts };
}

function taskId(day: number, k: number): string {
  // Numbered by scenario day, oldest first: task-d01-1 is the first task of the first day.
  return `task-d${String(14 - day).padStart(2, '0')}-${k + 1}`;
}
