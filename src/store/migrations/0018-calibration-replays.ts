// Calibration replays kept between runs (attribution/calibration.ts): each earlier confirmed incident's top suspects
// as of its own start, which every later incident's calibration map is fitted on. Replaying up to 100 of them cost
// ~20 ms each, paid by every new process (a one-shot CLI: ~2 s at 55k commits) and, in the process, by every run
// after a 10-minute expiry. A replay reads only what happened before its start: the deploys of its env that finished
// before it (their commits and rollbacks) and the commits, files and reverts dated before it. The triggers delete
// exactly the replays such a write can change; new data — a deploy or commit newer than every fix — deletes
// nothing, and neither does a change to a column a replay does not read (linked_failure, kept by the link triggers).
// `model` names the scoring that produced the points, so a changed model never reads old ones.
// The statements are written out (a migration imports nothing, so what it did never changes with later code).
export const sql = `
CREATE TABLE calibration_replays (
  env TEXT NOT NULL,
  model TEXT NOT NULL,
  fix_key TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  points TEXT NOT NULL,
  PRIMARY KEY (env, model, fix_key)
) WITHOUT ROWID;
CREATE INDEX calibration_replays_env_time ON calibration_replays(env, started_at);
CREATE INDEX calibration_replays_time ON calibration_replays(started_at);

CREATE TRIGGER calibration_commits_ai AFTER INSERT ON commits
  WHEN EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays WHERE started_at > min(new.authored_at, new.committed_at,
    coalesce((SELECT min(d.finished_at) FROM deploy_commits m JOIN deploys d ON d.id = m.deploy_id WHERE m.sha = new.sha),
             new.committed_at));
END;
CREATE TRIGGER calibration_commit_files_au AFTER UPDATE OF module ON commit_files
  WHEN EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays;
END;
CREATE TRIGGER calibration_deploys_ai AFTER INSERT ON deploys
  WHEN EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays WHERE env = new.env AND started_at > new.finished_at;
END;
CREATE TRIGGER calibration_deploys_au AFTER UPDATE OF env, sha, finished_at, status, rolled_back_by_deploy_id ON deploys
  WHEN (old.env IS NOT new.env OR old.sha IS NOT new.sha OR old.finished_at IS NOT new.finished_at
    OR old.status IS NOT new.status OR old.rolled_back_by_deploy_id IS NOT new.rolled_back_by_deploy_id)
    AND EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays WHERE env IN (old.env, new.env) AND started_at > min(old.finished_at, new.finished_at);
END;
CREATE TRIGGER calibration_deploys_ad AFTER DELETE ON deploys
  WHEN EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays WHERE env = old.env AND started_at > old.finished_at;
END;
CREATE TRIGGER calibration_deploy_commits_ai AFTER INSERT ON deploy_commits
  WHEN EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays WHERE env = (SELECT d.env FROM deploys d WHERE d.id = new.deploy_id)
    AND started_at > (SELECT d.finished_at FROM deploys d WHERE d.id = new.deploy_id);
END;
CREATE TRIGGER calibration_deploy_commits_ad AFTER DELETE ON deploy_commits
  WHEN EXISTS (SELECT 1 FROM calibration_replays) BEGIN
  DELETE FROM calibration_replays WHERE env = (SELECT d.env FROM deploys d WHERE d.id = old.deploy_id)
    AND started_at > (SELECT d.finished_at FROM deploys d WHERE d.id = old.deploy_id);
END;
`;
