import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { changeTestOptions, changesAround, describeChange, type SeriesChange } from '../history/signal-change.js';
import { deliveryIncidents } from '../store/delivery.js';
import {
  dispatchedRuns,
  gatesOf,
  hasCiData,
  jobsOfRuns,
  latestReleaseDeploy,
  nextRelease,
  releaseBuilds,
  releaseCommits,
  releaseDeploy,
  releaseDeployByRef,
  releasesBefore,
  type BuildJobRow,
  type ReleaseBuild,
  type ReleaseDeploy,
} from '../store/release.js';
import { SIGNAL_METRICS } from '../store/signals.js';
import { incidentCauses } from './metrics.js';

// The checklist a team runs after a delivery, answered from what is stored: each finding names the data it stands on
// and says so when that data is missing, with the command that brings it in.

const HOUR = 3_600_000;
const FAILED = new Set(['failure', 'timed_out']);
const INGEST_GITHUB = 'hindsight ingest github OWNER/NAME';

export type Topic =
  'lead_time' | 'builds' | 'approval' | 'manual' | 'quiet_checks' | 'missed_checks' | 'incidents' | 'signals';

export interface Finding {
  topic: Topic;
  text: string;
  /** what the finding stands on; says when data is missing and how to add it */
  basis: string;
}

/** Figures compared with the previous release (lower is better for each). */
export interface ReleaseFigures {
  commits: number;
  leadMedianH: number | null;
  leadP90H: number | null;
  failedBuilds: number;
  approvalWaitH: number | null;
  manualRuns: number;
  incidents: number;
}

export interface ReleaseReview {
  deploy: {
    id: number;
    env: string;
    service: string;
    sha: string;
    ref: string | null;
    status: string;
    finishedAt: string;
  };
  previous: { id: number; finishedAt: string } | null;
  figures: ReleaseFigures;
  findings: Finding[];
  /** what went better (and worse) than the previous release */
  better: string[];
  worse: string[];
  /** one change to make, picked by the first rule that fires (rules listed in SUGGESTION_RULES) */
  suggestion: { change: string; rule: string } | null;
}

export interface ReleaseReviewQuery {
  /** deploy id, sha, tag or external id; default the latest deploy of the config env */
  deploy?: string;
  /** releases read for the checks that never fail or missed an incident; default 10 */
  releases?: number;
}

