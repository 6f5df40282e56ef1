// GitHub (and other webhook) sources: delivery de-duplication, CI runs, merged pull requests, sync cursors.
export const sql = `
CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,        -- X-GitHub-Delivery, PagerDuty event id, …
  source TEXT NOT NULL,                -- github | pagerduty | incident
  event TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL                -- stored | ignored: <why>
) WITHOUT ROWID;

CREATE TABLE builds (
  id INTEGER PRIMARY KEY,
  repo TEXT NOT NULL,                  -- owner/name
  run_id TEXT NOT NULL,
  workflow TEXT,
  head_sha TEXT NOT NULL,
  branch TEXT,
  event TEXT,
  status TEXT,
  conclusion TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  duration_ms INTEGER,
  url TEXT,
  UNIQUE (repo, run_id)
);
CREATE INDEX builds_sha ON builds(head_sha);
CREATE INDEX builds_finished ON builds(finished_at);

CREATE TABLE pull_requests (
  repo TEXT NOT NULL,
  number INTEGER NOT NULL,
  title TEXT NOT NULL,
  author TEXT,
  state TEXT NOT NULL,                 -- open | closed | merged
  draft INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  merged_at INTEGER,
  closed_at INTEGER,
  merge_sha TEXT,
  head_ref TEXT,
  base_ref TEXT,
  url TEXT,
  PRIMARY KEY (repo, number)
);
CREATE INDEX pull_requests_merged ON pull_requests(merged_at);
CREATE INDEX pull_requests_head ON pull_requests(head_ref);

CREATE TABLE pull_request_commits (
  repo TEXT NOT NULL,
  number INTEGER NOT NULL,
  sha TEXT NOT NULL,
  PRIMARY KEY (repo, number, sha)
) WITHOUT ROWID;
CREATE INDEX pull_request_commits_sha ON pull_request_commits(sha);

-- Where the last incremental sync of each GitHub resource stopped.
CREATE TABLE sync_state (
  source TEXT NOT NULL,
  repo TEXT NOT NULL,
  resource TEXT NOT NULL,
  cursor TEXT,
  etag TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, repo, resource)
) WITHOUT ROWID;
`;
