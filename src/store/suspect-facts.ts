import { joinInOrder, jsonValues, noIndex } from './dialect.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// The reads attribution makes for each incident (facts about incidents, deploys and commits), 100k times at org
// scale: each statement is prepared once per database.

export interface IncidentFactsRow {
  id: number;
  externalId: string;
  title: string;
  startedAt: number;
  resolvedAt: number | null;
  env: string;
  service: string | null;
  module: string | null;
  fixSha: string | null;
  rootCauseSha: string | null;
}

export interface PathModule {
  path: string;
  module: string;
}

/** A file a commit changed, with the lines it added and deleted there (0 for a binary file). */
export interface CommitFile extends PathModule {
  lines: number;
}

export interface DeployFactsRow {
  id: number;
  sha: string;
  finishedAt: number;
  status: string;
  rolledBackBy: number | null;
  rolledBackAt: number | null;
}

export interface CommitRow {
  sha: string;
  subject: string;
  authoredAt: number;
  size: number;
}

/** An incident as the same-failure search sees it (every incident, loaded once per attribution run). */
export interface FailureRow {
  id: number;
  externalId: string;
  title: string;
  env: string;
  module: string | null;
  startedAt: number;
  /** it has a fix or root cause of its own */
  known: number;
}

export function incidentFacts(db: Db, id: number): IncidentFactsRow | undefined {
  return stmt(
    db,
    `SELECT id, external_id AS externalId, title, started_at AS startedAt, resolved_at AS resolvedAt, env, service,
            module, fix_sha AS fixSha, root_cause_sha AS rootCauseSha
     FROM incidents WHERE id = ?`,
  ).get(id) as IncidentFactsRow | undefined;
}

/** The files and frames an incident names, without vendored code (dependencies are not our suspects). */
export function incidentOwnFiles(db: Db, id: number): PathModule[] {
  return stmt(
    db,
    `SELECT path, module FROM incident_files WHERE incident_id = ?
       AND path NOT LIKE '%node_modules/%' AND path NOT LIKE '%site-packages/%'
     GROUP BY path, module ORDER BY MIN(rowid)`,
  ).all(id) as PathModule[];
}

/** Every path an incident names (files and frames, as stored). */
export function incidentPaths(db: Db, id: number): string[] {
  return stmt(db, 'SELECT path FROM incident_files WHERE incident_id = ?').pluck().all(id) as string[];
}

/** `known` by CASE, not a bare comparison: PostgreSQL answers a comparison with true/false, the index keys on 1/0. */
export function failureRows(db: Db): FailureRow[] {
  return stmt(
    db,
    `SELECT id, external_id AS externalId, title, env, module, started_at AS startedAt,
            CASE WHEN fix_sha IS NOT NULL OR root_cause_sha IS NOT NULL THEN 1 ELSE 0 END AS known
     FROM incidents ORDER BY started_at, id`,
  ).all() as FailureRow[];
}

/**
 * The latest shipped (not failed) deploys of an environment and service in a window before `before`. Two shapes so
 * each reads only the window: `service = '' OR service = ?` with a null service defeated the (env, service,
 * finished_at) index, and every incident walked all deploys of its environment (60k at 1M commits).
 */
export function candidateDeploys(
  db: Db,
  q: { env: string; service: string | null; before: number; from: number; limit: number },
): DeployFactsRow[] {
  // Any service: the window of the time index (`+d.env` keeps the planner off the env index), filtered by env.
  const where = q.service === null ? `${noIndex(db, 'd.env')} = ?` : "d.env = ? AND d.service IN ('', ?)";
  const params = q.service === null ? [q.env] : [q.env, q.service];
  return stmt(
    db,
    `SELECT d.id, d.sha, d.finished_at AS finishedAt, d.status, d.rolled_back_by_deploy_id AS rolledBackBy,
            r.finished_at AS rolledBackAt
     FROM deploys d LEFT JOIN deploys r ON r.id = d.rolled_back_by_deploy_id
     WHERE ${where} AND d.status != 'failure' AND d.finished_at < ? AND d.finished_at >= ?
     ORDER BY d.finished_at DESC, d.id DESC LIMIT ?`,
  ).all(...params, q.before, q.from, q.limit) as DeployFactsRow[];
}

/** The ordinary (non-merge) commits a deploy shipped; with `paths`, only those that touched one of them. */
export function commitsOfDeploy(db: Db, deployId: number, paths: readonly string[] = []): CommitRow[] {
  const related =
    paths.length > 0
      ? `AND EXISTS (SELECT 1 FROM commit_files cf WHERE cf.sha = c.sha AND cf.path IN (${paths.map(() => '?').join(',')}))`
      : '';
  return stmt(
    db,
    `SELECT c.sha, c.subject, c.authored_at AS authoredAt, c.added + c.deleted AS size
     FROM deploy_commits dc JOIN commits c ON c.sha = dc.sha
     WHERE dc.deploy_id = ? AND c.is_merge = 0 ${related}`,
  ).all(deployId, ...paths) as CommitRow[];
}

