import { inShortJson } from './dialect.js';
import { refreshImpactSummaries } from './impact-summaries.js';
import { LINK_SCORE_THRESHOLD } from './incidents.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';
import { shippedEarlier } from './first-ship.js';

export type DeployStatus = 'success' | 'failure' | 'rolled_back';
export const DEPLOY_STATUSES: readonly DeployStatus[] = ['success', 'failure', 'rolled_back'];

export interface DeployRow {
  id: number;
  repoId: number;
  env: string;
  service: string;
  sha: string;
  startedAt: number;
  finishedAt: number;
  status: DeployStatus;
  source: string;
  externalId: string | null;
  prevDeployId: number | null;
  rollbackToDeployId: number | null;
  rolledBackByDeployId: number | null;
}

const COLUMNS = `id, repo_id AS repoId, env, service, sha, started_at AS startedAt, finished_at AS finishedAt,
  status, source, external_id AS externalId, prev_deploy_id AS prevDeployId,
  rollback_to_deploy_id AS rollbackToDeployId, rolled_back_by_deploy_id AS rolledBackByDeployId`;

/** COLUMNS of the deploys table aliased `alias` in a join. */
const prefixed = (alias: string): string =>
  COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');

export function getDeploy(db: Db, id: number): DeployRow | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM deploys WHERE id = ?`).get(id) as DeployRow | undefined;
}

/** Tag deploys are recorded as `<tag>@<env>[/<service>]`; the tag is what a reader knows them by. */
export const deployRef = (source: string, externalId: string | null): string | null =>
  source === 'tags' ? (externalId?.replace(/@[^@]*$/, '') ?? null) : externalId;

/** The newest deploy that finished before `before`, optionally of one env and/or service. */
export function latestDeployBefore(
  db: Db,
  q: { before: number; env: string | null; service: string | null },
): DeployRow | undefined {
  return prepared(
    db,
    `SELECT ${COLUMNS} FROM deploys WHERE finished_at < @before AND (CAST(@env AS TEXT) IS NULL OR env = @env)
       AND (CAST(@service AS TEXT) IS NULL OR service = @service)
     ORDER BY finished_at DESC, id DESC LIMIT 1`,
  ).get(q) as DeployRow | undefined;
}

/** Several deploys by id in one query (unknown ids are left out), in no particular order. */
export function getDeploys(db: Db, ids: readonly number[]): DeployRow[] {
  if (ids.length === 0) return [];
  return prepared(db, `SELECT ${COLUMNS} FROM deploys WHERE id IN (${inShortJson(db, '?', 'bigint')})`).all(
    JSON.stringify(ids),
  ) as DeployRow[];
}

export function findDeployByExternal(db: Db, source: string, externalId: string): DeployRow | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM deploys WHERE source = ? AND external_id = ?`).get(source, externalId) as
    DeployRow | undefined;
}