export async function reviewRelease(ctx: AppContext, q: ReleaseReviewQuery = {}): Promise<ReleaseReview> {
  const db = ctx.store;
  const d = await findDeploy(ctx, q.deploy);
  const prev = d.prevDeployId !== null ? releaseDeploy(db, d.prevDeployId) : undefined;
  const data = hasCiData(db);
  const own = facts(ctx, d, prev);
  const before = prev
    ? facts(ctx, prev, prev.prevDeployId !== null ? releaseDeploy(db, prev.prevDeployId) : undefined)
    : undefined;
  const findings: Finding[] = [];

  // Lead time
  const lead = own.leadTimes;
  if (lead.length === 0) {
    findings.push({
      topic: 'lead_time',
      text: 'no commits recorded for this deploy',
      basis:
        'deploy_commits (the git range from the previous deploy); run `hindsight ingest git` before recording deploys',
    });
  } else {
    const slow = lead[lead.length - 1]!;
    findings.push({
      topic: 'lead_time',
      text:
        `${lead.length} commit(s), commit → production median ${h(own.figures.leadMedianH)}, p90 ${h(own.figures.leadP90H)}; ` +
        `slowest ${slow.sha.slice(0, 7)} "${clip(slow.subject)}" waited ${h(slow.hours)}`,
      basis: 'author date of each commit the deploy shipped → the deploy finished',
    });
  }

  // Builds that failed along the way
  const failed = own.builds.filter((b) => FAILED.has(b.conclusion ?? ''));
  if (own.builds.length === 0) {
    findings.push({
      topic: 'builds',
      text: 'no CI runs recorded for the commits of this release',
      basis: data.builds
        ? 'builds (CI runs) of the shipped shas: none ran on them'
        : `no CI runs recorded at all — ingest with \`${INGEST_GITHUB}\``,
    });
  } else {
    const jobs = jobsOfRuns(db, failed);
    // The same failure on the same commit is told once, with how often.
    const reasons = new Map<string, number>();
    for (const b of failed) {
      const text = `${b.workflow ?? 'run'} on ${b.headSha.slice(0, 7)}: ${failureReason(b, jobs)}`;
      reasons.set(text, (reasons.get(text) ?? 0) + 1);
    }
    const why = [...reasons].slice(0, 3).map(([text, n]) => (n > 1 ? `${text} (×${n})` : text));
    findings.push({
      topic: 'builds',
      text:
        failed.length === 0
          ? `${own.builds.length} CI run(s), none failed`
          : `${failed.length} of ${own.builds.length} CI run(s) failed (${h(sum(failed.map((b) => b.durationMs ?? 0)) / HOUR)} of CI time): ${why.join('; ')}${reasons.size > 3 ? '; …' : ''}`,
      basis: `builds of the shipped shas${failed.length > 0 && !data.jobs ? `; no job details stored (re-run \`${INGEST_GITHUB}\`)` : ', with the failed job and step'}`,
    });
  }

  // Approval gates
  const gates = gatesOf(db, d.id);
  findings.push({
    topic: 'approval',
    text:
      gates.length === 0
        ? 'no wait at an approval gate recorded'
        : `waited ${h(own.figures.approvalWaitH)} at ${gates.length} approval gate(s)` +
          (gates.some((g) => g.resolvedAt === null) ? ' (one still waiting when last seen)' : '') +
          (lead.length > 0 && own.figures.approvalWaitH !== null && own.figures.leadMedianH
            ? `, ${Math.round((100 * own.figures.approvalWaitH) / own.figures.leadMedianH)} % of the median lead time`
            : ''),
    basis:
      gates.length > 0 || d.source === 'github'
        ? "deployment statuses: 'waiting' (GitHub environment protection) until the next status"
        : `only GitHub deployments carry approval waits; this deploy came from '${d.source}'`,
  });

  // Manual steps
  findings.push({
    topic: 'manual',
    text:
      own.manual.length === 0
        ? 'no manually dispatched runs'
        : `${own.manual.length} manually dispatched run(s): ${[...new Set(own.manual.map((b) => b.workflow ?? 'run'))].join(', ')}`,
    basis: data.builds
      ? `workflow runs with event workflow_dispatch between the previous deploy and this one`
      : `no CI runs recorded at all — ingest with \`${INGEST_GITHUB}\``,
  });

  // Checks across the last N releases
  const n = q.releases ?? 10;
  const recent = releasesBefore(db, { env: d.env, service: d.service, until: d.finishedAt }, n);
  const checks = checkHistory(ctx, recent);
  const withChecks = new Set(checks.flatMap((c) => [...c.deploys]));
  if (!data.jobs) {
    findings.push({
      topic: 'quiet_checks',
      text: 'no check (job) results stored',
      basis: `build_jobs — ingest with \`${INGEST_GITHUB}\` (it reads each completed run's jobs)`,
    });
  } else {
    const quiet = checks.filter(
      (c) => c.failures === 0 && c.deploys.size >= Math.min(3, recent.length) && c.deploys.size > 1,
    );
    findings.push({
      topic: 'quiet_checks',
      text:
        quiet.length === 0
          ? `every check failed at least once in the last ${withChecks.size} release(s)`
          : `never failed in ${withChecks.size} release(s) (gates that may check nothing): ${quiet
              .slice(0, 5)
              .map((c) => `${c.name} (${c.runs} runs)`)
              .join(', ')}`,
      basis: `jobs of the CI runs of the last ${recent.length} deploy(s) of ${target(d)}`,
    });
    const missed = checks.filter((c) => c.passedBeforeIncident.length > 0);
    findings.push({
      topic: 'missed_checks',
      text:
        missed.length === 0
          ? 'no check passed on a release that then caused an incident'
          : `passed on a release that then caused an incident (gates that missed a real issue): ${missed
              .slice(0, 5)
              .map((c) => `${c.name} (${c.passedBeforeIncident.slice(0, 3).join(', ')})`)
              .join(', ')}`,
      basis:
        'incidents attributed to a deploy (confirmed, or its top suspect) and the checks that passed on that deploy',
    });
  }

  // Incidents after the release
  findings.push({
    topic: 'incidents',
    text:
      own.incidentsCaused.length === 0 && own.incidentsDuring.length === 0
        ? 'no incident while this release ran'
        : `caused ${own.incidentsCaused.length} incident(s)${own.incidentsCaused.length ? ` (${own.incidentsCaused.join(', ')})` : ''}; ${own.incidentsDuring.length} began while it ran`,
    basis: 'incidents in its env from its finish to the next deploy; caused = attributed to this deploy',
  });

  // Production signals around the deploy
  const test = changeTestOptions(ctx.config);
  const changes = changesAround(db, { env: d.env, service: d.service || null, at: d.finishedAt }, SIGNAL_METRICS, test);
  const tested = changes.filter((c) => c.verdict.kind !== 'insufficient');
  const steps = tested.filter((c) => c.verdict.kind === 'step');
  findings.push({
    topic: 'signals',
    text:
      changes.length === 0
        ? 'no production signals recorded'
        : tested.length === 0
          ? `${changes.length} series, too few samples around the deploy to test`
          : steps.length === 0
            ? `no step in ${tested.length} series around the deploy`
            : steps
                .sort(byStrength)
                .slice(0, 3)
                .map((c) => describeChange(c, test.windowMs))
                .join('; '),
    basis:
      changes.length === 0
        ? 'ingest error rate, latency, requests or cost with `hindsight ingest signals FILE`'
        : `${test.windowMs / 60_000} min before vs after the deploy finished: Mann-Whitney U p < ${test.alpha} and a median shift ≥ ${test.minRobustZ} robust SD`,
  });

  const { better, worse } = compare(own.figures, before?.figures);
  return {
    deploy: {
      id: d.id,
      env: d.env,
      service: d.service,
      sha: d.sha,
      // A tag names itself; another source's id is named with its source (`github 1013`).
      ref: d.externalId === null ? null : d.source === 'tags' ? d.externalId : `${d.source} ${d.externalId}`,
      status: d.status,
      finishedAt: iso(d.finishedAt),
    },
    previous: prev ? { id: prev.id, finishedAt: iso(prev.finishedAt) } : null,
    figures: own.figures,
    findings,
    better,
    worse,
    suggestion: suggest(own, checks, gates.length, steps),
  };
}

async function findDeploy(ctx: AppContext, ref: string | undefined): Promise<ReleaseDeploy> {
  const db = ctx.store;
  const env = ctx.config.env;
  if (ref === undefined) {
    const d = latestReleaseDeploy(db, env);
    if (!d) {
      throw new UserInputError(
        `no deploy of '${env}' recorded; record one with \`hindsight deploy\`, \`hindsight ingest deploys --from-tags 'v*'\` or \`${INGEST_GITHUB}\``,
        'deploy',
      );
    }
    return d;
  }
  if (/^\d{1,9}$/.test(ref)) {
    const d = releaseDeploy(db, Number(ref));
    if (d) return d;
  }
  let d = releaseDeployByRef(db, ref, env);
  if (!d) {
    const { resolveCommit } = await import('../git.js');
    const sha = await resolveCommit(ctx.config.repoPath, ref).catch(() => undefined);
    if (sha) d = releaseDeployByRef(db, sha, env);
  }
  if (!d) {
    throw new UserInputError(
      `no deploy matches '${ref}': give a deploy id, a sha or a tag of a recorded deploy (or nothing for the latest)`,
      'deploy',
    );
  }
  return d;
}

interface ReleaseFacts {
  figures: ReleaseFigures;
  leadTimes: { sha: string; subject: string; hours: number }[];
  builds: ReleaseBuild[];
  manual: Omit<ReleaseBuild, 'deployId'>[];
  incidentsCaused: string[];
  incidentsDuring: string[];
  failedSteps: Map<string, number>;
}

function facts(ctx: AppContext, d: ReleaseDeploy, prev: ReleaseDeploy | undefined): ReleaseFacts {
  const db = ctx.store;
  const leadTimes = releaseCommits(db, d.id)
    .map((c) => ({ sha: c.sha, subject: c.subject, hours: Math.max(0, (d.finishedAt - c.authoredAt) / HOUR) }))
    .sort((a, b) => a.hours - b.hours);
  const builds = releaseBuilds(db, [d.id]);
  const failed = builds.filter((b) => FAILED.has(b.conclusion ?? ''));
  const failedSteps = new Map<string, number>();
  for (const j of jobsOfRuns(db, failed)) {
    if (!FAILED.has(j.conclusion ?? '')) continue;
    const key = `${j.name}${j.failedStep ? ` › ${j.failedStep}` : ''}`;
    failedSteps.set(key, (failedSteps.get(key) ?? 0) + 1);
  }
  const manual = dispatchedRuns(db, prev?.finishedAt ?? d.finishedAt - 7 * 24 * HOUR, d.finishedAt);
  const gates = gatesOf(db, d.id);
  const waitMs = sum(gates.map((g) => (g.resolvedAt ?? d.finishedAt) - g.waitingAt));
  const next = nextRelease(db, d);
  const during = deliveryIncidents(db, { since: d.finishedAt, until: next?.finishedAt ?? ctx.clock(), env: d.env });
  const causes = incidentCauses(ctx, during);
  const caused = during.filter((i) => causes.get(i.id)?.has(d.id)).map((i) => i.externalId);
  const hours = leadTimes.map((l) => l.hours);
  return {
    leadTimes,
    builds,
    manual,
    failedSteps,
    incidentsCaused: caused,
    incidentsDuring: during.map((i) => i.externalId),
    figures: {
      commits: leadTimes.length,
      leadMedianH: quantile(hours, 0.5),
      leadP90H: quantile(hours, 0.9),
      failedBuilds: failed.length,
      approvalWaitH: gates.length > 0 ? Math.round((100 * waitMs) / HOUR) / 100 : null,
      manualRuns: manual.length,
      incidents: caused.length,
    },
  };
}

interface CheckRecord {
  name: string;
  runs: number;
  failures: number;
  deploys: Set<number>;
  /** incidents caused by a deploy on which this check passed */
  passedBeforeIncident: string[];
}

/** Each check (workflow › job) over the given releases: how often it ran, failed, and passed before an incident. */
function checkHistory(ctx: AppContext, releases: readonly ReleaseDeploy[]): CheckRecord[] {
  const db = ctx.store;
  if (releases.length === 0) return [];
  const builds = releaseBuilds(
    db,
    releases.map((r) => r.id),
  );
  const jobs = jobsOfRuns(db, builds);
  const runOf = new Map<string, ReleaseBuild[]>();
  for (const b of builds) runOf.set(`${b.repo}\0${b.runId}`, [...(runOf.get(`${b.repo}\0${b.runId}`) ?? []), b]);
  const oldest = Math.min(...releases.map((r) => r.finishedAt));
  const incidents = deliveryIncidents(db, { since: oldest, until: ctx.clock(), env: releases[0]!.env });
  const causes = incidentCauses(ctx, incidents);
  const causedBy = new Map<number, string[]>();
  for (const i of incidents)
    for (const id of causes.get(i.id) ?? []) causedBy.set(id, [...(causedBy.get(id) ?? []), i.externalId]);
  const out = new Map<string, CheckRecord>();
  for (const j of jobs) {
    for (const b of runOf.get(`${j.repo}\0${j.runId}`) ?? []) {
      const name = `${b.workflow ?? 'CI'} › ${j.name}`;
      let c = out.get(name);
      if (!c) out.set(name, (c = { name, runs: 0, failures: 0, deploys: new Set(), passedBeforeIncident: [] }));
      c.runs++;
      c.deploys.add(b.deployId);
      if (FAILED.has(j.conclusion ?? '')) c.failures++;
      else if (j.conclusion === 'success') {
        for (const inc of causedBy.get(b.deployId) ?? [])
          if (!c.passedBeforeIncident.includes(inc)) c.passedBeforeIncident.push(inc);
      }
    }
  }
  return [...out.values()].sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name));
}

