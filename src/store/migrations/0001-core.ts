// Core schema: git history, deploys, incidents and the links between them.
// Timestamps are INTEGER unix milliseconds (UTC): compact, index-friendly, no time-zone parsing at query time.
export const sql = `
CREATE TABLE repos (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,           -- absolute path of the work tree or bare git dir
  name TEXT NOT NULL,
  last_ingested_at INTEGER
);

-- Tips already ingested, so a second run reads only what is new (git log --not <tips>).
CREATE TABLE repo_tips (
  repo_id INTEGER NOT NULL REFERENCES repos(id),
  sha TEXT NOT NULL,
  PRIMARY KEY (repo_id, sha)
) WITHOUT ROWID;

CREATE TABLE commits (
  sha TEXT PRIMARY KEY,
  repo_id INTEGER NOT NULL REFERENCES repos(id),
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  authored_at INTEGER NOT NULL,
  committed_at INTEGER NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  parents TEXT NOT NULL DEFAULT '',    -- space-separated parent shas
  is_merge INTEGER NOT NULL DEFAULT 0,
  author_kind TEXT NOT NULL CHECK (author_kind IN ('human', 'agent', 'pair')),
  agent TEXT,                          -- normalised agent name (claude, cursor, copilot, codex, devin, aider, <bot>)
  agent_evidence TEXT,                 -- why we think so, readable
  reverts_sha TEXT,                    -- from "This reverts commit <sha>"
  added INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  files_changed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX commits_repo_time ON commits(repo_id, committed_at);
CREATE INDEX commits_author_email ON commits(author_email, committed_at);
CREATE INDEX commits_agent ON commits(agent, committed_at) WHERE agent IS NOT NULL;
CREATE INDEX commits_reverts ON commits(reverts_sha) WHERE reverts_sha IS NOT NULL;

CREATE TABLE commit_files (
  sha TEXT NOT NULL REFERENCES commits(sha) ON DELETE CASCADE,
  path TEXT NOT NULL,
  old_path TEXT,                       -- set on renames
  module TEXT NOT NULL,
  added INTEGER,                       -- NULL for binary files
  deleted INTEGER,
  PRIMARY KEY (sha, path)
) WITHOUT ROWID;
CREATE INDEX commit_files_path ON commit_files(path);
CREATE INDEX commit_files_module ON commit_files(module, sha);

-- Every trailer (Co-authored-by, Fixes, Signed-off-by, …) as written, for evidence and later analysis.
CREATE TABLE commit_trailers (
  sha TEXT NOT NULL REFERENCES commits(sha) ON DELETE CASCADE,
  key TEXT NOT NULL,                   -- lower-cased trailer key
  value TEXT NOT NULL
);
CREATE INDEX commit_trailers_sha ON commit_trailers(sha);
CREATE INDEX commit_trailers_key ON commit_trailers(key, value);

-- "Fixes: <sha>" references, resolved to a full sha when the commit is known.
CREATE TABLE commit_fixes (
  sha TEXT NOT NULL REFERENCES commits(sha) ON DELETE CASCADE,
  fixed_ref TEXT NOT NULL,             -- as written (may be abbreviated)
  fixed_sha TEXT,                      -- resolved full sha, when known
  PRIMARY KEY (sha, fixed_ref)
) WITHOUT ROWID;
CREATE INDEX commit_fixes_fixed ON commit_fixes(fixed_sha);

CREATE TABLE deploys (
  id INTEGER PRIMARY KEY,
  repo_id INTEGER NOT NULL REFERENCES repos(id),
  env TEXT NOT NULL,
  service TEXT NOT NULL DEFAULT '',    -- '' = the whole repository
  sha TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('success', 'failure', 'rolled_back')),
  source TEXT NOT NULL,                -- cli | tags | github | demo …
  external_id TEXT,                    -- tag name, GitHub deployment id …
  prev_deploy_id INTEGER REFERENCES deploys(id),
  rollback_to_deploy_id INTEGER REFERENCES deploys(id),   -- this deploy re-deployed an earlier sha
  rolled_back_by_deploy_id INTEGER REFERENCES deploys(id) -- a later deploy undid this one
);
CREATE UNIQUE INDEX deploys_source_external ON deploys(source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX deploys_env_time ON deploys(env, service, finished_at);
CREATE INDEX deploys_sha ON deploys(sha);
CREATE INDEX deploys_time ON deploys(finished_at);

CREATE TABLE deploy_commits (
  deploy_id INTEGER NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,
  sha TEXT NOT NULL,
  PRIMARY KEY (deploy_id, sha)
) WITHOUT ROWID;
CREATE INDEX deploy_commits_sha ON deploy_commits(sha, deploy_id);

CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,                -- file | postmortem | github | pagerduty …
  external_id TEXT NOT NULL,           -- e.g. INC-101
  title TEXT NOT NULL,
  severity TEXT,                       -- as given (SEV1, P2, critical …)
  started_at INTEGER NOT NULL,
  resolved_at INTEGER,
  env TEXT NOT NULL DEFAULT 'production',
  service TEXT,
  module TEXT,
  status TEXT NOT NULL DEFAULT 'open', -- open | resolved | …
  url TEXT,
  summary TEXT,
  fix_sha TEXT,
  root_cause_sha TEXT,
  postmortem_path TEXT,
  updated_at INTEGER NOT NULL,
  UNIQUE (source, external_id)
);
CREATE INDEX incidents_started ON incidents(started_at);
CREATE INDEX incidents_module ON incidents(module, started_at);
CREATE INDEX incidents_external ON incidents(external_id);

-- Files or stack frames named by the incident; module is derived with the same mapper as commit_files.
CREATE TABLE incident_files (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  line INTEGER,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'frame')),
  module TEXT NOT NULL
);
CREATE INDEX incident_files_incident ON incident_files(incident_id);
CREATE INDEX incident_files_module ON incident_files(module, incident_id);

CREATE TABLE incident_links (
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('deploy', 'commit')),
  target TEXT NOT NULL,                -- deploy id or commit sha
  score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
  status TEXT NOT NULL CHECK (status IN ('suspect', 'confirmed', 'rejected')),
  method TEXT NOT NULL,                -- heuristic | fix-blame | root-cause | revert | rollback
  evidence TEXT NOT NULL,              -- JSON: { reasons: string[], factors: {...} }
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (incident_id, kind, target)
) WITHOUT ROWID;
CREATE INDEX incident_links_target ON incident_links(kind, target);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;
