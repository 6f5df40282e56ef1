// The triage loop: agent tasks (the denominator of the rates), interrupts and corrections, their clusters,
// and the structural fixes (ADR, rule, skill) proposed for them. Timestamps are unix ms.
export const sql = `
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,                 -- the caller's task id
  agent TEXT,
  title TEXT,
  session_id TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  outcome TEXT CHECK (outcome IS NULL OR outcome IN ('completed', 'failed', 'abandoned')),
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_started ON tasks(started_at);
CREATE INDEX tasks_agent ON tasks(agent, started_at);

CREATE TABLE fixes (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('adr', 'rule', 'skill')),
  title TEXT NOT NULL,
  path TEXT NOT NULL,                  -- repository-relative file written (or to be written)
  status TEXT NOT NULL CHECK (status IN ('proposed', 'open_pr', 'merged', 'rejected')),
  cluster_id INTEGER REFERENCES clusters(id),
  pr_url TEXT,
  pr_number INTEGER,
  branch TEXT,
  evidence TEXT NOT NULL DEFAULT '{}', -- JSON: interrupt ids, incident ids, counts
  created_at INTEGER NOT NULL,
  merged_at INTEGER
);
CREATE INDEX fixes_cluster ON fixes(cluster_id);
CREATE INDEX fixes_status ON fixes(status, created_at);

CREATE TABLE clusters (
  id INTEGER PRIMARY KEY,
  category TEXT NOT NULL,
  module TEXT NOT NULL DEFAULT '',     -- '' = no module
  label TEXT NOT NULL,                 -- readable: the shared terms
  terms TEXT NOT NULL DEFAULT '[]',    -- JSON array of the cluster's top terms
  paths TEXT NOT NULL DEFAULT '[]',    -- JSON array of paths seen in its entries
  size INTEGER NOT NULL DEFAULT 0,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  fix_id INTEGER REFERENCES fixes(id), -- the structural fix that covers it
  covered_at INTEGER
);
CREATE INDEX clusters_scope ON clusters(category, module, last_at);
CREATE INDEX clusters_last ON clusters(last_at);

CREATE TABLE interrupts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('interrupt', 'correction')),
  category TEXT NOT NULL CHECK (category IN ('missing_context', 'policy_gap', 'tool_failure', 'ambiguous_spec', 'other')),
  category_source TEXT NOT NULL CHECK (category_source IN ('given', 'suggested')),
  summary TEXT NOT NULL,               -- secrets redacted before storing
  detail TEXT,
  paths TEXT NOT NULL DEFAULT '[]',    -- JSON array
  module TEXT NOT NULL DEFAULT '',
  agent TEXT,
  task_id TEXT,
  session_id TEXT,
  source TEXT NOT NULL CHECK (source IN ('human', 'agent', 'rubric')),
  created_at INTEGER NOT NULL,
  responded_at INTEGER,                -- a human answered (Mean Time To Correct)
  resolved_at INTEGER,
  response TEXT,
  cluster_id INTEGER REFERENCES clusters(id),
  fix_id INTEGER REFERENCES fixes(id),
  redactions INTEGER NOT NULL DEFAULT 0,
  external_id TEXT                     -- set by imports, so re-importing adds nothing
);
CREATE INDEX interrupts_created ON interrupts(created_at);
CREATE INDEX interrupts_cluster ON interrupts(cluster_id, created_at);
CREATE INDEX interrupts_task ON interrupts(task_id);
CREATE INDEX interrupts_agent ON interrupts(agent, created_at);
CREATE UNIQUE INDEX interrupts_external ON interrupts(external_id) WHERE external_id IS NOT NULL;

-- Full-text candidates for clustering and for "has this been seen before?" (external content: no copy of the text).
CREATE VIRTUAL TABLE interrupts_fts USING fts5(
  summary, detail, content='interrupts', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER interrupts_fts_ai AFTER INSERT ON interrupts BEGIN
  INSERT INTO interrupts_fts(rowid, summary, detail) VALUES (new.id, new.summary, coalesce(new.detail, ''));
END;
CREATE TRIGGER interrupts_fts_ad AFTER DELETE ON interrupts BEGIN
  INSERT INTO interrupts_fts(interrupts_fts, rowid, summary, detail) VALUES ('delete', old.id, old.summary, coalesce(old.detail, ''));
END;
CREATE TRIGGER interrupts_fts_au AFTER UPDATE OF summary, detail ON interrupts BEGIN
  INSERT INTO interrupts_fts(interrupts_fts, rowid, summary, detail) VALUES ('delete', old.id, old.summary, coalesce(old.detail, ''));
  INSERT INTO interrupts_fts(rowid, summary, detail) VALUES (new.id, new.summary, coalesce(new.detail, ''));
END;
`;
