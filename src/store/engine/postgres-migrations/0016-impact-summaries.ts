// PostgreSQL twin of migrations/0016-impact-summaries.ts: the same tables, the same statements in PL/pgSQL trigger
// functions, and the same backfill (store/impact-summaries.ts).
import { carrying, impactBackfill, IMPACT_MARKS, impactCommitRows, mark, strongLinkRows } from '../../impact-sql.js';

const fn = (name: string, body: string) => `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${body}
  RETURN NULL;
END $$;`;

export const sql = `
CREATE TABLE impact_deploys (
  ident TEXT NOT NULL,
  last_at BIGINT NOT NULL,
  deploy_id BIGINT NOT NULL,
  repo_id BIGINT NOT NULL,
  first_at BIGINT NOT NULL,
  env TEXT NOT NULL,
  service TEXT NOT NULL,
  finished_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  carried BIGINT NOT NULL,
  listed BIGINT NOT NULL,
  first_any BIGINT NOT NULL,
  first_env BIGINT NOT NULL,
  incidents BIGINT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  failed_link BIGINT NOT NULL,
  PRIMARY KEY (ident, repo_id, last_at, deploy_id)
);
CREATE INDEX impact_deploys_deploy ON impact_deploys(deploy_id);
CREATE TABLE impact_dirty (deploy_id BIGINT PRIMARY KEY);
CREATE TABLE impact_links (
  ident TEXT NOT NULL,
  committed_at BIGINT NOT NULL,
  sha TEXT NOT NULL,
  incident_id BIGINT NOT NULL,
  repo_id BIGINT NOT NULL,
  PRIMARY KEY (ident, committed_at, sha, incident_id)
);
CREATE INDEX impact_links_sha ON impact_links(sha, incident_id);
CREATE TABLE impact_reverts (
  ident TEXT NOT NULL,
  committed_at BIGINT NOT NULL,
  sha TEXT NOT NULL,
  revert_sha TEXT NOT NULL,
  reverted_at BIGINT NOT NULL,
  repo_id BIGINT NOT NULL,
  PRIMARY KEY (ident, committed_at, sha, revert_sha)
);

${fn('impact_deploy_commits_ai', carrying('NEW.sha'))}
CREATE TRIGGER impact_deploy_commits_ai AFTER INSERT ON deploy_commits
  FOR EACH ROW EXECUTE FUNCTION impact_deploy_commits_ai();
${fn('impact_deploy_commits_ad', mark(IMPACT_MARKS.deployCommitGone('OLD')))}
CREATE TRIGGER impact_deploy_commits_ad AFTER DELETE ON deploy_commits
  FOR EACH ROW EXECUTE FUNCTION impact_deploy_commits_ad();
${fn('impact_deploys_au', mark(IMPACT_MARKS.sharingWith('NEW')))}
CREATE TRIGGER impact_deploys_au AFTER UPDATE ON deploys
  FOR EACH ROW WHEN (OLD.env IS DISTINCT FROM NEW.env OR OLD.service IS DISTINCT FROM NEW.service
    OR OLD.finished_at IS DISTINCT FROM NEW.finished_at OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION impact_deploys_au();
${fn(
  'impact_links_changed',
  `  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'commit' THEN
    ${carrying('OLD.target')}
    DELETE FROM impact_links WHERE sha = OLD.target AND incident_id = OLD.incident_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.kind = 'commit' THEN
    ${carrying('NEW.target')}
    ${strongLinkRows('NEW')}
  END IF;`,
)}
CREATE TRIGGER impact_links_changed AFTER INSERT OR UPDATE OR DELETE ON incident_links
  FOR EACH ROW EXECUTE FUNCTION impact_links_changed();
${fn('impact_incidents_au', mark(IMPACT_MARKS.linkedTo('NEW')))}
CREATE TRIGGER impact_incidents_au AFTER UPDATE ON incidents
  FOR EACH ROW WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.env IS DISTINCT FROM NEW.env)
  EXECUTE FUNCTION impact_incidents_au();
${fn('impact_commits_ai', `${carrying('NEW.sha')}\n  ${impactCommitRows('NEW')}`)}
CREATE TRIGGER impact_commits_ai AFTER INSERT ON commits FOR EACH ROW EXECUTE FUNCTION impact_commits_ai();

${impactBackfill('postgres')}
`;