function failureReason(b: ReleaseBuild, jobs: readonly BuildJobRow[]): string {
  const own = jobs.filter((j) => j.repo === b.repo && j.runId === b.runId && FAILED.has(j.conclusion ?? ''));
  if (own.length === 0) return b.conclusion ?? 'failed';
  return own.map((j) => `job '${j.name}' failed${j.failedStep ? ` at step '${j.failedStep}'` : ''}`).join(', ');
}

const LABELS: Record<keyof ReleaseFigures, string> = {
  commits: 'commits',
  leadMedianH: 'median lead time',
  leadP90H: 'p90 lead time',
  failedBuilds: 'failed CI runs',
  approvalWaitH: 'approval wait',
  manualRuns: 'manual runs',
  incidents: 'incidents caused',
};

/** Lower is better for every figure but the commit count, which is only context. */
function compare(cur: ReleaseFigures, prev: ReleaseFigures | undefined): { better: string[]; worse: string[] } {
  const better: string[] = [];
  const worse: string[] = [];
  if (!prev) return { better, worse };
  for (const key of Object.keys(LABELS) as (keyof ReleaseFigures)[]) {
    if (key === 'commits') continue;
    const a = prev[key];
    const b = cur[key];
    if (a === null || b === null || a === b) continue;
    const hours = key.endsWith('H');
    const line = `${LABELS[key]} ${hours ? h(a) : a} → ${hours ? h(b) : b}`;
    (b < a ? better : worse).push(line);
  }
  return { better, worse };
}

