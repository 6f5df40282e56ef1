// PostgreSQL twin of migrations/0018-calibration-replays.ts: the same table and the same deletes in PL/pgSQL trigger
// functions (LEAST ignores a NULL, so no coalesce).

const fn = (name: string, body: string) => `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM calibration_replays) THEN
    ${body}
  END IF;
  RETURN NULL;
END $$;`;

const deployOf = (row: 'NEW' | 'OLD') =>
  `DELETE FROM calibration_replays r USING deploys d
      WHERE d.id = ${row}.deploy_id AND r.env = d.env AND r.started_at > d.finished_at;`;

export const sql = `
CREATE TABLE calibration_replays (
  env TEXT NOT NULL,
  model TEXT NOT NULL,
  fix_key TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  points TEXT NOT NULL,
  PRIMARY KEY (env, model, fix_key)
);
CREATE INDEX calibration_replays_env_time ON calibration_replays(env, started_at);
CREATE INDEX calibration_replays_time ON calibration_replays(started_at);

${fn(
  'calibration_commits_ai',
  `DELETE FROM calibration_replays WHERE started_at > LEAST(NEW.authored_at, NEW.committed_at,
      (SELECT min(d.finished_at) FROM deploy_commits m JOIN deploys d ON d.id = m.deploy_id WHERE m.sha = NEW.sha));`,
)}
CREATE TRIGGER calibration_commits_ai AFTER INSERT ON commits
  FOR EACH ROW EXECUTE FUNCTION calibration_commits_ai();
${fn('calibration_commit_files_au', 'DELETE FROM calibration_replays;')}
CREATE TRIGGER calibration_commit_files_au AFTER UPDATE OF module ON commit_files
  FOR EACH ROW EXECUTE FUNCTION calibration_commit_files_au();
${fn(
  'calibration_deploys_ai',
  `IF TG_OP <> 'INSERT' THEN
      DELETE FROM calibration_replays WHERE env = OLD.env AND started_at > OLD.finished_at;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      DELETE FROM calibration_replays WHERE env = NEW.env AND started_at > NEW.finished_at;
    END IF;`,
)}
CREATE TRIGGER calibration_deploys_ai AFTER INSERT OR DELETE ON deploys
  FOR EACH ROW EXECUTE FUNCTION calibration_deploys_ai();
CREATE TRIGGER calibration_deploys_au AFTER UPDATE OF env, sha, finished_at, status, rolled_back_by_deploy_id ON deploys
  FOR EACH ROW WHEN (OLD.env IS DISTINCT FROM NEW.env OR OLD.sha IS DISTINCT FROM NEW.sha
    OR OLD.finished_at IS DISTINCT FROM NEW.finished_at OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.rolled_back_by_deploy_id IS DISTINCT FROM NEW.rolled_back_by_deploy_id)
  EXECUTE FUNCTION calibration_deploys_ai();
${fn(
  'calibration_deploy_commits_ai',
  `IF TG_OP = 'INSERT' THEN
      ${deployOf('NEW')}
    ELSE
      ${deployOf('OLD')}
    END IF;`,
)}
CREATE TRIGGER calibration_deploy_commits_ai AFTER INSERT OR DELETE ON deploy_commits
  FOR EACH ROW EXECUTE FUNCTION calibration_deploy_commits_ai();
`;
