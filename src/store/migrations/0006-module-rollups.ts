// Module-level summaries for the agent tools at org scale (1M commits), so their hot questions read a few thousand
// rows: checked with EXPLAIN QUERY PLAN, and measured in bench/FINDINGS.md. The triggers and backfills are the
// statements of store/commits.ts and store/incidents.ts as they were when this migration shipped, written out: a
// migration is history and must not change when those modules do (test/store/migrations.test.ts checks that a
// database migrated from version 5 has the schema and rollups of a fresh one).
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

CREATE TRIGGER module_incidents_incident_ai AFTER INSERT ON incidents WHEN new.module IS NOT NULL BEGIN
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) VALUES (new.module, new.started_at, new.id);
END;
CREATE TRIGGER module_incidents_incident_au AFTER UPDATE OF module, started_at ON incidents BEGIN
  DELETE FROM module_incidents WHERE incident_id = new.id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = new.id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = new.id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = new.id;
END;
CREATE TRIGGER module_incidents_incident_ad AFTER DELETE ON incidents BEGIN
  DELETE FROM module_incidents WHERE incident_id = old.id;
END;
CREATE TRIGGER module_incidents_file_ai AFTER INSERT ON incident_files BEGIN
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id)
    SELECT new.module, started_at, id FROM incidents WHERE id = new.incident_id;
END;
CREATE TRIGGER module_incidents_file_au AFTER UPDATE ON incident_files BEGIN
  DELETE FROM module_incidents WHERE incident_id = old.incident_id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = old.incident_id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = old.incident_id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = old.incident_id;
  DELETE FROM module_incidents WHERE incident_id = new.incident_id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = new.incident_id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = new.incident_id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = new.incident_id;
END;
CREATE TRIGGER module_incidents_file_ad AFTER DELETE ON incident_files BEGIN
  DELETE FROM module_incidents WHERE incident_id = old.incident_id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = old.incident_id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = old.incident_id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = old.incident_id;
END;
CREATE TRIGGER module_incidents_link_ai AFTER INSERT ON incident_links WHEN new.kind = 'commit' AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5) BEGIN
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id)
    SELECT DISTINCT cf.module, i.started_at, i.id FROM incidents i JOIN commit_files cf ON cf.sha = new.target
    WHERE i.id = new.incident_id;
END;
CREATE TRIGGER module_incidents_link_au AFTER UPDATE ON incident_links WHEN old.kind = 'commit' AND old.status <> 'rejected' AND (old.status = 'confirmed' OR old.score >= 0.5) OR new.kind = 'commit' AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5) BEGIN
  DELETE FROM module_incidents WHERE incident_id = old.incident_id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = old.incident_id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = old.incident_id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = old.incident_id;
  DELETE FROM module_incidents WHERE incident_id = new.incident_id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = new.incident_id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = new.incident_id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = new.incident_id;
END;
CREATE TRIGGER module_incidents_link_ad AFTER DELETE ON incident_links WHEN old.kind = 'commit' AND old.status <> 'rejected' AND (old.status = 'confirmed' OR old.score >= 0.5) BEGIN
  DELETE FROM module_incidents WHERE incident_id = old.incident_id;
  INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = old.incident_id
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = old.incident_id
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = old.incident_id;
END;


-- my_deploy_impact's team figures for the served repository's deploys in a window.
CREATE INDEX deploys_repo_time ON deploys(repo_id, finished_at);
-- my_deploy_impact asks for an author's commits case-insensitively, which a BINARY index cannot serve: it walked
-- every commit of the window instead (82k at 1M commits).
DROP INDEX commits_author_email;
CREATE INDEX commits_author_email_nocase ON commits(author_email COLLATE NOCASE, committed_at);

INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id) SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND 1
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE 1
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND 1;
INSERT INTO module_days(module, day, agent, commits) SELECT cf.module AS module, ((c.committed_at) - (((c.committed_at) % 86400000) + 86400000) % 86400000) / 86400000 AS day,
      CASE WHEN c.author_kind IN ('agent', 'pair') THEN COALESCE(NULLIF(c.agent, ''), 'unnamed agent') ELSE '' END AS agent,
      COUNT(DISTINCT c.sha) AS commits
    FROM commit_files cf JOIN commits c ON c.sha = cf.sha
    WHERE c.is_merge = 0 AND c.rowid > 0 AND c.rowid <= (SELECT COALESCE(MAX(rowid), 0) FROM commits)
    GROUP BY 1, 2, 3
     ON CONFLICT(module, day, agent) DO UPDATE SET commits = commits + excluded.commits;
INSERT INTO module_authors(module, email, first_at, last_at)
     SELECT cf.module, lower(c.author_email), MIN(c.committed_at), MAX(c.committed_at)
     FROM commits c JOIN commit_files cf ON cf.sha = c.sha
     WHERE c.is_merge = 0 AND c.rowid > 0 AND c.rowid <= (SELECT COALESCE(MAX(rowid), 0) FROM commits)
     GROUP BY 1, 2
     ON CONFLICT(module, email) DO UPDATE
       SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
INSERT OR REPLACE INTO module_reverts(sha, module, reverted_at)
     SELECT cf.sha, cf.module, (SELECT MIN(r.committed_at) FROM commits r WHERE r.reverts_sha = cf.sha)
     FROM commit_files cf
     WHERE cf.sha IN (
       SELECT c.reverts_sha FROM commits c WHERE c.reverts_sha IS NOT NULL AND c.rowid > 0 AND c.rowid <= (SELECT COALESCE(MAX(rowid), 0) FROM commits)
       UNION SELECT c.sha FROM commits c WHERE c.rowid > 0 AND c.rowid <= (SELECT COALESCE(MAX(rowid), 0) FROM commits) AND EXISTS (SELECT 1 FROM commits r WHERE r.reverts_sha = c.sha)
     );
INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id)
     SELECT DISTINCT cf.module, i.started_at, i.id
     FROM commits c JOIN incident_links l ON l.kind = 'commit' AND l.target = c.sha
       JOIN incidents i ON i.id = l.incident_id JOIN commit_files cf ON cf.sha = c.sha
     WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND c.rowid > 0 AND c.rowid <= (SELECT COALESCE(MAX(rowid), 0) FROM commits);
INSERT INTO meta(key, value) VALUES ('module_rollups_through', (SELECT COALESCE(MAX(rowid), 0) FROM commits)) ON CONFLICT(key) DO UPDATE SET value = excluded.value;
`;
