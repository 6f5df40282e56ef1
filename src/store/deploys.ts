import { LINK_SCORE_THRESHOLD } from './incidents.js';
import type { Db } from './open.js';

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

export function getDeploy(db: Db, id: number): DeployRow | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM deploys WHERE id = ?`).get(id) as DeployRow | undefined;
}

/** Several deploys by id in one query (unknown ids are left out), in no particular order. */
export function getDeploys(db: Db, ids: readonly number[]): DeployRow[] {
  if (ids.length === 0) return [];
  return db
    .prepare(`SELECT ${COLUMNS} FROM deploys WHERE id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as DeployRow[];
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

/** The last deploy that shipped (success or later rolled back) strictly before `deploy` in its env/service. */
export function previousShipped(db: Db, deploy: DeployRow): DeployRow | undefined {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM deploys
       WHERE env = ? AND service = ? AND status != 'failure' AND id != ?
         AND (finished_at < ? OR (finished_at = ? AND id < ?))
       ORDER BY finished_at DESC, id DESC LIMIT 1`,
    )
    .get(deploy.env, deploy.service, deploy.id, deploy.finishedAt, deploy.finishedAt, deploy.id) as
    DeployRow | undefined;
}

/** The newest earlier shipped deploy of the same sha (a re-deploy of it is a rollback). */
export function earlierShippedOfSha(db: Db, deploy: DeployRow): DeployRow | undefined {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM deploys
       WHERE env = ? AND service = ? AND sha = ? AND status != 'failure' AND id != ?
         AND (finished_at < ? OR (finished_at = ? AND id < ?))
       ORDER BY finished_at DESC, id DESC LIMIT 1`,
    )
    .get(deploy.env, deploy.service, deploy.sha, deploy.id, deploy.finishedAt, deploy.finishedAt, deploy.id) as
    DeployRow | undefined;
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

const refreshFailure = (target: string) =>
  `UPDATE deploys SET linked_failure = ${failureLinkExists(target)} WHERE id = CAST(${target} AS INTEGER);`;

/**
 * deploys.linked_failure (migration 0008) kept in step with every writer of deploy links and deploys, so a window's
 * change failure count is a covering range read instead of a link lookup per deploy (8k deploys in 90 days at org
 * scale: ~15-25 ms).
 */
export const DEPLOY_FAILURE_TRIGGERS = `
CREATE TRIGGER deploys_linked_failure_link_ai AFTER INSERT ON incident_links WHEN new.kind = 'deploy' BEGIN
  ${refreshFailure('new.target')}
END;
CREATE TRIGGER deploys_linked_failure_link_au AFTER UPDATE ON incident_links
WHEN old.kind = 'deploy' OR new.kind = 'deploy' BEGIN
  ${refreshFailure('old.target')}
  ${refreshFailure('new.target')}
END;
CREATE TRIGGER deploys_linked_failure_link_ad AFTER DELETE ON incident_links WHEN old.kind = 'deploy' BEGIN
  ${refreshFailure('old.target')}
END;
CREATE TRIGGER deploys_linked_failure_ai AFTER INSERT ON deploys BEGIN
  ${refreshFailure('CAST(new.id AS TEXT)')}
END;`;

/** Sets deploys.linked_failure for every deploy from the stored links (the migration backfill). */
export const DEPLOY_FAILURE_BACKFILL = `UPDATE deploys SET linked_failure = ${failureLinkExists('CAST(deploys.id AS TEXT)')};`;

/**
 * Deploys that finished in [since, until] (optionally one env and one repository), and how many of them failed:
 * not a success, or named by a failure-grade incident link.
 */
export function deployFailureCounts(
  db: Db,
  w: { since: number; until: number; env?: string | undefined; repoId: number | null },
): { deploys: number; failed: number } {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS deploys, COALESCE(SUM(status <> 'success' OR linked_failure), 0) AS failed FROM deploys
       WHERE finished_at >= @since AND finished_at <= @until AND (@env IS NULL OR env = @env)
         AND (@repoId IS NULL OR repo_id = @repoId)`,
    )
    .get({ since: w.since, until: w.until, env: w.env ?? null, repoId: w.repoId }) as {
    deploys: number;
    failed: number;
  };
  return row;
}
