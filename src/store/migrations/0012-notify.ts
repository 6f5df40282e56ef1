// Issue 18, telling the author: comments written back to GitHub, the incidents each agent has not yet read about,
// and which MCP clients subscribed to their digest. Self-contained (IF NOT EXISTS): whatever the migrations around it.

/** The links already there, first seen at their earliest time: portable SQL, run as is by the PostgreSQL twin. */
export const agentIncidentsBackfill = `
INSERT INTO agent_incidents (agent, incident_id, linked_at)
  SELECT c.agent, l.incident_id, min(l.updated_at) FROM incident_links l JOIN commits c ON c.sha = l.target
  WHERE l.kind = 'commit' AND c.agent IS NOT NULL AND l.status <> 'rejected'
    AND (l.status = 'confirmed' OR l.score >= 0.5)
  GROUP BY c.agent, l.incident_id
  ON CONFLICT (agent, incident_id) DO NOTHING;`;

export const sql = `
-- One comment per (incident, pull request or issue): the id GitHub gave it, and a hash of the body last written,
-- so a later run edits it only when the evidence changed and never posts a second one.
CREATE TABLE IF NOT EXISTS notifications (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,                  -- owner/name
  number INTEGER NOT NULL,             -- pull request or issue number (one number space per repository)
  target TEXT NOT NULL,                -- pull | issue
  sha TEXT,                            -- the causing commit (pull); NULL for the incident's own issue
  comment_id INTEGER NOT NULL,
  url TEXT,
  body_hash TEXT NOT NULL,             -- sha256 of the body last written
  state TEXT NOT NULL,                 -- posted | withdrawn
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (incident_id, repo, number)
);

-- Incidents linked to an agent's commits (confirmed, or a suspect scoring at least 0.5 — LINK_SCORE_THRESHOLD —
-- and never a rejected link), first seen at linked_at. Kept by the trigger below at write time: attribution
-- replaces links wholesale, and the first sighting must survive that, so "new since you last read" stays true.
CREATE TABLE IF NOT EXISTS agent_incidents (
  agent TEXT NOT NULL,
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  linked_at INTEGER NOT NULL,
  PRIMARY KEY (agent, incident_id)
);
CREATE INDEX IF NOT EXISTS agent_incidents_time ON agent_incidents(agent, linked_at);
${agentIncidentsBackfill}
CREATE TRIGGER IF NOT EXISTS agent_incidents_on_link AFTER INSERT ON incident_links
  WHEN new.kind = 'commit' AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5)
BEGIN
  INSERT INTO agent_incidents (agent, incident_id, linked_at)
    SELECT agent, new.incident_id, new.updated_at FROM commits WHERE sha = new.target AND agent IS NOT NULL
    ON CONFLICT (agent, incident_id) DO NOTHING;
END;

-- A squash merge is known by its merge_sha: the write-back finds a commit's pull request through it.
CREATE INDEX IF NOT EXISTS pull_requests_merge_sha ON pull_requests(merge_sha);

-- Where each agent last read its digest: the digest lists what was linked after it.
CREATE TABLE IF NOT EXISTS digest_marks (
  agent TEXT PRIMARY KEY,
  read_at INTEGER NOT NULL
);

-- resources/subscribe over the stateless HTTP server: kept per token in the database, so the GET /mcp stream of
-- any instance on it can deliver the update.
CREATE TABLE IF NOT EXISTS resource_subscriptions (
  token_id TEXT NOT NULL,
  uri TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (token_id, uri)
);
`;
