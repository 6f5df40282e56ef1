// The last mile for the history and attribution tools at org scale (1M commits, 100k deploys), each change checked
// with EXPLAIN QUERY PLAN and measured in bench/FINDINGS.md. The backfills and triggers are the statements of
// store/commits.ts and store/deploys.ts as they were when this migration shipped, written out: a migration is
// history and must not change when those modules do.
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
INSERT INTO module_pair_days(module, day, other, commits)
    SELECT a.module, ((c.committed_at) - (((c.committed_at) % 86400000) + 86400000) % 86400000) / 86400000, b.module, COUNT(DISTINCT c.sha)
    FROM commits c JOIN commit_files a ON a.sha = c.sha JOIN commit_files b ON b.sha = c.sha
    WHERE c.is_merge = 0 AND c.files_changed <= 50 AND c.rowid > 0 AND c.rowid <= COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'module_rollups_through'), 0)
    GROUP BY 1, 2, 3
    ON CONFLICT(module, day, other) DO UPDATE SET commits = commits + excluded.commits;

-- my_deploy_impact's team change failure rate: whether a failure-grade incident link names the deploy, kept by
-- triggers, so a window's failures are a covering range of deploys_time_outcome instead of a link lookup per deploy.
ALTER TABLE deploys ADD COLUMN linked_failure INTEGER NOT NULL DEFAULT 0;
UPDATE deploys SET linked_failure = EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = CAST(deploys.id AS TEXT)
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5));

CREATE TRIGGER deploys_linked_failure_link_ai AFTER INSERT ON incident_links WHEN new.kind = 'deploy' BEGIN
  UPDATE deploys SET linked_failure = EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = new.target
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)) WHERE id = CAST(new.target AS INTEGER);
END;
CREATE TRIGGER deploys_linked_failure_link_au AFTER UPDATE ON incident_links
WHEN old.kind = 'deploy' OR new.kind = 'deploy' BEGIN
  UPDATE deploys SET linked_failure = EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = old.target
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)) WHERE id = CAST(old.target AS INTEGER);
  UPDATE deploys SET linked_failure = EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = new.target
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)) WHERE id = CAST(new.target AS INTEGER);
END;
CREATE TRIGGER deploys_linked_failure_link_ad AFTER DELETE ON incident_links WHEN old.kind = 'deploy' BEGIN
  UPDATE deploys SET linked_failure = EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = old.target
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)) WHERE id = CAST(old.target AS INTEGER);
END;
CREATE TRIGGER deploys_linked_failure_ai AFTER INSERT ON deploys BEGIN
  UPDATE deploys SET linked_failure = EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = CAST(new.id AS TEXT)
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)) WHERE id = CAST(CAST(new.id AS TEXT) AS INTEGER);
END;
-- Replaces (finished_at): the same range, covering the team figures.
DROP INDEX deploys_time;
CREATE INDEX deploys_time_outcome ON deploys(finished_at, env, repo_id, status, linked_failure);
`;