export function commitRow(db: Db, sha: string): CommitRow | undefined {
  return stmt(
    db,
    'SELECT sha, subject, authored_at AS authoredAt, added + deleted AS size FROM commits WHERE sha = ?',
  ).get(sha) as CommitRow | undefined;
}

export function commitPathModules(db: Db, sha: string): PathModule[] {
  return stmt(db, 'SELECT path, module FROM commit_files WHERE sha = ?').all(sha) as PathModule[];
}

/**
 * The files of many commits in one statement, each commit's in path order (as its primary key gives them one at a
 * time): an incident's suspects are up to several hundred commits, and on PostgreSQL every statement is a round trip.
 */
export function commitPathModulesOf(db: Db, shas: readonly string[]): Map<string, CommitFile[]> {
  const out = new Map<string, CommitFile[]>();
  if (shas.length === 0) return out;
  const rows = stmt(
    db,
    `SELECT cf.sha, cf.path, cf.module, COALESCE(cf.added, 0) + COALESCE(cf.deleted, 0) AS lines
     FROM ${jsonValues(db, '?', 'j')} ${joinInOrder(db)} commit_files cf ON cf.sha = j.value
     ORDER BY cf.sha, cf.path`,
  ).all(JSON.stringify(shas)) as (CommitFile & { sha: string })[];
  for (const { sha, path, module, lines } of rows) {
    let files = out.get(sha);
    if (!files) out.set(sha, (files = []));
    files.push({ path, module, lines: Number(lines) });
  }
  return out;
}

/** The first commit that reverted each of `shas` before `before` (the earliest by commit time), in one statement. */
export function firstRevertsOf(
  db: Db,
  shas: readonly string[],
  before: number,
): Map<string, { sha: string; at: number }> {
  const out = new Map<string, { sha: string; at: number }>();
  if (shas.length === 0) return out;
  const rows = stmt(
    db,
    `SELECT r.reverts_sha AS reverted, r.sha, r.committed_at AS at FROM ${jsonValues(db, '?', 'j')}
       ${joinInOrder(db)} commits r ON r.reverts_sha = j.value
     WHERE r.committed_at < ? ORDER BY r.committed_at, r.sha`,
  ).all(JSON.stringify(shas), before) as { reverted: string; sha: string; at: number }[];
  for (const { reverted, sha, at } of rows) if (!out.has(reverted)) out.set(reverted, { sha, at });
  return out;
}

/** Every revert, oldest first: a run over many incidents reads them once (0.5% of commits) instead of per candidate. */
export function allReverts(db: Db): { sha: string; revertedSha: string; at: number }[] {
  return stmt(
    db,
    `SELECT sha, reverts_sha AS revertedSha, committed_at AS at FROM commits
     WHERE reverts_sha IS NOT NULL ORDER BY committed_at, rowid`,
  ).all() as { sha: string; revertedSha: string; at: number }[];
}

/** Reverts committed in [from, to]: the commit that reverted (`revertSha`) and the one it reverted (`sha`). */
export function revertsBetween(db: Db, from: number, to: number): { revertSha: string; sha: string; at: number }[] {
  return stmt(
    db,
    `SELECT r.sha AS revertSha, r.reverts_sha AS sha, r.committed_at AS at FROM commits r
     WHERE r.reverts_sha IS NOT NULL AND r.committed_at >= ? AND r.committed_at <= ?`,
  ).all(from, to) as { revertSha: string; sha: string; at: number }[];
}

/** The latest shipped deploy of a commit in an environment before `before`. */
export function latestDeployOf(db: Db, sha: string, env: string, before: number): DeployFactsRow | undefined {
  return deploysOf(db, [sha], { env, service: null, before, liveAt: Number.MIN_SAFE_INTEGER }, 'DESC').get(sha);
}

/** When a commit first shipped (a deploy that did not fail) in an environment; undefined: never. */
export function firstShippedAt(db: Db, sha: string, env: string): number | undefined {
  const at = stmt(
    db,
    `SELECT MIN(d.finished_at) FROM deploy_commits dc ${joinInOrder(db)} deploys d ON d.id = dc.deploy_id
     WHERE dc.sha = ? AND d.env = ? AND d.status != 'failure'`,
  )
    .pluck()
    .get(sha, env) as number | null;
  return at ?? undefined;
}

/** The resolved `Fixes: <sha>` references of a commit. */
export function fixedBy(db: Db, sha: string): { ref: string; sha: string }[] {
  return stmt(
    db,
    'SELECT fixed_ref AS ref, fixed_sha AS sha FROM commit_fixes WHERE sha = ? AND fixed_sha IS NOT NULL',
  ).all(sha) as { ref: string; sha: string }[];
}

