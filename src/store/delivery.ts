import { inJson, joinInOrder, jsonValues } from './dialect.js';
import type { DeployStatus } from './deploys.js';
import { LINK_SCORE_THRESHOLD } from './incidents.js';
// The DORA figures read the same few shapes for two windows per call: `prepared` keeps each once per database.
import { prepared } from './prepared.js';
import type { Db } from './open.js';
import { shippedEarlier } from './first-ship.js';

/** A deploy as the delivery figures need it; times are unix ms. */
export interface DeliveryDeploy {
  id: number;
  env: string;
  service: string;
  status: DeployStatus;
  finishedAt: number;
  rollbackToDeployId: number | null;
}

const DEPLOYS = `SELECT id, env, service, status, finished_at AS finishedAt, rollback_to_deploy_id AS rollbackToDeployId
  FROM deploys WHERE finished_at >= @since AND finished_at <= @until AND (CAST(@env AS TEXT) IS NULL OR env = @env)
    AND (CAST(@service AS TEXT) IS NULL OR service = @service)
  ORDER BY env, service, finished_at, id`;

/** Deploys that finished in [since, until], optionally of one env and/or one service, oldest first per target. */
export function deliveryDeploys(
  db: Db,
  w: { since: number; until: number; env: string | null; service: string | null },
): DeliveryDeploy[] {
  return prepared(db, DEPLOYS).all(w) as DeliveryDeploy[];
}

/** A non-merge commit a deploy carried, with whether this deploy was the first of its env/service to ship it. */
export interface ShippedCommit {
  deployId: number;
  sha: string;
  authoredAt: number;
  kind: 'human' | 'agent' | 'pair';
  agent: string | null;
  revertsSha: string | null;
  firstShip: 0 | 1;
}

// "First ship": no earlier deploy of the same env/service that did not fail carried this change (store/first-ship.ts).
const SHIPPED = (
  db: Db,
): string => `SELECT dc.deploy_id AS deployId, c.sha, c.authored_at AS authoredAt, c.author_kind AS kind, c.agent,
    c.reverts_sha AS revertsSha,
    CASE WHEN ${shippedEarlier(db)} THEN 0 ELSE 1 END AS firstShip
  FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id JOIN commits c ON c.sha = dc.sha
  WHERE dc.deploy_id IN (${inJson(db, '?', 'bigint')}) AND c.is_merge = 0`;

/** The non-merge commits the given deploys carried (commits not in the store are left out). */
export function shippedCommits(db: Db, deployIds: readonly number[]): ShippedCommit[] {
  if (deployIds.length === 0) return [];
  return prepared(db, SHIPPED(db)).all(JSON.stringify(deployIds)) as ShippedCommit[];
}

/** An incident as the failure attribution needs it. */
export interface DeliveryIncident {
  id: number;
  externalId: string;
  env: string;
  service: string | null;
  startedAt: number;
  resolvedAt: number | null;
  fixSha: string | null;
  rootCauseSha: string | null;
}

const INCIDENTS = `SELECT id, external_id AS externalId, env, service, started_at AS startedAt, resolved_at AS resolvedAt,
    fix_sha AS fixSha, root_cause_sha AS rootCauseSha
  FROM incidents WHERE started_at >= @since AND started_at <= @until AND (CAST(@env AS TEXT) IS NULL OR env = @env)
  ORDER BY started_at, id`;

/** Incidents that started in [since, until], optionally of one env. */
export function deliveryIncidents(db: Db, w: { since: number; until: number; env: string | null }): DeliveryIncident[] {
  return prepared(db, INCIDENTS).all(w) as DeliveryIncident[];
}

/** A link of failure grade: not rejected, and confirmed or scored at least LINK_SCORE_THRESHOLD. */
export interface CauseLink {
  incidentId: number;
  kind: 'deploy' | 'commit';
  target: string;
  score: number;
  status: 'suspect' | 'confirmed';
}

