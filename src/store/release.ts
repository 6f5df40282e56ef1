import { inJson } from './dialect.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

/** A job of a CI run: one check a release passes or fails. */
export interface BuildJobRow {
  repo: string;
  runId: string;
  jobId: string;
  name: string;
  conclusion: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** the step that failed, for a failed job */
  failedStep: string | null;
}

/** A wait at an approval gate; resolvedAt null: still waiting when last seen. */
export interface DeployGateRow {
  waitingAt: number;
  resolvedAt: number | null;
  outcome: string | null;
}

export function upsertBuildJobs(db: Db, jobs: readonly BuildJobRow[]): void {
  const put = prepared(
    db,
    `INSERT INTO build_jobs (repo, run_id, job_id, name, conclusion, started_at, finished_at, failed_step)
     VALUES (@repo, @runId, @jobId, @name, @conclusion, @startedAt, @finishedAt, @failedStep)
     ON CONFLICT (repo, job_id) DO UPDATE SET run_id = excluded.run_id, name = excluded.name,
       conclusion = excluded.conclusion, started_at = excluded.started_at, finished_at = excluded.finished_at,
       failed_step = excluded.failed_step`,
  );
  for (const j of jobs) put.run(j);
}

/** Replaces the approval waits of a deploy. */
export function replaceDeployGates(db: Db, deployId: number, gates: readonly DeployGateRow[]): void {
  prepared(db, 'DELETE FROM deploy_gates WHERE deploy_id = ?').run(deployId);
  const put = prepared(
    db,
    `INSERT INTO deploy_gates (deploy_id, waiting_at, resolved_at, outcome) VALUES (?, ?, ?, ?)
     ON CONFLICT (deploy_id, waiting_at) DO NOTHING`,
  );
  for (const g of gates) put.run(deployId, g.waitingAt, g.resolvedAt, g.outcome);
}

/** A deploy as the release review reads it. */
export interface ReleaseDeploy {
  id: number;
  env: string;
  service: string;
  sha: string;
  status: string;
  source: string;
  externalId: string | null;
  finishedAt: number;
  prevDeployId: number | null;
}

const DEPLOY = `SELECT id, env, service, sha, status, source, external_id AS externalId, finished_at AS finishedAt,
  prev_deploy_id AS prevDeployId FROM deploys`;

export function releaseDeploy(db: Db, id: number): ReleaseDeploy | undefined {
  return prepared(db, `${DEPLOY} WHERE id = ?`).get(id) as ReleaseDeploy | undefined;
}

/** The newest deploy of an env (any service). */
export function latestReleaseDeploy(db: Db, env: string): ReleaseDeploy | undefined {
  return prepared(db, `${DEPLOY} WHERE env = ? ORDER BY finished_at DESC, id DESC LIMIT 1`).get(env) as
    ReleaseDeploy | undefined;
}

/** The newest deploy of a full sha, preferring `env`; or one whose external id (tag, GitHub id) is `ref`. */
export function releaseDeployByRef(db: Db, ref: string, env: string): ReleaseDeploy | undefined {
  return prepared(
    db,
    `${DEPLOY} WHERE sha = @ref OR external_id = @ref ORDER BY env = @env DESC, finished_at DESC, id DESC LIMIT 1`,
  ).get({ ref, env }) as ReleaseDeploy | undefined;
}

/** The last `limit` deploys of the env/service that finished at or before `until`, newest first. */
export function releasesBefore(db: Db, d: { env: string; service: string; until: number }, limit: number) {
  return prepared(
    db,
    `${DEPLOY} WHERE env = @env AND service = @service AND finished_at <= @until ORDER BY finished_at DESC, id DESC
     LIMIT @limit`,
  ).all({ ...d, limit }) as ReleaseDeploy[];
}

/** The next deploy of the same env/service (when this one stopped being what ran). */
export function nextRelease(db: Db, d: ReleaseDeploy): ReleaseDeploy | undefined {
  return prepared(
    db,
    `${DEPLOY} WHERE env = @env AND service = @service AND (finished_at > @finishedAt OR (finished_at = @finishedAt AND id > @id))
     ORDER BY finished_at, id LIMIT 1`,
  ).get(d) as ReleaseDeploy | undefined;
}