/** Deploys of one env/service from `fromMs` on, in the order they happened. */
export function deploysFrom(db: Db, env: string, service: string, fromMs: number): DeployRow[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM deploys WHERE env = ? AND service = ? AND finished_at >= ? ORDER BY finished_at, id`,
    )
    .all(env, service, fromMs) as DeployRow[];
}

/**
 * Deploys of `deploy`'s env/service that finished before it and whose code was still live when it finished: shipped
 * (not failed) and not rolled back by a deploy that finished before `deploy`. Newest first, at most `limit`.
 */
export function liveBefore(db: Db, deploy: DeployRow, limit: number): DeployRow[] {
  return db
    .prepare(
      `SELECT ${prefixed('d')} FROM deploys d LEFT JOIN deploys r ON r.id = d.rolled_back_by_deploy_id
       WHERE d.env = @env AND d.service = @service AND d.status != 'failure' AND d.id != @id
         AND (d.finished_at < @at OR (d.finished_at = @at AND d.id < @id))
         AND NOT (r.id IS NOT NULL AND r.id != @id AND (r.finished_at < @at OR (r.finished_at = @at AND r.id < @id)))
       ORDER BY d.finished_at DESC, d.id DESC LIMIT @limit`,
    )
    .all({ env: deploy.env, service: deploy.service, id: deploy.id, at: deploy.finishedAt, limit }) as DeployRow[];
}

export function countDeploys(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM deploys').get() as { n: number }).n;
}

export function deployCommitCount(db: Db, deployId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM deploy_commits WHERE deploy_id = ?').get(deployId) as { n: number }).n;
}

/**
 * SQL: true when a non-rejected deploy link of failure grade (confirmed, or scored at least LINK_SCORE_THRESHOLD)
 * names deploy `target` (a TEXT expression), i.e. "this deploy caused an incident".
 */
const failureLinkExists = (target: string): string =>
  `EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = ${target}
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= ${LINK_SCORE_THRESHOLD}))`;

/** Sets deploys.linked_failure for every deploy from the stored links (the backfill bench/gen-org.ts runs). */
export const DEPLOY_FAILURE_BACKFILL = `UPDATE deploys SET linked_failure = ${failureLinkExists('CAST(deploys.id AS TEXT)')};`;

/**
 * Deploys that finished in [since, until] (optionally one env and one repository), and how many of them failed:
 * not a success, or named by a failure-grade incident link.
 */
export function deployFailureCounts(
  db: Db,
  w: { since: number; until: number; env?: string | undefined; repoId: number | null },
): { deploys: number; failed: number } {
  const row = prepared(
    db,
    `SELECT COUNT(*) AS deploys, count(*) FILTER (WHERE status <> 'success' OR linked_failure = 1) AS failed FROM deploys
       WHERE finished_at >= @since AND finished_at <= @until AND (CAST(@env AS TEXT) IS NULL OR env = @env)
         AND (CAST(@repoId AS BIGINT) IS NULL OR repo_id = @repoId)`,
  ).get({ since: w.since, until: w.until, env: w.env ?? null, repoId: w.repoId }) as {
    deploys: number;
    failed: number;
  };
  return row;
}

export interface DeployListRow extends DeployRow {
  prevSha: string | null;
  prevExternalId: string | null;
  prevSource: string | null;
  commits: number;
  /** commits of this deploy whose change an earlier shipped deploy of its env/service already carried (same sha or a cherry-pick) */
  shippedBefore: number;
}

/** Every deploy (optionally of one env and/or service) with its predecessor and range sizes, oldest first. */
export function listDeploys(
  db: Db,
  filter: { env?: string | undefined; service?: string | undefined },
): DeployListRow[] {
  return db
    .prepare(
      `SELECT ${prefixed('d')}, p.sha AS prevSha, p.external_id AS prevExternalId, p.source AS prevSource,
         (SELECT count(*) FROM deploy_commits dc WHERE dc.deploy_id = d.id) AS commits,
         (SELECT count(*) FROM deploy_commits dc WHERE dc.deploy_id = d.id AND ${shippedEarlier(db)}) AS shippedBefore
       FROM deploys d LEFT JOIN deploys p ON p.id = d.prev_deploy_id
       WHERE (CAST(@env AS TEXT) IS NULL OR d.env = @env) AND (CAST(@service AS TEXT) IS NULL OR d.service = @service)
       ORDER BY d.finished_at, d.id`,
    )
    .all({ env: filter.env ?? null, service: filter.service ?? null }) as DeployListRow[];
}

/** The envs and services deploys were recorded for, sorted (to name them when a filter matches none). */
export function deployTargets(db: Db): { envs: string[]; services: string[] } {
  // Every my_deploy_impact call checks its env here: a skip scan of deploys_env_time (env, service, …), one seek per
  // distinct env and per (env, service), instead of reading every deploy row twice (~1.4 ms at 10k deploys).
  const rows = prepared(
    db,
    `WITH RECURSIVE e(x) AS (
       SELECT MIN(env) FROM deploys
       UNION ALL
       SELECT (SELECT MIN(env) FROM deploys WHERE env > e.x) FROM e WHERE e.x IS NOT NULL
     ), s(env, x) AS (
       SELECT x, (SELECT MIN(service) FROM deploys WHERE env = e.x) FROM e WHERE e.x IS NOT NULL
       UNION ALL
       SELECT env, (SELECT MIN(service) FROM deploys WHERE env = s.env AND service > s.x) FROM s WHERE s.x IS NOT NULL
     )
     SELECT 'env' AS kind, env AS value FROM s WHERE env != ''
     UNION
     SELECT 'service' AS kind, x AS value FROM s WHERE x IS NOT NULL AND x != ''
     ORDER BY 1, 2`,
  ).all() as { kind: 'env' | 'service'; value: string }[];
  const of = (kind: 'env' | 'service') => rows.filter((r) => r.kind === kind).map((r) => r.value);
  return { envs: of('env'), services: of('service') };
}

/** Stores a new deploy (its range and links come after, from setDeployLinks); returns its id. */
export function insertDeploy(
  db: Db,
  d: Pick<
    DeployRow,
    'repoId' | 'env' | 'service' | 'sha' | 'startedAt' | 'finishedAt' | 'status' | 'source' | 'externalId'
  >,
): number {
  const row = prepared(
    db,
    `INSERT INTO deploys (repo_id, env, service, sha, started_at, finished_at, status, source, external_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(d.repoId, d.env, d.service, d.sha, d.startedAt, d.finishedAt, d.status, d.source, d.externalId) as {
    id: number;
  };
  return row.id;
}

/** What a deploy's range decided: its predecessor, the deploy it rolled back to, those it rolled back, its commits. */
export interface DeployLinks {
  prevId: number | null;
  rollbackToId: number | null;
  rolledBackIds: readonly number[];
  shas: readonly string[];
}

/** Replaces a deploy's predecessor, rollback links and shipped commits (the caller holds the transaction). */
export function setDeployLinks(db: Db, deployId: number, links: DeployLinks): void {
  prepared(db, 'UPDATE deploys SET prev_deploy_id = ?, rollback_to_deploy_id = ? WHERE id = ?').run(
    links.prevId,
    links.rollbackToId,
    deployId,
  );
  const markRolledBack = prepared(
    db,
    "UPDATE deploys SET status = 'rolled_back', rolled_back_by_deploy_id = ? WHERE id = ?",
  );
  for (const id of links.rolledBackIds) markRolledBack.run(deployId, id);
  prepared(db, 'DELETE FROM deploy_commits WHERE deploy_id = ?').run(deployId);
  const insert = prepared(
    db,
    'INSERT INTO deploy_commits (deploy_id, sha) VALUES (?, ?) ON CONFLICT (deploy_id, sha) DO NOTHING',
  );
  for (const sha of links.shas) insert.run(deployId, sha);
  refreshImpactSummaries(db);
}