const CAUSE_LINKS = (
  db: Db,
): string => `SELECT incident_id AS incidentId, kind, target, score, status FROM incident_links
  WHERE incident_id IN (${inJson(db, '?', 'bigint')}) AND status <> 'rejected'
    AND (status = 'confirmed' OR score >= ${LINK_SCORE_THRESHOLD})
  ORDER BY incident_id, status = 'confirmed' DESC, score DESC, kind = 'deploy' DESC, target`;

/** Failure-grade links of the given incidents: per incident confirmed first, then by score. */
export function causeLinks(db: Db, incidentIds: readonly number[]): CauseLink[] {
  if (incidentIds.length === 0) return [];
  return prepared(db, CAUSE_LINKS(db)).all(JSON.stringify(incidentIds)) as CauseLink[];
}

// The first deploy of the incident's env (and service, when the incident names one; '' is the whole repository)
// that shipped the sha and finished by the time the incident began. From the sha's few deploys, in a fixed order:
// SQLite's planner otherwise walked every deploy of the env, checking each for the sha (~1 ms per call at 4,500
// deploys, once per linked commit of every incident in the window).
const FIRST_SHIP = (
  db: Db,
): string => `SELECT d.id FROM deploy_commits dc ${joinInOrder(db)} deploys d ON d.id = dc.deploy_id
  WHERE dc.sha = @sha AND d.env = @env AND d.status <> 'failure' AND d.finished_at <= @before
    AND (CAST(@service AS TEXT) IS NULL OR d.service IN (@service, ''))
  ORDER BY d.finished_at, d.id LIMIT 1`;

/** The deploy that first put `sha` into env/service before `before`, or undefined. */
export function firstShippingDeploy(
  db: Db,
  q: { sha: string; env: string; service: string | null; before: number },
): number | undefined {
  return (prepared(db, FIRST_SHIP(db)).get(q) as { id: number } | undefined)?.id;
}

/** Deploy ids that exist among the given ones (deploy links name a deploy by text id). */
export function existingDeploys(db: Db, ids: readonly number[]): Map<number, DeliveryDeploy> {
  if (ids.length === 0) return new Map();
  const rows = prepared(
    db,
    `SELECT id, env, service, status, finished_at AS finishedAt, rollback_to_deploy_id AS rollbackToDeployId
     FROM deploys WHERE id IN (${inJson(db, '?', 'bigint')})`,
  ).all(JSON.stringify(ids)) as DeliveryDeploy[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** `Fixes: <sha>` references written in the given commits, resolved to full shas. */
export function fixReferences(db: Db, shas: readonly string[]): { sha: string; fixedSha: string }[] {
  if (shas.length === 0) return [];
  return prepared(
    db,
    `SELECT sha, fixed_sha AS fixedSha FROM commit_fixes
     WHERE sha IN (${inJson(db, '?')}) AND fixed_sha IS NOT NULL`,
  ).all(JSON.stringify(shas)) as { sha: string; fixedSha: string }[];
}

/** Which of the given shas is some incident's fix commit. */
export function incidentFixShas(db: Db, shas: readonly string[]): Set<string> {
  if (shas.length === 0) return new Set();
  const rows = prepared(db, `SELECT DISTINCT fix_sha AS sha FROM incidents WHERE fix_sha IN (${inJson(db, '?')})`).all(
    JSON.stringify(shas),
  ) as { sha: string }[];
  return new Set(rows.map((r) => r.sha));
}

/**
 * Which of the given shas caused a failure: named by a failure-grade commit link or as an incident's root cause,
 * or shipped by a deploy that failed or was rolled back.
 */
export function failureCommits(db: Db, shas: readonly string[]): Set<string> {
  if (shas.length === 0) return new Set();
  const rows = prepared(
    db,
    `SELECT value AS sha FROM ${jsonValues(db, '?', 'j')} WHERE
       EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'commit' AND l.target = j.value
         AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= ${LINK_SCORE_THRESHOLD}))
       OR EXISTS (SELECT 1 FROM incidents i WHERE i.root_cause_sha = j.value)
       OR EXISTS (SELECT 1 FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
         WHERE dc.sha = j.value AND d.status IN ('failure', 'rolled_back'))`,
  ).all(JSON.stringify(shas)) as { sha: string }[];
  return new Set(rows.map((r) => r.sha));
}