export interface ReleaseCommit {
  sha: string;
  subject: string;
  authoredAt: number;
}

/** The non-merge commits a deploy shipped. */
export function releaseCommits(db: Db, deployId: number): ReleaseCommit[] {
  return prepared(
    db,
    `SELECT c.sha, c.subject, c.authored_at AS authoredAt FROM deploy_commits dc JOIN commits c ON c.sha = dc.sha
     WHERE dc.deploy_id = ? AND c.is_merge = 0 ORDER BY c.authored_at, c.sha`,
  ).all(deployId) as ReleaseCommit[];
}

export interface ReleaseBuild {
  deployId: number;
  repo: string;
  runId: string;
  workflow: string | null;
  headSha: string;
  event: string | null;
  conclusion: string | null;
  startedAt: number | null;
  durationMs: number | null;
  url: string | null;
}

/** CI runs of the commits each deploy shipped (its tip included), oldest first. */
export function releaseBuilds(db: Db, deployIds: readonly number[]): ReleaseBuild[] {
  if (deployIds.length === 0) return [];
  return prepared(
    db,
    `SELECT d.id AS deployId, b.repo, b.run_id AS runId, b.workflow, b.head_sha AS headSha, b.event, b.conclusion,
       b.started_at AS startedAt, b.duration_ms AS durationMs, b.url
     FROM deploys d JOIN builds b ON b.head_sha = d.sha
       OR b.head_sha IN (SELECT sha FROM deploy_commits WHERE deploy_id = d.id)
     WHERE d.id IN (${inJson(db, '?', 'bigint')}) ORDER BY b.started_at, b.run_id`,
  ).all(JSON.stringify(deployIds)) as ReleaseBuild[];
}

/** Manually dispatched runs (`workflow_dispatch`) that started in (from, to]. */
export function dispatchedRuns(db: Db, from: number, to: number): Omit<ReleaseBuild, 'deployId'>[] {
  return prepared(
    db,
    `SELECT repo, run_id AS runId, workflow, head_sha AS headSha, event, conclusion, started_at AS startedAt,
       duration_ms AS durationMs, url
     FROM builds WHERE event = 'workflow_dispatch' AND started_at > ? AND started_at <= ? ORDER BY started_at`,
  ).all(from, to) as Omit<ReleaseBuild, 'deployId'>[];
}

/** The jobs of the given runs. */
export function jobsOfRuns(db: Db, runs: readonly { repo: string; runId: string }[]): BuildJobRow[] {
  if (runs.length === 0) return [];
  return prepared(
    db,
    `SELECT j.repo, j.run_id AS runId, j.job_id AS jobId, j.name, j.conclusion, j.started_at AS startedAt,
       j.finished_at AS finishedAt, j.failed_step AS failedStep
     FROM build_jobs j
     WHERE j.repo IN (${inJson(db, '?')}) AND j.run_id IN (${inJson(db, '?')})
       AND j.repo || ' ' || j.run_id IN (${inJson(db, '?')})
     ORDER BY j.started_at, j.job_id`,
    // repos and run ids narrow by index (repo, run_id); "repo runId" keys (no repository name has a space) keep
    // each run to its own repository
  ).all(
    JSON.stringify([...new Set(runs.map((r) => r.repo))]),
    JSON.stringify(runs.map((r) => r.runId)),
    JSON.stringify(runs.map((r) => `${r.repo} ${r.runId}`)),
  ) as BuildJobRow[];
}

export function gatesOf(db: Db, deployId: number): DeployGateRow[] {
  return prepared(
    db,
    `SELECT waiting_at AS waitingAt, resolved_at AS resolvedAt, outcome FROM deploy_gates WHERE deploy_id = ?
     ORDER BY waiting_at`,
  ).all(deployId) as DeployGateRow[];
}

/** True when any CI run or approval wait is stored: a review without them says what to ingest. */
export function hasCiData(db: Db): { builds: boolean; jobs: boolean; gates: boolean } {
  const any = (table: string) => prepared(db, `SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined;
  return { builds: any('builds'), jobs: any('build_jobs'), gates: any('deploy_gates') };
}
