import { z } from 'zod';
import type { DeployStatus } from '../store/deploys.js';
import type { BuildRow, PullRequestRow } from '../store/github.js';
import type { BuildJobRow, DeployGateRow } from '../store/release.js';
import { parseFrame } from '../ingest/frames.js';
import { redactSecrets } from '../redact.js';

// GitHub shapes → our rows. The same objects arrive from the REST API and inside webhook payloads, so one
// schema per object serves both doors. Schemas name only the fields we read (zod drops the rest), and they
// validate at the door: a payload that lacks them is answered with a 400 naming the field.

const when = z.string().transform((v, ctx) => {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `'${v}' is not an ISO 8601 date-time` });
    return z.NEVER;
  }
  return ms;
});
const sha = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i, 'must be a full commit sha');

export const deploymentSchema = z.object({
  id: z.number().int(),
  sha,
  ref: z.string(),
  environment: z.string(),
  created_at: when,
});
export type Deployment = z.output<typeof deploymentSchema>;

export const deploymentStatusSchema = z.object({
  id: z.number().int(),
  state: z.string(),
  created_at: when,
});
export type DeploymentStatus = z.output<typeof deploymentStatusSchema>;

export const workflowRunSchema = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  head_sha: sha,
  head_branch: z.string().nullish(),
  event: z.string(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  created_at: when,
  updated_at: when,
  run_started_at: when.optional(),
  html_url: z.string(),
});
export type WorkflowRun = z.output<typeof workflowRunSchema>;

/** A job of a workflow run (GET …/actions/runs/{id}/jobs, or a `workflow_job` webhook's `workflow_job`). */
export const jobSchema = z.object({
  id: z.number().int(),
  run_id: z.number().int(),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  started_at: when,
  completed_at: when.nullable(),
  steps: z.array(z.object({ name: z.string(), conclusion: z.string().nullable() })).optional(),
});
export type Job = z.output<typeof jobSchema>;

export const releaseSchema = z.object({
  id: z.number().int(),
  tag_name: z.string(),
  draft: z.boolean(),
  prerelease: z.boolean(),
  created_at: when,
  published_at: when.nullable(),
});
export type Release = z.output<typeof releaseSchema>;

export const pullRequestSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullish(),
  user: z.object({ login: z.string() }).nullable(),
  state: z.string(),
  draft: z.boolean().optional(),
  created_at: when,
  updated_at: when,
  merged_at: when.nullable(),
  closed_at: when.nullable(),
  merge_commit_sha: z.string().nullable(),
  head: z.object({ ref: z.string() }),
  base: z.object({ ref: z.string() }),
  html_url: z.string(),
});
export type PullRequest = z.output<typeof pullRequestSchema>;

export const issueSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.string(),
  created_at: when,
  updated_at: when,
  closed_at: when.nullable(),
  html_url: z.string(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string().optional() })])),
  pull_request: z.unknown().optional(),
});
export type Issue = z.output<typeof issueSchema>;

/** How a deployment ended, from its statuses (newest first, as GitHub lists them). */
export type DeployOutcome =
  | { kind: 'final'; status: Extract<DeployStatus, 'success' | 'failure'>; at: number }
  | { kind: 'pending'; why: string }
  | { kind: 'never'; why: string };

/**
 * success → success; failure/error → failure. `inactive` means a later deploy superseded this one: the state
 * before it decides (a superseded success stayed a success; superseded before any result: it never shipped).
 * queued/pending/in_progress: not over yet.
 */
export function deployOutcome(statuses: readonly DeploymentStatus[]): DeployOutcome {
  for (const s of statuses) {
    if (s.state === 'success') return { kind: 'final', status: 'success', at: s.created_at };
    if (s.state === 'failure' || s.state === 'error') return { kind: 'final', status: 'failure', at: s.created_at };
  }
  if (statuses.some((s) => s.state === 'inactive')) return { kind: 'never', why: 'superseded before it finished' };
  return { kind: 'pending', why: `still ${statuses[0]?.state ?? 'without a status'}` };
}

/** GitHub environment names may hold spaces ("Production EU"); deploy envs are single tokens. */
export function envName(environment: string): string {
  return (
    environment
      .trim()
      .replace(/[^\w.\-/:@]+/g, '-')
      .slice(0, 100) || 'production'
  );
}

export function toBuildRow(repo: string, run: WorkflowRun): BuildRow {
  const completed = run.status === 'completed';
  const startedAt = run.run_started_at ?? run.created_at;
  return {
    repo,
    runId: String(run.id),
    workflow: run.name ?? null,
    headSha: run.head_sha.toLowerCase(),
    branch: run.head_branch ?? null,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    startedAt,
    // A completed run is last updated when it finished.
    finishedAt: completed ? run.updated_at : null,
    durationMs: completed ? Math.max(0, run.updated_at - startedAt) : null,
    url: run.html_url,
  };
}

/** A job → its row; a failed job names the step that failed (why the build failed, as GitHub shows it). */
export function toJobRow(repo: string, job: Job): BuildJobRow {
  const failed = job.conclusion === 'failure' || job.conclusion === 'timed_out';
  const step = failed ? job.steps?.find((s) => s.conclusion === 'failure' || s.conclusion === 'timed_out') : undefined;
  return {
    repo,
    runId: String(job.run_id),
    jobId: String(job.id),
    name: redactSecrets(job.name).text,
    conclusion: job.conclusion,
    startedAt: job.started_at,
    finishedAt: job.completed_at,
    failedStep: step ? redactSecrets(step.name).text : null,
  };
}

