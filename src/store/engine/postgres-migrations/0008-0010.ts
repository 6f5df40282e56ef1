// PostgreSQL twins of migrations/0008-history-rollups.ts, 0009-attribution-pending.ts and 0010-tokens.ts.
// No backfills (see 0006). A failure-grade deploy link: not rejected, and confirmed or scored at least 0.5
// (store/deploys.ts failureLinkExists), written out here: migrations are self-contained SQL.
export const historyRollups = `
CREATE TABLE module_pair_days (
  module TEXT NOT NULL,
  day BIGINT NOT NULL,
  other TEXT NOT NULL,
  commits BIGINT NOT NULL,
  PRIMARY KEY (module, day, other)
);

ALTER TABLE deploys ADD COLUMN linked_failure BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION deploy_failure_linked(deploy_ref TEXT) RETURNS BIGINT LANGUAGE sql STABLE
  RETURN (EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = deploy_ref
    AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)))::int;
-- Only the deploy side of a link is refreshed: SQLite's CAST of a commit sha to INTEGER reads its leading digits,
-- PostgreSQL's refuses; no deploy is named by a commit link either way.
CREATE FUNCTION deploys_linked_failure_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'deploy' AND OLD.target ~ '^[0-9]{1,18}$' THEN
    UPDATE deploys SET linked_failure = deploy_failure_linked(OLD.target) WHERE id = OLD.target::bigint;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.kind = 'deploy' AND NEW.target ~ '^[0-9]{1,18}$' THEN
    UPDATE deploys SET linked_failure = deploy_failure_linked(NEW.target) WHERE id = NEW.target::bigint;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deploys_linked_failure_link_ai AFTER INSERT ON incident_links
  FOR EACH ROW WHEN (NEW.kind = 'deploy') EXECUTE FUNCTION deploys_linked_failure_link();
CREATE TRIGGER deploys_linked_failure_link_au AFTER UPDATE ON incident_links
  FOR EACH ROW WHEN (OLD.kind = 'deploy' OR NEW.kind = 'deploy') EXECUTE FUNCTION deploys_linked_failure_link();
CREATE TRIGGER deploys_linked_failure_link_ad AFTER DELETE ON incident_links
  FOR EACH ROW WHEN (OLD.kind = 'deploy') EXECUTE FUNCTION deploys_linked_failure_link();
CREATE FUNCTION deploys_linked_failure_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.linked_failure := deploy_failure_linked(NEW.id::text);
  RETURN NEW;
END $$;
CREATE TRIGGER deploys_linked_failure_ai BEFORE INSERT ON deploys
  FOR EACH ROW EXECUTE FUNCTION deploys_linked_failure_new();
DROP INDEX deploys_time;
CREATE INDEX deploys_time_outcome ON deploys(finished_at, env, repo_id, status, linked_failure);
`;

export const attributionPending = `
ALTER TABLE incidents ADD COLUMN attribution_pending BIGINT NOT NULL DEFAULT 1;
CREATE INDEX incidents_attribution_pending ON incidents(started_at, id) WHERE attribution_pending = 1;
`;

export const tokens = `
CREATE TABLE IF NOT EXISTS access_tokens (
  id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  scopes TEXT NOT NULL,
  salt BYTEA NOT NULL,
  hash BYTEA NOT NULL,
  note TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX IF NOT EXISTS access_tokens_agent ON access_tokens(agent);
`;
