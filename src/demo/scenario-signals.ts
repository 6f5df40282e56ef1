import type { BuildRow } from '../store/github.js';
import type { BuildJobRow, DeployGateRow } from '../store/release.js';
import { prng } from './scenario-text.js';

// Production signals and CI runs for the demo: what `release_review` reads, and the error-rate step after the deploy
// that shipped the payments timeout (which raises that deploy's suspect score). Inputs only, from a seeded PRNG.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const REPO = 'acme/shop';

/** Share of requests and cost per module: payments is a tenth of the traffic and two fifths of the cost. */
const MODULES: readonly { module: string; requests: number; cost: number }[] = [
  { module: 'payments', requests: 9_000, cost: 41 },
  { module: 'checkout', requests: 38_000, cost: 27 },
  { module: 'search', requests: 41_000, cost: 22 },
  { module: 'auth', requests: 12_000, cost: 10 },
];

/**
 * CSV (the `ingest signals` format): payments' error rate each minute for an hour before and after each production
 * deploy (0.4 %, or 3.1 % after the `stepped` one), and a daily request count and cost per module over 30 days.
 */
export function demoSignalsCsv(deploys: readonly { at: number; stepped: boolean }[], now: number): string {
  const rnd = prng(1_411);
  const rows = ['timestamp,metric,value,service,module'];
  const jitter = (level: number) => (level * (0.75 + 0.5 * rnd())).toFixed(5);
  for (const d of deploys) {
    for (let t = d.at - HOUR; t < d.at + HOUR; t += MIN) {
      const level = d.stepped && t >= d.at ? 0.031 : 0.004;
      rows.push(`${new Date(t).toISOString()},error_rate,${jitter(level)},payments,payments`);
    }
  }
  for (let day = 30; day >= 1; day--) {
    const at = new Date(now - day * DAY).toISOString();
    for (const m of MODULES) {
      rows.push(`${at},requests,${Math.round(m.requests * (0.9 + 0.2 * rnd()))},${m.module},${m.module}`);
      rows.push(`${at},cost,${(m.cost * (0.95 + 0.1 * rnd())).toFixed(2)},${m.module},${m.module}`);
    }
  }
  return rows.join('\n');
}

export interface DemoCi {
  builds: BuildRow[];
  jobs: BuildJobRow[];
  /** approval waits by deploy index in the list given */
  gates: Map<number, DeployGateRow[]>;
}

/**
 * CI runs on the shas of the last production deploys: `test` fails now and then at the same step, `lint` never fails
 * (a gate that may check nothing), the last release waited at an approval gate and needed a hand-dispatched run.
 */
export function demoCi(deploys: readonly { sha: string; at: number }[]): DemoCi {
  const builds: BuildRow[] = [];
  const jobs: BuildJobRow[] = [];
  const gates = new Map<number, DeployGateRow[]>();
  let runId = 9_000;
  const run = (sha: string, at: number, failing: boolean, event = 'push', workflow = 'CI') => {
    const id = String(++runId);
    builds.push({
      repo: REPO,
      runId: id,
      workflow,
      headSha: sha,
      branch: 'main',
      event,
      status: 'completed',
      conclusion: failing ? 'failure' : 'success',
      startedAt: at,
      finishedAt: at + 12 * MIN,
      durationMs: 12 * MIN,
      url: `https://github.com/${REPO}/actions/runs/${id}`,
    });
    if (workflow !== 'CI') return;
    const job = (name: string, failed: boolean, n: number): BuildJobRow => ({
      repo: REPO,
      runId: id,
      jobId: `${id}${n}`,
      name,
      conclusion: failed ? 'failure' : 'success',
      startedAt: at,
      finishedAt: at + 10 * MIN,
      failedStep: failed ? 'Run vitest' : null,
    });
    jobs.push(job('typecheck', false, 1), job('lint', false, 2), job('test', failing, 3));
  };
  deploys.forEach((d, i) => {
    const last = i === deploys.length - 1;
    // The last release: the suite failed twice at the same step before it passed.
    const failures = last ? 2 : i % 2;
    for (let f = 0; f < failures; f++) run(d.sha, d.at - (5 - f) * HOUR, true);
    run(d.sha, d.at - 2 * HOUR, false);
    if (last) {
      run(d.sha, d.at - 90 * MIN, false, 'workflow_dispatch', 'Deploy');
      gates.set(i, [{ waitingAt: d.at - 80 * MIN, resolvedAt: d.at - 10 * MIN, outcome: 'in_progress' }]);
    } else if (i === deploys.length - 2) {
      gates.set(i, [{ waitingAt: d.at - 4 * HOUR, resolvedAt: d.at - 10 * MIN, outcome: 'in_progress' }]);
    }
  });
  return { builds, jobs, gates };
}