/**
 * Waits at an approval gate from a deployment's statuses (any order): each `waiting` status (GitHub environment
 * protection: required reviewers or a wait timer) lasts until the next status after it, whose state says how it ended.
 */
export function approvalWaits(statuses: readonly DeploymentStatus[]): DeployGateRow[] {
  const sorted = [...statuses].sort((a, b) => a.created_at - b.created_at || a.id - b.id);
  const out: DeployGateRow[] = [];
  sorted.forEach((s, i) => {
    if (s.state !== 'waiting') return;
    const next = sorted.slice(i + 1).find((n) => n.state !== 'waiting');
    out.push({ waitingAt: s.created_at, resolvedAt: next?.created_at ?? null, outcome: next?.state ?? null });
  });
  return out;
}

export function toPullRequestRow(repo: string, pr: PullRequest): PullRequestRow {
  return {
    repo,
    number: pr.number,
    title: redactSecrets(pr.title).text,
    author: pr.user?.login ?? null,
    state: pr.merged_at !== null ? 'merged' : pr.state === 'closed' ? 'closed' : 'open',
    draft: pr.draft === true,
    createdAt: pr.created_at,
    mergedAt: pr.merged_at,
    closedAt: pr.closed_at,
    mergeSha: pr.merged_at !== null ? (pr.merge_commit_sha?.toLowerCase() ?? null) : null,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    url: pr.html_url,
  };
}

// GitHub's closing keywords: https://docs.github.com/en/issues/tracking-your-work-with-issues/linking-a-pull-request-to-an-issue
// `\s*:?\s+` was quadratic on a long run of spaces after `fix` (a pull request body is anyone's text).
const CLOSES =
  /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?:\s*:\s+|\s+)(?:([\w.-]{1,100}\/[\w.-]{1,100}))?#(\d+)\b/gi;

/** Issue numbers of this repository that a pull request body closes (`Fixes #12`, `resolves acme/shop#12`). */
export function closedIssues(repo: string, body: string | null | undefined): number[] {
  const out = new Set<number>();
  for (const m of (body ?? '').matchAll(CLOSES)) {
    if (m[1] !== undefined && m[1].toLowerCase() !== repo.toLowerCase()) continue;
    out.add(Number(m[2]));
  }
  return [...out];
}

/** The external id of the incident an issue becomes: `owner/name#12`, unique across repositories. */
export function issueIncidentId(repo: string, number: number): string {
  return `${repo}#${number}`;
}

export function labelNames(issue: Pick<Issue, 'labels'>): string[] {
  return issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');
}

export function hasLabel(issue: Pick<Issue, 'labels'>, label: string): boolean {
  const want = label.toLowerCase();
  return labelNames(issue).some((n) => n.toLowerCase() === want);
}

/**
 * An incident issue as an incident-import row (validated by `checkIncidentRow`): severity, service and module
 * from labels (`sev1`, `P2`, `severity: high`, `service: payments`, `module: auth`), `root cause: <sha>` and
 * stack frames (inside fenced code blocks) from the body.
 */
export function issueToIncidentRow(repo: string, issue: Issue, env: string): Record<string, unknown> {
  const labels = labelNames(issue);
  const closed = issue.state === 'closed' && issue.closed_at !== null;
  const body = issue.body ?? '';
  const frames = fencedFrames(body);
  return {
    id: issueIncidentId(repo, issue.number),
    source: 'github',
    title: issue.title,
    started_at: new Date(issue.created_at).toISOString(),
    resolved_at: closed ? new Date(issue.closed_at!).toISOString() : undefined,
    status: closed ? 'resolved' : 'open',
    env,
    severity: severityOf(labels),
    service: labelValue(labels, 'service'),
    module: labelValue(labels, 'module'),
    url: issue.html_url,
    summary: body || undefined,
    root_cause_sha: /\broot[\s-]*cause\s*:\s*`?([0-9a-f]{7,40})\b/i.exec(body)?.[1],
    stack_frames: frames.length > 0 ? frames : undefined,
  };
}

function severityOf(labels: string[]): string | undefined {
  for (const l of labels) {
    const sev = /^sev(?:erity)?[\s-]*([0-9])$/i.exec(l);
    if (sev) return `SEV${sev[1]}`;
    if (/^p[0-4]$/i.test(l)) return l.toUpperCase();
  }
  return labelValue(labels, 'severity');
}

/** `service: payments`, `service/payments`, `service:payments` → payments. */
function labelValue(labels: string[], key: string): string | undefined {
  const re = new RegExp(`^${key}\\s*[:/=]\\s*(.+)$`, 'i');
  for (const l of labels) {
    const m = re.exec(l);
    if (m) return m[1]!.trim();
  }
  return undefined;
}

/** Frames pasted in ``` blocks; prose outside them is not read as paths. */
function fencedFrames(body: string): string[] {
  const out: string[] = [];
  // Line by line (a regex over the body was quadratic on a run of backticks): a line starting with ``` opens or
  // closes a block.
  let inside = false;
  for (const line of body.split(/\r?\n/)) {
    if (line.trimStart().startsWith('```')) inside = !inside;
    // A line number marks a frame; a bare `package.json` in a shell snippet is not one.
    else if (inside && parseFrame(line)?.line != null) out.push(line.trim());
  }
  return out;
}
