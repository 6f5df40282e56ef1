// The demo's incidents and post-mortems. Stack frames are computed from the files as they were when each
// incident began, so their line numbers match the code that was running.
import { AUTH_SESSION, PAYMENTS_CHARGE, PAYMENTS_GATEWAY, SEARCH_RANKING } from './scenario-files.js';
import { at, iso, locate } from './scenario-text.js';

type Read = (path: string) => string;

export interface IncidentPlan {
  id: string;
  title: string;
  severity: string;
  startedAt: number;
  resolvedAt: number;
  module?: string;
  files: string[];
  summary: string;
  frames?: (read: Read) => string[];
  /** Filled in when the incident happens. */
  stackFrames?: string[];
}

/** Stack frames as Node prints them, with line:column from the code deployed at the time. */
export function paymentFrames(read: Read): string[] {
  const g = read(PAYMENTS_GATEWAY);
  const fetchAt = locate(g, 'fetch(');
  const callAt = locate(g, "this.callGateway('/v2/charges', req)");
  const chargeAt = locate(read(PAYMENTS_CHARGE), 'this.gateway.charge(req)');
  const routeAt = locate(read('src/api/routes.ts'), 'services.charges.create(');
  return [
    `at PaymentGateway.callGateway (${PAYMENTS_GATEWAY}:${fetchAt.line}:${fetchAt.column})`,
    `at async PaymentGateway.charge (${PAYMENTS_GATEWAY}:${callAt.line}:${callAt.column})`,
    `at async ChargeService.create (${PAYMENTS_CHARGE}:${chargeAt.line}:${chargeAt.column})`,
    `at async Object.<anonymous> (src/api/routes.ts:${routeAt.line}:${routeAt.column})`,
  ];
}

