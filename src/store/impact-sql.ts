// The SQL text of my_deploy_impact's summaries (store/impact-summaries.ts says what they keep and why): shared by
// migration 0016 on both engines and the store's refresh and reads. Imports nothing: the migrations load it while
// store/open.js (which the dialect needs) is still loading.

/** The score from which a commit link is shown in the answer (impact.ts SHOW_LINK_SCORE). */
export const IMPACT_SHOW_SCORE = 0.3;
/** A failure-grade link (store/incidents.ts LINK_SCORE_THRESHOLD), written out: migrations are self-contained SQL. */
const STRONG = "l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)";
const SHOWN = `l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= ${IMPACT_SHOW_SCORE})`;

export const KEYS = {
  a: (c: string) => `'a:' || ${c}.agent`,
  e: (c: string) => `'e:' || lower(${c}.author_email)`,
  n: (c: string) => `'n:' || lower(${c}.author_name)`,
};
/** The identity keys of commit `c` (one per kind: `kinds.k`), NULL for a commit without an agent. */
export const identOf = (c: string): string =>
  `CASE kinds.k WHEN 'a' THEN ${KEYS.a(c)} WHEN 'e' THEN ${KEYS.e(c)} ELSE ${KEYS.n(c)} END`;
export const KINDS = "(SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds";
/** The key an identity's rows are stored under, from a parameter: lower() as the rows' keys were made. */
export const keyOf = (kind: 'agent' | 'email' | 'name', param: string): string =>
  kind === 'agent' ? `'a:' || ${param}` : `'${kind[0]}:' || lower(${param})`;

/** A deploy `d` earlier than deploy `d0` in the answer's order (finished, then id). */
const earlier = '(od.finished_at < d.finished_at OR od.finished_at = d.finished_at AND od.id < d.id)';
export type Engine = 'postgres' | 'sqlite';
// From the commit's own deploy rows (see first-ship.ts: the planner would walk every earlier deploy of the env):
// dialect.ts's joinInOrder, for an engine's name (this file is read by the migrations, so it imports nothing).
const carriedBefore = (e: Engine, extra: string) =>
  `NOT EXISTS (SELECT 1 FROM deploy_commits o ${e === 'sqlite' ? 'CROSS JOIN' : 'JOIN'} deploys od ON od.id = o.deploy_id
     WHERE o.sha = dc.sha${extra} AND ${earlier})`;
const linksAfter = (what: string, extra = '') =>
  `(SELECT ${what} FROM incident_links l JOIN incidents i ON i.id = l.incident_id
     WHERE l.kind = 'commit' AND l.target = dc.sha AND ${SHOWN}${extra} AND i.started_at > d.finished_at AND i.env = d.env)`;

/**
 * One row per (deploy, carried commit) of `from` (a FROM item that names `dc`, deploy_commits rows): whether the
 * deploy lists the commit (it shipped it first in its env/service, or it failed and so shipped nothing), whether no
 * earlier deploy (of any env / of its env) carried it — each shipped commit has exactly one such deploy, so sums
 * of these count distinct shipped commits — and the shown links of incidents that began after it in its env.
 */
export function perCommit(e: Engine, from: string, where: string): string {
  return `SELECT d.id AS deploy_id, d.env, d.service, d.finished_at, d.status, c.sha, c.repo_id, c.committed_at,
    c.agent, c.author_email, c.author_name,
    CASE WHEN d.status = 'failure' OR ${carriedBefore(e, " AND od.env = d.env AND od.service = d.service AND od.status <> 'failure'")}
      THEN 1 ELSE 0 END AS listed,
    CASE WHEN ${carriedBefore(e, '')} THEN 1 ELSE 0 END AS first_any,
    CASE WHEN ${carriedBefore(e, ' AND od.env = d.env')} THEN 1 ELSE 0 END AS first_env,
    ${linksAfter('count(*)')} AS incidents,
    ${linksAfter("max(CASE WHEN l.status = 'confirmed' THEN 2 ELSE 0 END + l.score)")} AS weight,
    ${linksAfter('count(*)', " AND (l.status = 'confirmed' OR l.score >= 0.5)")} AS strong
  FROM ${from} JOIN deploys d ON d.id = dc.deploy_id JOIN commits c ON c.sha = dc.sha${where ? ` WHERE ${where}` : ''}`;
}

export const SUMS = `min(r.committed_at) AS first_at, max(r.committed_at) AS last_at, count(*) AS carried,
  sum(r.listed) AS listed, sum(r.first_any) AS first_any, sum(r.first_env) AS first_env,
  sum(CASE WHEN r.listed = 1 THEN r.incidents ELSE 0 END) AS incidents,
  coalesce(max(CASE WHEN r.listed = 1 THEN r.weight END), 0) AS weight,
  max(CASE WHEN r.listed = 1 AND r.strong > 0 THEN 1 ELSE 0 END) AS failed_link`;
const COLUMNS =
  'ident, repo_id, deploy_id, env, service, finished_at, status, first_at, last_at, carried, listed, first_any, first_env, incidents, weight, failed_link';

