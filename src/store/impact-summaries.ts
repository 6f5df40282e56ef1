import { inJson, inShortJson } from './dialect.js';
import { impactBackfill, impactSummaryInsert, keyOf, KEYS, perCommit, SUMS, type Engine } from './impact-sql.js';
import { isPostgres, type Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// my_deploy_impact's summaries kept at write time (migration 0016), so an identity's answer reads its own deploys'
// rows instead of one seek per commit in deploy_commits, incident_links and commits:
// - impact_deploys: per (identity, commit repository, deploy) what the answer needs of the deploy, and the same
//   under repository 0 for all of an identity's repositories (a read then takes one row per deploy). Triggers on
//   deploy_commits, deploys, incident_links, incidents and commits only mark the deploys an event can change
//   (impact_dirty); refreshImpactSummaries recomputes them from rows with the statement the backfill uses. A deploy
//   still marked when an answer is read is recomputed from rows by that answer, so a writer that does not refresh
//   costs time, never exactness.
// - impact_links / impact_reverts: an identity's strong links and reverts by commit time, kept by the triggers
//   themselves (one row per link or revert): the answer's distinct counts over all my commits (linked incidents,
//   reverts) are a range of these, not a walk over my commits.
// An identity is a key: 'a:' agent, 'e:' lower(email), 'n:' lower(name) — lower() folds ASCII on SQLite as NOCASE
// does, and equalsCaseless is lower() on both sides on PostgreSQL.

const engineOf = (db: Db): Engine => (isPostgres(db) ? 'postgres' : 'sqlite');

/**
 * Recomputes the summaries of the deploys the triggers marked. Writers call it in their transaction (deploys,
 * incidents, links, commits); an answer never depends on it having run (see the top of this file).
 */
export function refreshImpactSummaries(db: Db): void {
  const ids = stmt(db, 'SELECT deploy_id FROM impact_dirty').pluck().all() as number[];
  if (ids.length === 0) return;
  db.transaction(() => {
    const list = JSON.stringify(ids);
    stmt(db, `DELETE FROM impact_deploys WHERE deploy_id IN (${inJson(db, '?', 'bigint')})`).run(list);
    stmt(
      db,
      impactSummaryInsert(
        engineOf(db),
        `(${inJson(db, '?', 'bigint')}) x JOIN deploy_commits dc ON dc.deploy_id = x.value`,
      ),
    ).run(list);
    stmt(db, `DELETE FROM impact_dirty WHERE deploy_id IN (${inJson(db, '?', 'bigint')})`).run(list);
  })();
}

/** Every summary again from rows (the migration's backfill): for a bulk load that ran with the triggers off. */
export function rebuildImpactSummaries(db: Db): void {
  db.transaction(() => {
    db.exec(
      'DELETE FROM impact_deploys; DELETE FROM impact_links; DELETE FROM impact_reverts; DELETE FROM impact_dirty;',
    );
    db.exec(impactBackfill(engineOf(db)));
  })();
}

// ------------------------------------------------------------------------------------------------------ reads

/** Who "my" is: an agent, or an author by email or name (case-insensitive). */
export interface ImpactIdentity {
  kind: 'agent' | 'email' | 'name';
  value: string;
  repoId: number | null;
}

/** A deploy as the answer weighs it, for my commits in the window. */
export interface ImpactSummary {
  deployId: number;
  env: string;
  service: string;
  finishedAt: number;
  status: string;
  firstAt: number;
  lastAt: number;
  carried: number;
  listed: number;
  firstAny: number;
  firstEnv: number;
  incidents: number;
  weight: number;
  failedLink: number;
}

const REPO = '(CAST(? AS BIGINT) IS NULL OR repo_id = ?)';
/** The repository id of an identity's summary rows over all repositories (ids start at 1). */
const ALL_REPOS = 0;

/** Where a page of deploys starts: strictly after this key (weight, finished, id; all descending). */
export type SummaryKey = readonly [weight: number, finishedAt: number, id: number];

/** The order of the answer's deploys: my strongest incident link, +0.5 when the deploy did not succeed. */
const WEIGHT = "(CASE WHEN g.weight > 0 THEN g.weight ELSE 0 END + CASE WHEN g.status = 'success' THEN 0 ELSE 0.5 END)";

/**
 * The stored summaries of `who` for the deploys (of `env`, when given) whose commits of theirs all lie in [lo, hi],
 * one row per deploy, except `excluded` (recomputed from rows by the caller). Parameters: see wholeParams.
 */
function whole(db: Db, kind: ImpactIdentity['kind']): string {
  return `WITH g AS (SELECT deploy_id, env, service, finished_at, status, first_at, last_at, carried, listed, first_any,
      first_env, incidents, weight, failed_link
    FROM impact_deploys WHERE ident = ${keyOf(kind, '?')} AND repo_id = ? AND last_at >= ?
      AND deploy_id NOT IN (${inJson(db, '?', 'bigint')}) AND (CAST(? AS TEXT) IS NULL OR env = ?))`;
}
const wholeParams = (who: ImpactIdentity, lo: number, excluded: readonly number[], env: string | null) => [
  who.value,
  who.repoId ?? ALL_REPOS,
  lo,
  JSON.stringify(excluded),
  env,
  env,
];
const WHOLE = 'g.first_at >= ? AND g.last_at <= ?';

/**
 * The deploys an answer about `who`'s commits in [lo, hi] recomputes from rows: those a writer marked and nobody has
 * recomputed yet (staleSummaryDeploys), and those with a stored summary of `who` for commits both in and outside
 * [lo, hi]. One statement: on PostgreSQL each is a round trip.
 */
export function partialSummaries(db: Db, who: ImpactIdentity, lo: number, hi: number): number[] {
  return stmt(
    db,
    `SELECT deploy_id FROM impact_dirty
     UNION
     SELECT deploy_id FROM impact_deploys
     WHERE ident = ${keyOf(who.kind, '?')} AND repo_id = ? AND last_at >= ? AND (first_at < ? OR last_at > ?)`,
  )
    .pluck()
    .all(who.value, who.repoId ?? ALL_REPOS, lo, lo, hi) as number[];
}

/** Totals over the whole deploys (see whole): listed deploys finished in [since, until], failed ones, shipped commits. */
export function summaryTotals(
  db: Db,
  who: ImpactIdentity,
  q: { lo: number; hi: number; since: number; until: number; env: string | null; excluded: readonly number[] },
): { inWindow: number; failed: number; firstAny: number; firstEnv: number } {
  return stmt(
    db,
    `${whole(db, who.kind)}
    SELECT count(*) FILTER (WHERE g.listed > 0 AND g.finished_at >= ? AND g.finished_at <= ?) AS inWindow,
      count(*) FILTER (WHERE g.listed > 0 AND g.finished_at >= ? AND g.finished_at <= ?
        AND (g.status <> 'success' OR g.failed_link > 0)) AS failed,
      coalesce(sum(g.first_any), 0) AS firstAny, coalesce(sum(g.first_env), 0) AS firstEnv
    FROM g WHERE ${WHOLE}`,
  ).get(...wholeParams(who, q.lo, q.excluded, q.env), q.since, q.until, q.since, q.until, q.lo, q.hi) as {
    inWindow: number;
    failed: number;
    firstAny: number;
    firstEnv: number;
  };
}

/** The first `limit` listed whole deploys (see whole) after `after`, in the answer's order. */
export function summaryPage(
  db: Db,
  who: ImpactIdentity,
  q: {
    lo: number;
    hi: number;
    env: string | null;
    excluded: readonly number[];
    after: SummaryKey | null;
    limit: number;
  },
): ImpactSummary[] {
  const [w, f, id] = q.after ?? [null, null, null];
  return stmt(
    db,
    `${whole(db, who.kind)}
    SELECT g.deploy_id AS deployId, g.env, g.service, g.finished_at AS finishedAt, g.status, g.first_at AS firstAt,
      g.last_at AS lastAt, g.carried, g.listed, g.first_any AS firstAny, g.first_env AS firstEnv, g.incidents,
      g.weight, g.failed_link AS failedLink
    FROM g WHERE ${WHOLE} AND g.listed > 0 AND (CAST(? AS DOUBLE PRECISION) IS NULL OR ${WEIGHT} < ?
      OR ${WEIGHT} = ? AND (g.finished_at < ? OR g.finished_at = ? AND g.deploy_id < ?))
    ORDER BY ${WEIGHT} DESC, g.finished_at DESC, g.deploy_id DESC LIMIT ?`,
  ).all(...wholeParams(who, q.lo, q.excluded, q.env), q.lo, q.hi, w, w, w, f, f, id, q.limit) as ImpactSummary[];
}

/** Deploys whose summaries a writer changed and nobody has recomputed yet. */
export function staleSummaryDeploys(db: Db): number[] {
  return stmt(db, 'SELECT deploy_id FROM impact_dirty').pluck().all() as number[];
}

/** Which of my commits count: `who`'s in [lo, hi] plus the named `edge` (those at a cut), or exactly `shas`. */
export type ImpactCommits =
  { who: ImpactIdentity; lo: number; hi: number; edge: readonly string[] } | { shas: readonly string[] };

function commitFilter(db: Db, mine: ImpactCommits): { where: string; params: unknown[] } {
  if ('shas' in mine) return { where: `c.sha IN (${inJson(db, '?')})`, params: [JSON.stringify(mine.shas)] };
  const key = keyOf(mine.who.kind, '?');
  return {
    where: `(${KEYS.a('c')} = ${key} OR ${KEYS.e('c')} = ${key} OR ${KEYS.n('c')} = ${key})
      AND ((c.committed_at >= ? AND c.committed_at <= ?) OR c.sha IN (${inJson(db, '?')}))
      AND (CAST(? AS BIGINT) IS NULL OR c.repo_id = ?)`,
    params: [
      mine.who.value,
      mine.who.value,
      mine.who.value,
      mine.lo,
      mine.hi,
      JSON.stringify(mine.edge),
      mine.who.repoId,
      mine.who.repoId,
    ],
  };
}

// A few deploys (a page, those a writer marked or that straddle the window): probed by index on PostgreSQL as well.
const DEPLOYS_FROM = (db: Db) =>
  `(${inShortJson(db, '?', 'bigint')}) x JOIN deploy_commits dc ON dc.deploy_id = x.value`;

/** The summaries of `deployIds` computed from rows, for `mine` only (deploys carrying none of them are absent). */
export function summariesFromRows(db: Db, deployIds: readonly number[], mine: ImpactCommits): ImpactSummary[] {
  if (deployIds.length === 0) return [];
  const f = commitFilter(db, mine);
  return stmt(
    db,
    `SELECT r.deploy_id AS deployId, r.env, r.service, r.finished_at AS finishedAt, r.status,
       ${SUMS.replace(/ AS (\w+)/g, (_m, n: string) => ` AS ${camel(n)}`)}
     FROM (${perCommit(engineOf(db), DEPLOYS_FROM(db), f.where)}) r
     GROUP BY r.deploy_id, r.env, r.service, r.finished_at, r.status`,
  ).all(JSON.stringify(deployIds), ...f.params) as ImpactSummary[];
}

/** The commits of mine each of `deployIds` lists (it shipped them first, or it failed), with their commit times. */
export function listedCommits(
  db: Db,
  deployIds: readonly number[],
  mine: ImpactCommits,
): { deployId: number; sha: string; committedAt: number }[] {
  if (deployIds.length === 0) return [];
  const f = commitFilter(db, mine);
  // Filtered here, not in SQL: PostgreSQL planned `WHERE listed = 1` around the row subqueries (~1 s a deploy).
  const rows = stmt(
    db,
    `SELECT r.deploy_id AS deployId, r.sha, r.committed_at AS committedAt, r.listed
     FROM (${perCommit(engineOf(db), DEPLOYS_FROM(db), f.where)}) r`,
  ).all(JSON.stringify(deployIds), ...f.params) as {
    deployId: number;
    sha: string;
    committedAt: number;
    listed: number;
  }[];
  return rows.filter((r) => r.listed === 1).map(({ deployId, sha, committedAt }) => ({ deployId, sha, committedAt }));
}

/** The incidents strongly linked to `who`'s commits in [lo, hi]. */
export function linkedIncidentIds(db: Db, who: ImpactIdentity, lo: number, hi: number): number[] {
  return stmt(
    db,
    `SELECT DISTINCT incident_id FROM impact_links
     WHERE ident = ${keyOf(who.kind, '?')} AND committed_at >= ? AND committed_at <= ? AND ${REPO}`,
  )
    .pluck()
    .all(who.value, lo, hi, who.repoId, who.repoId) as number[];
}

/** The reverts of `who`'s commits in [lo, hi]: the reverted commit (and when it was committed), the revert. */
export function revertsOfIdentity(
  db: Db,
  who: ImpactIdentity,
  lo: number,
  hi: number,
): { sha: string; committedAt: number; revertedBy: string; at: number }[] {
  return stmt(
    db,
    `SELECT sha, committed_at AS committedAt, revert_sha AS revertedBy, reverted_at AS at FROM impact_reverts
     WHERE ident = ${keyOf(who.kind, '?')} AND committed_at >= ? AND committed_at <= ? AND ${REPO}`,
  ).all(who.value, lo, hi, who.repoId, who.repoId) as {
    sha: string;
    committedAt: number;
    revertedBy: string;
    at: number;
  }[];
}

function camel(s: string): string {
  return s.replace(/_(\w)/g, (_m, ch: string) => ch.toUpperCase());
}
