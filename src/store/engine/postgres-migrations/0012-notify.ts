// PostgreSQL twin of migrations/0012-notify.ts: comments written back to GitHub, the incidents linked to each agent's
// commits (kept by a PL/pgSQL trigger, as SQLite's, on link INSERT only: attribution replaces links wholesale, and the
// first sighting must survive that), digest read marks and resource subscriptions.
// Unlike 0006–0010, agent_incidents IS backfilled (SQLite's own portable statement, both being history): PostgreSQL
// databases at schema 10 (before this twin) may hold links. A failure-grade link (LINK_SCORE_THRESHOLD 0.5) is
// written out: migrations are self-contained SQL.
import { agentIncidentsBackfill } from '../../migrations/0012-notify.js';

export const sql = `
CREATE TABLE IF NOT EXISTS notifications (
  incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,
  number BIGINT NOT NULL,
  target TEXT NOT NULL,
  sha TEXT,
  comment_id BIGINT NOT NULL,
  url TEXT,
  body_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (incident_id, repo, number)
);

CREATE TABLE IF NOT EXISTS agent_incidents (
  agent TEXT NOT NULL,
  incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  linked_at BIGINT NOT NULL,
  PRIMARY KEY (agent, incident_id)
);
CREATE INDEX IF NOT EXISTS agent_incidents_time ON agent_incidents(agent, linked_at);
${agentIncidentsBackfill}
CREATE FUNCTION agent_incidents_on_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO agent_incidents (agent, incident_id, linked_at)
    SELECT agent, NEW.incident_id, NEW.updated_at FROM commits WHERE sha = NEW.target AND agent IS NOT NULL
    ON CONFLICT (agent, incident_id) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER agent_incidents_on_link AFTER INSERT ON incident_links FOR EACH ROW
  WHEN (NEW.kind = 'commit' AND NEW.status <> 'rejected' AND (NEW.status = 'confirmed' OR NEW.score >= 0.5))
  EXECUTE FUNCTION agent_incidents_on_link();

CREATE INDEX IF NOT EXISTS pull_requests_merge_sha ON pull_requests(merge_sha);

CREATE TABLE IF NOT EXISTS digest_marks (
  agent TEXT PRIMARY KEY,
  read_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS resource_subscriptions (
  token_id TEXT NOT NULL,
  uri TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (token_id, uri)
);
`;