/**
 * The rules, in order; the first that fires is the suggestion, so the pick can be explained and repeated:
 * 1. a check passed on a release that caused an incident → make that check catch it;
 * 2. an error-rate or latency step after this deploy → add that signal as a deploy gate (canary / auto-rollback);
 * 3. the same job failed at the same step twice or more → fix that step (flaky or broken);
 * 4. approval waits ≥ half the median lead time → shorten the gate (fewer reviewers, a wait timer, auto-approve);
 * 5. manually dispatched runs → automate them;
 * 6. a check never failed across the releases → check what it tests;
 * 7. p90 lead time ≥ 3 × the median → ship the slow commits in smaller batches.
 */
export const SUGGESTION_RULES = [
  'missed-incident',
  'signal-step',
  'repeated-failure',
  'approval-wait',
  'manual-step',
  'quiet-check',
  'lead-time-tail',
] as const;

function suggest(
  own: ReleaseFacts,
  checks: readonly CheckRecord[],
  gateCount: number,
  steps: readonly SeriesChange[],
): { change: string; rule: string } | null {
  const missed = checks.find((c) => c.passedBeforeIncident.length > 0);
  if (missed) {
    return {
      rule: 'missed-incident: a check passed on a release that then caused an incident',
      change: `make '${missed.name}' catch what ${missed.passedBeforeIncident[0]} broke (a test for its failure), so the gate checks something real`,
    };
  }
  const worse = steps.find((s) => s.worse);
  if (worse) {
    return {
      rule: 'signal-step: a production signal got worse right after this deploy',
      change: `gate deploys on ${worse.metric.replace('_', ' ')}${worse.series ? ` of ${worse.series}` : ''} (canary or automatic rollback on a step)`,
    };
  }
  const repeated = [...own.failedSteps].sort((a, b) => b[1] - a[1])[0];
  if (repeated && repeated[1] >= 2) {
    return {
      rule: 'repeated-failure: the same job failed at the same step twice or more',
      change: `fix '${repeated[0]}' — it failed ${repeated[1]} times on the way to this release`,
    };
  }
  const f = own.figures;
  if (gateCount > 0 && f.approvalWaitH !== null && f.leadMedianH !== null && f.approvalWaitH >= f.leadMedianH / 2) {
    return {
      rule: 'approval-wait: waiting for approval took at least half the median lead time',
      change: `shorten the approval gate (${h(f.approvalWaitH)} of waiting): fewer required reviewers, or approve low-risk releases automatically`,
    };
  }
  if (own.manual.length > 0) {
    const names = [...new Set(own.manual.map((b) => b.workflow ?? 'run'))];
    return {
      rule: 'manual-step: runs were dispatched by hand',
      change: `automate ${names.join(', ')} (trigger it on push or on the deployment instead of by hand)`,
    };
  }
  const quiet = checks.find((c) => c.failures === 0 && c.deploys.size >= 3);
  if (quiet) {
    return {
      rule: 'quiet-check: a check never failed across the recent releases',
      change: `look at what '${quiet.name}' tests: it passed ${quiet.runs} times and never failed`,
    };
  }
  if (f.leadP90H !== null && f.leadMedianH !== null && f.leadMedianH > 0 && f.leadP90H >= 3 * f.leadMedianH) {
    return {
      rule: 'lead-time-tail: p90 lead time is at least 3 × the median',
      change: `ship in smaller batches: the slowest commits waited ${h(f.leadP90H)} (p90) against a median of ${h(f.leadMedianH)}`,
    };
  }
  return null;
}

