import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { importIncidents } from '../../src/ingest/incidents.js';
import { gitdir, tempDir } from './gitdir.js';
import { testContext } from './context.js';

const GATEWAY = (timeout: number, retries: string) => `import { http } from '../api/http';

export const GATEWAY_URL = 'https://pay.example.com';
export const TIMEOUT_MS = ${timeout};

export async function callGateway(body: unknown) {
${retries}
}
`;
const WITH_RETRY = `  return withBackoff(() => http.post(GATEWAY_URL, body, { timeout: TIMEOUT_MS }), 3);`;
const NO_RETRY = `  return http.post(GATEWAY_URL, body, { timeout: TIMEOUT_MS });`;
const claude = { name: 'Maya Chen', email: 'maya@acme.dev' };

/** A small team history where an agent change to the gateway causes timeouts that a later fix repairs. */
export async function paymentsStory() {
  const g = gitdir();
  const initial = g.commit({
    files: { 'src/payments/gateway.ts': GATEWAY(10000, WITH_RETRY), 'src/auth/login.ts': 'export const a = 1;\n' },
    message: 'feat: initial',
    date: '2026-02-01T09:00:00Z',
  });
  const inducing = g.commit({
    files: { 'src/payments/gateway.ts': GATEWAY(2000, NO_RETRY) },
    message: 'perf(payments): fail fast on slow gateway\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n',
    author: claude,
    date: '2026-02-03T10:00:00Z',
  });
  const unrelated = g.commit({
    files: { 'src/auth/login.ts': 'export const a = 2;\nexport const b = 3;\n' },
    message: 'feat(auth): remember me',
    date: '2026-02-03T11:00:00Z',
  });
  const fix = g.commit({
    files: { 'src/payments/gateway.ts': GATEWAY(10000, WITH_RETRY) },
    message: 'fix(payments): restore gateway timeout and backoff',
    date: '2026-02-10T10:00:00Z',
  });
  const ctx = testContext(g.path);
  await ingestGit(ctx);
  await shipEach(ctx, [
    [initial, '2026-02-01T12:00:00Z'],
    [inducing, '2026-02-03T12:00:00Z'],
    [unrelated, '2026-02-04T12:00:00Z'],
    [fix, '2026-02-10T12:00:00Z'],
  ]);
  return { g, ctx, inducing, unrelated, fix };
}

/** Records a successful deploy of each ref, finished at the given ISO time, in order. */
export async function shipEach(ctx: ReturnType<typeof testContext>, ships: [ref: string, finishedAt: string][]) {
  for (const [ref, at] of ships) await recordDeploy(ctx, { ref, status: 'success', finishedAt: Date.parse(at) });
}

export function importJson(ctx: ReturnType<typeof testContext>, rows: unknown[]) {
  const file = join(tempDir(), 'incidents.json');
  writeFileSync(file, JSON.stringify(rows));
  return importIncidents(ctx, file);
}

/** The incident of the payments story as an import row: the timeouts the inducing change caused. */
export const PAYMENTS_INCIDENT = {
  id: 'INC-7',
  title: 'Payments API timeouts on /charge',
  severity: 'SEV2',
  started_at: '2026-02-05T08:00:00Z',
  resolved_at: '2026-02-10T11:00:00Z',
  summary: 'Charges aborted after 2 s while the provider answered in 2.4 s at peak; nothing retried them.',
  files: ['src/payments/gateway.ts'],
  stack_frames: ['at callGateway (src/payments/gateway.ts:7:10)'],
};
