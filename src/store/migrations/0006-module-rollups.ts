// Module-level summaries for the agent tools at org scale (1M commits), so their hot questions read a few thousand
// rows: checked with EXPLAIN QUERY PLAN, and measured in bench/FINDINGS.md. The backfill uses the same statements as
// ingest (store/commits.ts, store/incidents.ts), so the rollups of a migrated database equal those of a fresh one.
import { moduleRollupStatements } from '../commits.js';
import { MODULE_INCIDENT_TRIGGERS, moduleIncidentRows } from '../incidents.js';

export const sql = `
-- The commit's time on each of its files, so "the latest N commits of a module or path" is a range scan of
-- (module|path, committed_at) that stops after N, instead of a walk over every commit. Filled by the writer; the
-- trigger fills rows written without it.
ALTER TABLE commit_files ADD COLUMN committed_at INTEGER;
UPDATE commit_files SET committed_at = (SELECT c.committed_at FROM commits c WHERE c.sha = commit_files.sha);
CREATE TRIGGER commit_files_committed_at AFTER INSERT ON commit_files WHEN new.committed_at IS NULL BEGIN
  UPDATE commit_files SET committed_at = (SELECT committed_at FROM commits WHERE sha = new.sha)
  WHERE sha = new.sha AND path = new.path;
END;
-- Replace (path) and (module, sha): a lookup by path or module uses the new ones just as well, and each index
-- a bulk load does not keep costs ingest time.
DROP INDEX commit_files_path;
DROP INDEX commit_files_module;
CREATE INDEX commit_files_path_time ON commit_files(path, committed_at);
CREATE INDEX commit_files_module_time ON commit_files(module, committed_at);

-- Ordinary (non-merge) commits per module, UTC day (unix ms / 86,400,000, floored) and agent ('' = by humans).
CREATE TABLE module_days (
  module TEXT NOT NULL,
  day INTEGER NOT NULL,
  agent TEXT NOT NULL,
  commits INTEGER NOT NULL,
  PRIMARY KEY (module, day, agent)
) WITHOUT ROWID;

-- Who committed to a module (lower-cased email, ordinary commits), and the span of their commits there.
CREATE TABLE module_authors (
  module TEXT NOT NULL,
  email TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (module, email)
) WITHOUT ROWID;

-- Commits that were reverted, per module they touched, with the time of their first revert.
CREATE TABLE module_reverts (
  sha TEXT NOT NULL,
  module TEXT NOT NULL,
  reverted_at INTEGER NOT NULL,
  PRIMARY KEY (sha, module)
) WITHOUT ROWID;
CREATE INDEX module_reverts_time ON module_reverts(module, reverted_at);

-- The incidents of each module (module field, files and frames, strong commit links), newest first by start, so a
-- hot module's incidents are a range of this index instead of a walk over its commit files.
CREATE TABLE module_incidents (
  module TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  incident_id INTEGER NOT NULL,
  PRIMARY KEY (module, started_at, incident_id)
) WITHOUT ROWID;
CREATE INDEX module_incidents_incident ON module_incidents(incident_id);
${MODULE_INCIDENT_TRIGGERS}

-- my_deploy_impact's team figures for the served repository's deploys in a window.
CREATE INDEX deploys_repo_time ON deploys(repo_id, finished_at);
-- my_deploy_impact asks for an author's commits case-insensitively, which a BINARY index cannot serve: it walked
-- every commit of the window instead (82k at 1M commits).
DROP INDEX commits_author_email;
CREATE INDEX commits_author_email_nocase ON commits(author_email COLLATE NOCASE, committed_at);

INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) ${moduleIncidentRows('1')};
${moduleRollupStatements('0', '(SELECT COALESCE(MAX(rowid), 0) FROM commits)')
  .map((s) => `${s};`)
  .join('\n')}
`;