const byStrength = (a: SeriesChange, b: SeriesChange): number =>
  (b.verdict.kind === 'insufficient' ? 0 : Math.abs(b.verdict.robustZ)) -
  (a.verdict.kind === 'insufficient' ? 0 : Math.abs(a.verdict.robustZ));

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  // Nearest rank: an observed value, as the DORA figures report.
  return round1(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const round1 = (x: number): number => Math.round(x * 10) / 10;
const iso = (ms: number): string => new Date(ms).toISOString();
const target = (d: ReleaseDeploy): string => (d.service ? `${d.env}/${d.service}` : d.env);
const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

export function h(hours: number | null): string {
  if (hours === null) return '-';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${round1(hours)} h`;
  return `${round1(hours / 24)} d`;
}

/** The compact text rendering shared by the CLI and the tool. */
export function renderReleaseReview(
  r: Omit<ReleaseReview, 'findings'> & { findings: readonly { topic: string; text: string; basis: string }[] },
): string {
  const d = r.deploy;
  const lines = [
    `release review: deploy #${d.id} ${d.env}${d.service ? `/${d.service}` : ''} ${d.sha.slice(0, 12)}${d.ref ? ` [${d.ref}]` : ''} (${d.status}, ${d.finishedAt.slice(0, 16).replace('T', ' ')})` +
      (r.previous ? `, previous #${r.previous.id}` : ', first recorded release'),
  ];
  for (const f of r.findings) lines.push(`- ${f.topic.replace('_', ' ')}: ${f.text}  [${f.basis}]`);
  if (r.better.length) lines.push(`better than the previous release: ${r.better.join('; ')}`);
  if (r.worse.length) lines.push(`worse: ${r.worse.join('; ')}`);
  lines.push(
    r.suggestion
      ? `suggested change: ${r.suggestion.change}  (rule ${r.suggestion.rule})`
      : 'suggested change: none — no rule fired',
  );
  return lines.join('\n');
}
