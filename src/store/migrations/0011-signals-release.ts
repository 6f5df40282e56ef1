// Production signals (error rate, latency, requests, cost per service/endpoint/module) and the facts a release
// review needs beyond `builds`: the jobs of each CI run (which check failed, at which step) and the time a deploy
// waited at an approval gate. IF NOT EXISTS: self-contained, whatever the migrations around it.
export const sql = `
CREATE TABLE IF NOT EXISTS signal_series (
  id INTEGER PRIMARY KEY,
  metric TEXT NOT NULL CHECK (metric IN ('error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'requests', 'cost')),
  env TEXT NOT NULL,
  service TEXT NOT NULL DEFAULT '',    -- '' = not labelled
  endpoint TEXT NOT NULL DEFAULT '',
  module TEXT NOT NULL DEFAULT '',     -- '' = not mapped to a module
  UNIQUE (metric, env, service, endpoint, module)
);
CREATE INDEX IF NOT EXISTS signal_series_module ON signal_series(module, metric);

-- One value per series and instant: a sample sent twice is the same sample (re-ingesting a file changes nothing).
CREATE TABLE IF NOT EXISTS signal_samples (
  series_id INTEGER NOT NULL REFERENCES signal_series(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (series_id, at)
) WITHOUT ROWID;

-- The jobs of a CI run (GitHub Actions jobs = the checks a release passes); failed_step says why a job failed.
CREATE TABLE IF NOT EXISTS build_jobs (
  repo TEXT NOT NULL,
  run_id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  name TEXT NOT NULL,
  conclusion TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  failed_step TEXT,
  PRIMARY KEY (repo, job_id)
);
CREATE INDEX IF NOT EXISTS build_jobs_run ON build_jobs(repo, run_id);

-- A deploy waiting at an approval gate (GitHub environment protection: a 'waiting' deployment status until a
-- reviewer approves or rejects it, seen as the next status).
CREATE TABLE IF NOT EXISTS deploy_gates (
  deploy_id INTEGER NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,
  waiting_at INTEGER NOT NULL,
  resolved_at INTEGER,
  outcome TEXT,                        -- the state that ended the wait (in_progress, queued, success, failure …)
  PRIMARY KEY (deploy_id, waiting_at)
);
`;
