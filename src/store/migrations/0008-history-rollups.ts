// The last mile for the history and attribution tools at org scale (1M commits, 100k deploys), each change checked
// with EXPLAIN QUERY PLAN and measured in bench/FINDINGS.md. Backfills use the store's own statements (store/commits.ts,
// store/deploys.ts), so a migrated database equals a fresh one.
import { modulePairStatement, ROLLUPS_THROUGH_SQL } from '../commits.js';
import { DEPLOY_FAILURE_BACKFILL, DEPLOY_FAILURE_TRIGGERS } from '../deploys.js';

export const sql = `
-- Co-changed modules: a module's coupling over its latest 2,000 commits read those commits' files one sha-keyed seek
-- each (12-45 ms). Per-day pair counts make whole days a range of this table; the partial days at the basis's edges
-- are still read from the commits, so answers are unchanged. Ordinary commits of ≤ 50 files per (module, UTC day,
-- other module) that changed both; other = module counts the module's own commits of that kind (the basis).
CREATE TABLE module_pair_days (
  module TEXT NOT NULL,
  day INTEGER NOT NULL,
  other TEXT NOT NULL,
  commits INTEGER NOT NULL,
  PRIMARY KEY (module, day, other)
) WITHOUT ROWID;
-- Up to the rollups' mark; later commits are added by the next refresh, with the other rollups.
${modulePairStatement('0', ROLLUPS_THROUGH_SQL)};

-- my_deploy_impact's team change failure rate: whether a failure-grade incident link names the deploy, kept by
-- triggers, so a window's failures are a covering range of deploys_time_outcome instead of a link lookup per deploy.
ALTER TABLE deploys ADD COLUMN linked_failure INTEGER NOT NULL DEFAULT 0;
${DEPLOY_FAILURE_BACKFILL}
${DEPLOY_FAILURE_TRIGGERS}
-- Replaces (finished_at): the same range, covering the team figures.
DROP INDEX deploys_time;
CREATE INDEX deploys_time_outcome ON deploys(finished_at, env, repo_id, status, linked_failure);
`;