export function authFrames(read: Read): string[] {
  const throwAt = locate(read(AUTH_SESSION), "new AuthError('invalid_grant', 'refresh token was reused')");
  return [
    `at rotateRefreshToken (${AUTH_SESSION}:${throwAt.line}:${throwAt.column})`,
    'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ];
}

const PAYMENTS_TITLE = 'Payments API timeouts / elevated 5xx on /charge';

export function incidentPlans(): Record<string, IncidentPlan> {
  const list: IncidentPlan[] = [
    {
      id: 'INC-1031',
      title: 'Elevated 502s at the edge',
      severity: 'SEV3',
      startedAt: at(11, 10, 12),
      resolvedAt: at(11, 10, 58),
      files: [],
      summary: 'CDN provider reported degraded performance in FRA; errors stopped when it rerouted traffic.',
    },
    {
      id: 'INC-1042',
      title: PAYMENTS_TITLE,
      severity: 'SEV2',
      startedAt: at(32, 14, 12),
      resolvedAt: at(32, 15, 3),
      module: 'payments',
      files: [PAYMENTS_GATEWAY, PAYMENTS_CHARGE],
      frames: paymentFrames,
      summary:
        'AbortError from the Acme Pay gateway client; 5xx on POST /v1/charges peaked at 7%. Recovered without ' +
        'intervention as provider latency dropped.',
    },
    {
      id: 'INC-1047',
      title: 'Webhook deliveries delayed',
      severity: 'SEV3',
      startedAt: at(37, 16, 5),
      resolvedAt: at(37, 16, 50),
      files: [],
      summary: 'The outbound webhook queue backed up for ~45 minutes and drained on its own. No cause found.',
    },
    {
      id: 'INC-1053',
      title: 'Users signed out after refreshing in several tabs',
      severity: 'SEV2',
      startedAt: at(42, 19, 32),
      resolvedAt: at(43, 10, 20),
      module: 'auth',
      files: [AUTH_SESSION],
      frames: authFrames,
      summary: 'Refresh token reuse detection revoked whole session families; sign-in rate tripled overnight.',
    },
    {
      id: 'INC-1058',
      title: PAYMENTS_TITLE,
      severity: 'SEV2',
      startedAt: at(46, 13, 5),
      resolvedAt: at(46, 14, 31),
      module: 'payments',
      files: [PAYMENTS_GATEWAY, PAYMENTS_CHARGE],
      frames: paymentFrames,
      summary:
        "Second episode of charge timeouts, during Acme Pay's settlement batch window; 4.1% of charges failed " +
        'with 503.',
    },
    {
      id: 'INC-1062',
      title: 'Search latency p95 above 3 s',
      severity: 'SEV3',
      startedAt: at(53, 15, 25),
      resolvedAt: at(53, 16, 40),
      module: 'search',
      files: [SEARCH_RANKING, 'src/search/embeddings.ts'],
      summary: 'Search p95 went from 180 ms to 3.4 s right after the afternoon deploy; rolled back at 16:20.',
    },
    {
      id: 'INC-1071',
      title: PAYMENTS_TITLE,
      severity: 'SEV1',
      startedAt: at(63, 9, 40),
      resolvedAt: at(63, 11, 52),
      module: 'payments',
      files: [PAYMENTS_GATEWAY, PAYMENTS_CHARGE],
      frames: paymentFrames,
      summary:
        'Monday peak: 9% of charges failed with gateway timeouts for two hours. The 2 s gateway timeout is below ' +
        "Acme Pay's p99 and nothing retried the aborted calls.",
    },
    {
      id: 'INC-1079',
      title: 'Background jobs backlog after Redis failover',
      severity: 'SEV3',
      startedAt: at(74, 8, 40),
      resolvedAt: at(74, 9, 25),
      files: [],
      summary: 'Managed Redis failed over; workers reconnected slowly and receipts went out up to 40 minutes late.',
    },
    {
      id: 'INC-1084',
      title: 'Intermittent 504s on /v1/exports',
      severity: 'SEV3',
      startedAt: at(86, 14, 10),
      resolvedAt: at(86, 14, 35),
      files: [],
      summary: 'A handful of large exports hit the load balancer timeout. Could not reproduce.',
    },
  ];
  return Object.fromEntries(list.map((i) => [i.id, i]));
}

export interface Postmortem {
  file: string;
  text: string;
}

const hm = (ms: number) => iso(ms).slice(11, 16);

function frontMatter(i: IncidentPlan): string {
  return [
    '---',
    `id: ${i.id}`,
    `title: "${i.title}"`,
    `severity: ${i.severity}`,
    // Quoted so YAML parsers keep them as the same ISO strings as incidents.json, not Date objects.
    `started_at: "${iso(i.startedAt)}"`,
    `resolved_at: "${iso(i.resolvedAt)}"`,
    '---',
    '',
  ].join('\n');
}

function frames(i: IncidentPlan, error: string): string {
  return ['```', error, ...(i.stackFrames ?? []).map((f) => `    ${f}`), '```'].join('\n');
}

/** Post-mortems for the payments incidents and the auth one, written after the shas are known. */
export function postmortems(incidents: IncidentPlan[], refs: { fixSha: string; revertSha: string }): Postmortem[] {
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const get = (id: string): IncidentPlan => {
    const i = byId.get(id);
    if (!i) throw new Error(`demo: incident ${id} did not happen`);
    return i;
  };
  const out: Postmortem[] = [];
  const abort = 'AbortError: This operation was aborted';

  const p1 = get('INC-1042');
  out.push({
    file: `${iso(p1.startedAt).slice(0, 10)}-${p1.id}.md`,
    text: `${frontMatter(p1)}
# ${p1.id}: ${p1.title}

## Summary

For 51 minutes about 7% of \`POST /v1/charges\` requests failed with 503. The gateway client in
\`src/payments/gateway.ts\` aborted calls to Acme Pay, and \`ChargeService.create\` (\`src/payments/charge.ts\`)
surfaced the error to checkout.

## Timeline (UTC)

- ${hm(p1.startedAt)} 5xx alert on \`POST /v1/charges\` fires; on-call (Jonas) acknowledges.
- ${hm(p1.startedAt + 9 * 60_000)} Acme Pay status page shows "degraded performance" for card payments.
- ${hm(p1.startedAt + 25 * 60_000)} Error rate falls as provider latency recovers.
- ${hm(p1.resolvedAt)} Resolved.

## Impact

Roughly 1,900 failed checkout attempts; most shoppers retried successfully.

## Root cause hypothesis

Provider-side latency spike. Errors were all \`AbortError\` from the gateway client:

${frames(p1, abort)}

## Action items

- [ ] Count gateway timeouts separately from other gateway errors (Maya).
- [ ] Ask Acme Pay for their incident report (Jonas).
`,
  });

  const p2 = get('INC-1058');
  out.push({
    file: `${iso(p2.startedAt).slice(0, 10)}-${p2.id}.md`,
    text: `${frontMatter(p2)}
# ${p2.id}: ${p2.title}

## Summary

Second episode of gateway timeouts in two weeks. 4.1% of charges failed for 86 minutes, coinciding with
Acme Pay's settlement batch window. The new \`gateway.charge.timeout\` metric confirms these are timeouts in
\`src/payments/gateway.ts\`, not declines.

## Timeline (UTC)

- ${hm(p2.startedAt)} \`gateway.charge.timeout\` alert fires.
- ${hm(p2.startedAt + 20 * 60_000)} Connection pool metrics show requests queueing in the gateway client.
- ${hm(p2.resolvedAt)} Batch window ends; timeouts stop.

## Impact

About 3,400 failed checkout attempts; support received 61 tickets about double-click "Pay" failures.

## Root cause hypothesis

Connection pool exhaustion while the provider is slow: requests wait for a socket and then hit the
gateway timeout.

${frames(p2, abort)}

## Action items

- [ ] Give the gateway client its own larger keep-alive pool (Jonas).
- [ ] Dashboard for gateway latency percentiles next to our timeout (Maya).
`,
  });

  const p3 = get('INC-1071');
  out.push({
    file: `${iso(p3.startedAt).slice(0, 10)}-${p3.id}.md`,
    text: `${frontMatter(p3)}
# ${p3.id}: ${p3.title}

## Summary

Third and worst occurrence of the payments timeouts (INC-1042, INC-1058). For two hours of Monday peak
traffic 9% of charges failed. The new latency dashboard made the cause visible: Acme Pay's p99 was 2.4 s,
above our gateway timeout of 2 s.

## Timeline (UTC)

- ${hm(p3.startedAt)} \`gateway.charge.timeout\` and 5xx alerts fire; incident declared SEV1.
- ${hm(p3.startedAt + 35 * 60_000)} Maya notices the timeout (\`GATEWAY_TIMEOUT_MS\`) is 2 s and that the charge call
  is no longer wrapped in the retry with backoff.
- ${hm(p3.resolvedAt)} Traffic subsides; resolved. Fix prepared for the next morning.

## Impact

About 11,000 failed checkout attempts; estimated lost revenue 38k EUR.

## Root cause

In late June the gateway timeout in \`src/payments/gateway.ts\` was lowered from 10 s to 2 s and the
retry-with-backoff around the charge call was removed, to make checkout "fail fast". Acme Pay's p99 is
~2.4 s at peak, so a slice of charges was aborted every time the provider slowed down, with no retry.
ADR 0002 had asked for the opposite. The connection pool change after INC-1058 did not help.

${frames(p3, abort)}

## Action items

- [x] Restore the 10 s timeout and retry with backoff in the charge path — fixed in ${refs.fixSha.slice(0, 12)}.
- [x] Add a test that a gateway slower than 2 s still succeeds (in the same fix).
- [ ] Write a payments runbook for gateway timeouts (Maya).
- [ ] Reviewers: changes to timeouts or retries in \`src/payments\` need a payments owner's approval.
`,
  });

  const a = get('INC-1053');
  out.push({
    file: `${iso(a.startedAt).slice(0, 10)}-${a.id}.md`,
    text: `${frontMatter(a)}
# ${a.id}: ${a.title}

## Summary

From the evening deploy until the next morning, shoppers with more than one tab open were signed out
whenever their tabs refreshed tokens at the same moment. \`rotateRefreshToken\` in \`src/auth/session.ts\`
treated the second, near-simultaneous refresh as token theft and revoked the whole session family.

## Timeline (UTC)

- ${hm(a.startedAt)} Sign-in rate alert; sign-ins 3× the usual evening level.
- ${hm(a.resolvedAt - 80 * 60_000)} Daniel finds the rotation change in the previous deploy and reverts it (${refs.revertSha.slice(0, 12)}).
- ${hm(a.resolvedAt - 15 * 60_000)} Hotfix deployed.
- ${hm(a.resolvedAt)} Sign-in rate back to normal; resolved.

${frames(a, 'AuthError: refresh token was reused')}

## Action items

- [x] Revert the rotation simplification.
- [ ] Add a test for two refreshes within the grace window (Daniel).
`,
  });
  return out;
}
