// PostgreSQL twin of migrations/0006-module-rollups.ts: the rollup tables and indexes, and the SQLite triggers that
// keep module_incidents in step as PL/pgSQL. No backfill: a PostgreSQL database is always created by this whole
// chain, so these tables are empty when it runs (db copy brings the rollups along with the rows).
// A strong link (store/incidents.ts strongLink, LINK_SCORE_THRESHOLD 0.5) is written out here: migrations are
// self-contained SQL.
export const sql = `
ALTER TABLE commit_files ADD COLUMN committed_at BIGINT;
-- SQLite fills it AFTER INSERT with an UPDATE; here the row gets it before it is written (same result, one write).
CREATE FUNCTION commit_files_committed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.committed_at := (SELECT committed_at FROM commits WHERE sha = NEW.sha);
  RETURN NEW;
END $$;
CREATE TRIGGER commit_files_committed_at BEFORE INSERT ON commit_files
  FOR EACH ROW WHEN (NEW.committed_at IS NULL) EXECUTE FUNCTION commit_files_committed_at();
DROP INDEX commit_files_path;
DROP INDEX commit_files_module;
CREATE INDEX commit_files_path_time ON commit_files(path, committed_at);
CREATE INDEX commit_files_module_time ON commit_files(module, committed_at);

CREATE TABLE module_days (
  module TEXT NOT NULL,
  day BIGINT NOT NULL,
  agent TEXT NOT NULL,
  commits BIGINT NOT NULL,
  PRIMARY KEY (module, day, agent)
);

CREATE TABLE module_authors (
  module TEXT NOT NULL,
  email TEXT NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  PRIMARY KEY (module, email)
);

CREATE TABLE module_reverts (
  sha TEXT NOT NULL,
  module TEXT NOT NULL,
  reverted_at BIGINT NOT NULL,
  PRIMARY KEY (sha, module)
);
CREATE INDEX module_reverts_time ON module_reverts(module, reverted_at);

CREATE TABLE module_incidents (
  module TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  incident_id BIGINT NOT NULL,
  PRIMARY KEY (module, started_at, incident_id)
);
CREATE INDEX module_incidents_incident ON module_incidents(incident_id);

CREATE FUNCTION module_incidents_recompute(iid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM module_incidents WHERE incident_id = iid;
  INSERT INTO module_incidents(module, started_at, incident_id)
    SELECT i.module, i.started_at, i.id FROM incidents i WHERE i.module IS NOT NULL AND i.id = iid
    UNION SELECT f.module, i.started_at, i.id FROM incidents i JOIN incident_files f ON f.incident_id = i.id
      WHERE i.id = iid
    UNION SELECT cf.module, i.started_at, i.id FROM incidents i
      JOIN incident_links l ON l.incident_id = i.id JOIN commit_files cf ON cf.sha = l.target
      WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.id = iid
  ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION module_incidents_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO module_incidents(module, started_at, incident_id) VALUES (NEW.module, NEW.started_at, NEW.id)
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM module_incidents_recompute(NEW.id);
  ELSE
    DELETE FROM module_incidents WHERE incident_id = OLD.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER module_incidents_incident_ai AFTER INSERT ON incidents
  FOR EACH ROW WHEN (NEW.module IS NOT NULL) EXECUTE FUNCTION module_incidents_incident();
CREATE TRIGGER module_incidents_incident_au AFTER UPDATE OF module, started_at ON incidents
  FOR EACH ROW EXECUTE FUNCTION module_incidents_incident();
CREATE TRIGGER module_incidents_incident_ad AFTER DELETE ON incidents
  FOR EACH ROW EXECUTE FUNCTION module_incidents_incident();

CREATE FUNCTION module_incidents_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO module_incidents(module, started_at, incident_id)
      SELECT NEW.module, started_at, id FROM incidents WHERE id = NEW.incident_id
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM module_incidents_recompute(OLD.incident_id);
    PERFORM module_incidents_recompute(NEW.incident_id);
  ELSE
    PERFORM module_incidents_recompute(OLD.incident_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER module_incidents_file_ai AFTER INSERT ON incident_files
  FOR EACH ROW EXECUTE FUNCTION module_incidents_file();
CREATE TRIGGER module_incidents_file_au AFTER UPDATE ON incident_files
  FOR EACH ROW EXECUTE FUNCTION module_incidents_file();
CREATE TRIGGER module_incidents_file_ad AFTER DELETE ON incident_files
  FOR EACH ROW EXECUTE FUNCTION module_incidents_file();

CREATE FUNCTION module_incidents_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO module_incidents(module, started_at, incident_id)
      SELECT DISTINCT cf.module, i.started_at, i.id FROM incidents i JOIN commit_files cf ON cf.sha = NEW.target
      WHERE i.id = NEW.incident_id
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM module_incidents_recompute(OLD.incident_id);
    PERFORM module_incidents_recompute(NEW.incident_id);
  ELSE
    PERFORM module_incidents_recompute(OLD.incident_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER module_incidents_link_ai AFTER INSERT ON incident_links FOR EACH ROW
  WHEN (NEW.kind = 'commit' AND NEW.status <> 'rejected' AND (NEW.status = 'confirmed' OR NEW.score >= 0.5))
  EXECUTE FUNCTION module_incidents_link();
CREATE TRIGGER module_incidents_link_au AFTER UPDATE ON incident_links FOR EACH ROW
  WHEN ((OLD.kind = 'commit' AND OLD.status <> 'rejected' AND (OLD.status = 'confirmed' OR OLD.score >= 0.5))
     OR (NEW.kind = 'commit' AND NEW.status <> 'rejected' AND (NEW.status = 'confirmed' OR NEW.score >= 0.5)))
  EXECUTE FUNCTION module_incidents_link();
CREATE TRIGGER module_incidents_link_ad AFTER DELETE ON incident_links FOR EACH ROW
  WHEN (OLD.kind = 'commit' AND OLD.status <> 'rejected' AND (OLD.status = 'confirmed' OR OLD.score >= 0.5))
  EXECUTE FUNCTION module_incidents_link();

CREATE INDEX deploys_repo_time ON deploys(repo_id, finished_at);
-- SQLite's COLLATE NOCASE index: an index on lower(author_email); queries compare lower(author_email) = lower(?).
-- (NOCASE folds ASCII only, lower() every letter.)
DROP INDEX commits_author_email;
CREATE INDEX commits_author_email_nocase ON commits(lower(author_email), committed_at);
`;