export function commitMessage(db: Db, sha: string): { subject: string; body: string } | undefined {
  return stmt(db, 'SELECT subject, body FROM commits WHERE sha = ?').get(sha) as
    { subject: string; body: string } | undefined;
}

/** Which changes to look for: those touching a file, or a module, that shipped to `env` before `before`. */
export interface ShippedTouchingQuery {
  env: string;
  service: string | null;
  before: number;
  limit: number;
}

// Every "deploys of this sha" read below starts from the sha's own deploy rows (deploy_commits_sha) and only then
// reads those deploys, in a fixed join order: SQLite's planner otherwise walked every deploy of the environment,
// probing each for the sha (~1 ms a call at 4,500 deploys, up to ~600 calls per incident since candidates reach
// back through each named file's history).
const SHIPPED_TO_ENV = (
  db: Db,
): string => `EXISTS (SELECT 1 FROM deploy_commits dc ${joinInOrder(db)} deploys d ON d.id = dc.deploy_id
       WHERE dc.sha = cf.sha AND d.env = ? AND d.status != 'failure' AND d.finished_at < ?
         AND (CAST(? AS TEXT) IS NULL OR d.service IN ('', ?)))`;

/**
 * The latest ordinary commits that changed a file (`by: 'path'`) or any file of a module, and shipped to the
 * environment before `before`, newest first, however long ago: a latent bug ships months before it fires. Walks
 * the (path, committed_at) or (module, committed_at) index backwards; a commit may come once per file of a module.
 */
export function shippedChangesTo(db: Db, by: 'path' | 'module', value: string, q: ShippedTouchingQuery): CommitRow[] {
  return stmt(
    db,
    `SELECT c.sha, c.subject, c.authored_at AS authoredAt, c.added + c.deleted AS size
     FROM commit_files cf JOIN commits c ON c.sha = cf.sha
     WHERE cf.${by === 'path' ? 'path' : 'module'} = ? AND cf.committed_at < ? AND c.is_merge = 0 AND ${SHIPPED_TO_ENV(db)}
     ORDER BY cf.committed_at DESC LIMIT ?`,
  ).all(value, q.before, q.env, q.before, q.service, q.service, q.limit) as CommitRow[];
}

/**
 * The deploy that put each commit live in an environment: the first shipped before `before` that was not rolled
 * back before then. Tag deploys that range by date carry one commit in several deploys; the first is when it went
 * out. One statement for all of an incident's candidates (up to several hundred, each a round trip on PostgreSQL).
 */
export function liveSinceDeploysOf(
  db: Db,
  shas: readonly string[],
  q: { env: string; service: string | null; before: number },
): Map<string, DeployFactsRow> {
  return deploysOf(db, shas, { ...q, liveAt: q.before }, 'ASC');
}

/**
 * Per commit, its first ('ASC') or latest ('DESC') deploy that did not fail in an env before `before` (a service keeps
 * that service's deploys and service-less ones), leaving out deploys rolled back before `liveAt`. Each commit is an
 * index walk from its own deploy rows (a fixed join order: SQLite would otherwise walk the env's deploys).
 */
function deploysOf(
  db: Db,
  shas: readonly string[],
  q: { env: string; service: string | null; before: number; liveAt: number },
  order: 'ASC' | 'DESC',
): Map<string, DeployFactsRow> {
  const out = new Map<string, DeployFactsRow>();
  if (shas.length === 0) return out;
  const rows = stmt(
    db,
    `SELECT commitSha, id, sha, finishedAt, status, rolledBackBy, rolledBackAt FROM (
       SELECT j.value AS commitSha, d.id, d.sha, d.finished_at AS finishedAt, d.status,
              d.rolled_back_by_deploy_id AS rolledBackBy, r.finished_at AS rolledBackAt,
              ROW_NUMBER() OVER (PARTITION BY j.value ORDER BY d.finished_at ${order}, d.id ${order}) AS n
       FROM ${jsonValues(db, '?', 'j')} ${joinInOrder(db)} deploy_commits dc ON dc.sha = j.value
       ${joinInOrder(db)} deploys d ON d.id = dc.deploy_id
       LEFT JOIN deploys r ON r.id = d.rolled_back_by_deploy_id
       WHERE d.env = ? AND d.status != 'failure' AND d.finished_at < ?
         AND (CAST(? AS TEXT) IS NULL OR d.service IN ('', ?))
         AND (r.finished_at IS NULL OR r.finished_at >= ?)
     ) ranked WHERE n = 1`,
  ).all(JSON.stringify([...new Set(shas)]), q.env, q.before, q.service, q.service, q.liveAt) as (DeployFactsRow & {
    commitSha: string;
  })[];
  for (const { commitSha, ...deploy } of rows) out.set(commitSha, deploy);
  return out;
}
