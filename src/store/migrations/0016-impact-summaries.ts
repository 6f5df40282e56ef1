import { carrying, impactBackfill, IMPACT_MARKS, impactCommitRows, mark, strongLinkRows } from '../impact-sql.js';

// my_deploy_impact's summaries (store/impact-summaries.ts says what each table keeps and why). The triggers mark the
// deploys an event can change: a commit carried (first shipment moves when a deploy arrives out of order), a deploy's
// env, service, time or status, a commit link, an incident's start or env, a commit ingested after a deploy named
// it. Commits, deploys and incidents are never deleted by hindsight; deploy_commits and links are (their triggers).

export const sql = `
CREATE TABLE impact_deploys (
  ident TEXT NOT NULL,
  last_at INTEGER NOT NULL,
  deploy_id INTEGER NOT NULL,
  repo_id INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  env TEXT NOT NULL,
  service TEXT NOT NULL,
  finished_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  carried INTEGER NOT NULL,
  listed INTEGER NOT NULL,
  first_any INTEGER NOT NULL,
  first_env INTEGER NOT NULL,
  incidents INTEGER NOT NULL,
  weight REAL NOT NULL,
  failed_link INTEGER NOT NULL,
  PRIMARY KEY (ident, last_at, deploy_id, repo_id)
) WITHOUT ROWID;
CREATE INDEX impact_deploys_deploy ON impact_deploys(deploy_id);
CREATE TABLE impact_dirty (deploy_id INTEGER PRIMARY KEY);
CREATE TABLE impact_links (
  ident TEXT NOT NULL,
  committed_at INTEGER NOT NULL,
  sha TEXT NOT NULL,
  incident_id INTEGER NOT NULL,
  repo_id INTEGER NOT NULL,
  PRIMARY KEY (ident, committed_at, sha, incident_id)
) WITHOUT ROWID;
CREATE INDEX impact_links_sha ON impact_links(sha, incident_id);
CREATE TABLE impact_reverts (
  ident TEXT NOT NULL,
  committed_at INTEGER NOT NULL,
  sha TEXT NOT NULL,
  revert_sha TEXT NOT NULL,
  reverted_at INTEGER NOT NULL,
  repo_id INTEGER NOT NULL,
  PRIMARY KEY (ident, committed_at, sha, revert_sha)
) WITHOUT ROWID;

CREATE TRIGGER impact_deploy_commits_ai AFTER INSERT ON deploy_commits BEGIN
  ${carrying('new.sha')}
END;
CREATE TRIGGER impact_deploy_commits_ad AFTER DELETE ON deploy_commits BEGIN
  ${mark(IMPACT_MARKS.deployCommitGone('old'))}
END;
CREATE TRIGGER impact_deploys_au AFTER UPDATE ON deploys
  WHEN old.env IS NOT new.env OR old.service IS NOT new.service OR old.finished_at IS NOT new.finished_at
    OR old.status IS NOT new.status BEGIN
  ${mark(IMPACT_MARKS.sharingWith('new'))}
END;
CREATE TRIGGER impact_links_ai AFTER INSERT ON incident_links WHEN new.kind = 'commit' BEGIN
  ${carrying('new.target')}
  ${strongLinkRows('new')}
END;
CREATE TRIGGER impact_links_au AFTER UPDATE ON incident_links WHEN old.kind = 'commit' OR new.kind = 'commit' BEGIN
  ${carrying('old.target')}
  ${carrying('new.target')}
  DELETE FROM impact_links WHERE sha = old.target AND incident_id = old.incident_id;
  ${strongLinkRows('new')}
END;
CREATE TRIGGER impact_links_ad AFTER DELETE ON incident_links WHEN old.kind = 'commit' BEGIN
  ${carrying('old.target')}
  DELETE FROM impact_links WHERE sha = old.target AND incident_id = old.incident_id;
END;
CREATE TRIGGER impact_incidents_au AFTER UPDATE ON incidents
  WHEN old.started_at IS NOT new.started_at OR old.env IS NOT new.env BEGIN
  ${mark(IMPACT_MARKS.linkedTo('new'))}
END;
CREATE TRIGGER impact_commits_ai AFTER INSERT ON commits BEGIN
  ${carrying('new.sha')}
  ${impactCommitRows('new')}
END;

${impactBackfill('sqlite')}
`;