/** The summary rows of every identity for the deploys of `from` (all deploys when it is plain deploy_commits). */
export function impactSummaryInsert(e: Engine, from: string): string {
  // MATERIALIZED: each (deploy, commit) row once, not once per identity kind. Each identity's rows twice: for its
  // commit's repository and, under repository 0, for all of them, so a read never groups a deploy's rows.
  return `WITH r AS MATERIALIZED (${perCommit(e, from, '')})
  INSERT INTO impact_deploys (${COLUMNS})
  SELECT x.ident, x.repo_id, x.deploy_id, x.env, x.service, x.finished_at, x.status, ${SUMS.replaceAll('r.', 'x.')}
  FROM (SELECT ${identOf('r')} AS ident, CASE WHEN repos.k = 0 THEN 0 ELSE r.repo_id END AS repo_id, r.deploy_id,
      r.env, r.service, r.finished_at, r.status, r.committed_at, r.listed, r.first_any, r.first_env, r.incidents,
      r.weight, r.strong
    FROM r JOIN ${KINDS} ON 1 = 1 JOIN (SELECT 0 AS k UNION ALL SELECT 1) repos ON 1 = 1) x
  WHERE x.ident IS NOT NULL
  GROUP BY x.ident, x.repo_id, x.deploy_id, x.env, x.service, x.finished_at, x.status`;
}

/** A trigger's statement: mark the deploys `select` returns for recomputing. */
export const mark = (select: string): string =>
  `INSERT INTO impact_dirty (deploy_id) ${select} ON CONFLICT (deploy_id) DO NOTHING;`;
/** A trigger's statement: mark every deploy carrying `sha` (its first shipments or its links may move). */
export const carrying = (sha: string): string => mark(`SELECT deploy_id FROM deploy_commits WHERE sha = ${sha}`);
/** The deploys an event on row `r` (new or old) can change. */
export const IMPACT_MARKS = {
  /** a carried commit removed: the deploy, and those that now ship it first */
  deployCommitGone: (r: string) =>
    `SELECT ${r}.deploy_id WHERE 1 = 1 UNION SELECT deploy_id FROM deploy_commits WHERE sha = ${r}.sha`,
  /** a deploy's env, service, time or status changed: every deploy sharing a commit with it (itself included) */
  sharingWith: (r: string) =>
    `SELECT o.deploy_id FROM deploy_commits m JOIN deploy_commits o ON o.sha = m.sha WHERE m.deploy_id = ${r}.id`,
  /** an incident's start or env changed: the deploys carrying its linked commits */
  linkedTo: (r: string) =>
    `SELECT dc.deploy_id FROM incident_links l JOIN deploy_commits dc ON dc.sha = l.target
     WHERE l.incident_id = ${r}.id AND l.kind = 'commit'`,
};

const INSERT_LINK = 'INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)';
const INSERT_REVERT = 'INSERT INTO impact_reverts (ident, committed_at, sha, revert_sha, reverted_at, repo_id)';

/** A trigger's statement: the impact_links rows of link `l` (a row variable: new), when it is a strong commit link. */
export const strongLinkRows = (l: string): string => `${INSERT_LINK}
    SELECT ${identOf('c')}, c.committed_at, c.sha, ${l}.incident_id, c.repo_id FROM commits c JOIN ${KINDS} ON 1 = 1
    WHERE c.sha = ${l}.target AND ${identOf('c')} IS NOT NULL AND ${l}.kind = 'commit'
      AND ${STRONG.replaceAll('l.', `${l}.`)} ON CONFLICT DO NOTHING;`;

/**
 * A trigger's statements for a new commit `n`: its strong links and its reverts written before it, and the commit
 * it reverts.
 */
export const impactCommitRows = (n: string): string => `${INSERT_LINK}
    SELECT ${identOf('c')}, c.committed_at, c.sha, l.incident_id, c.repo_id
    FROM incident_links l JOIN commits c ON c.sha = l.target JOIN ${KINDS} ON 1 = 1
    WHERE l.target = ${n}.sha AND l.kind = 'commit' AND ${STRONG} AND ${identOf('c')} IS NOT NULL ON CONFLICT DO NOTHING;
  ${INSERT_REVERT}
    SELECT ${identOf('c')}, c.committed_at, c.sha, ${n}.sha, ${n}.committed_at, c.repo_id FROM commits c JOIN ${KINDS} ON 1 = 1
    WHERE c.sha = ${n}.reverts_sha AND ${identOf('c')} IS NOT NULL ON CONFLICT DO NOTHING;
  ${INSERT_REVERT}
    SELECT ${identOf('c')}, c.committed_at, c.sha, r.sha, r.committed_at, c.repo_id
    FROM commits r JOIN commits c ON c.sha = r.reverts_sha JOIN ${KINDS} ON 1 = 1
    WHERE r.reverts_sha = ${n}.sha AND ${identOf('c')} IS NOT NULL ON CONFLICT DO NOTHING;`;

/** The strong links and reverts of every commit (the backfill; the triggers keep them after). */
export const IMPACT_EVENTS_BACKFILL = `
${INSERT_LINK}
  SELECT ${identOf('c')}, c.committed_at, c.sha, l.incident_id, c.repo_id
  FROM incident_links l JOIN commits c ON c.sha = l.target JOIN ${KINDS} ON 1 = 1
  WHERE l.kind = 'commit' AND ${STRONG} AND ${identOf('c')} IS NOT NULL;
${INSERT_REVERT}
  SELECT ${identOf('c')}, c.committed_at, c.sha, r.sha, r.committed_at, c.repo_id
  FROM commits r JOIN commits c ON c.sha = r.reverts_sha JOIN ${KINDS} ON 1 = 1
  WHERE r.reverts_sha IS NOT NULL AND ${identOf('c')} IS NOT NULL;`;

/** Everything a migration writes after its tables: every deploy's summaries, links and reverts. */
export const impactBackfill = (e: Engine): string => `${impactSummaryInsert(e, 'deploy_commits dc')};
${IMPACT_EVENTS_BACKFILL}`;
