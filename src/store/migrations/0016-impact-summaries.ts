// my_deploy_impact's summaries (store/impact-summaries.ts says what each table keeps and why). The triggers mark the
// deploys an event can change: a commit carried (first shipment moves when a deploy arrives out of order), a deploy's
// env, service, time or status, a commit link, an incident's start or env, a commit ingested after a deploy named
// it. Commits, deploys and incidents are never deleted by hindsight; deploy_commits and links are (their triggers).
// The statements are written out (store/impact-sql.ts builds the same text for the PostgreSQL twin and the refresh):
// a migration imports nothing, so what it did never changes with later code.
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
  PRIMARY KEY (ident, repo_id, last_at, deploy_id)
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
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = new.sha ON CONFLICT (deploy_id) DO NOTHING;
END;
CREATE TRIGGER impact_deploy_commits_ad AFTER DELETE ON deploy_commits BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT old.deploy_id WHERE 1 = 1 UNION SELECT deploy_id FROM deploy_commits WHERE sha = old.sha ON CONFLICT (deploy_id) DO NOTHING;
END;
CREATE TRIGGER impact_deploys_au AFTER UPDATE ON deploys
  WHEN old.env IS NOT new.env OR old.service IS NOT new.service OR old.finished_at IS NOT new.finished_at
    OR old.status IS NOT new.status BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT o.deploy_id FROM deploy_commits m JOIN deploy_commits o ON o.sha = m.sha WHERE m.deploy_id = new.id ON CONFLICT (deploy_id) DO NOTHING;
END;
CREATE TRIGGER impact_links_ai AFTER INSERT ON incident_links WHEN new.kind = 'commit' BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = new.target ON CONFLICT (deploy_id) DO NOTHING;
  INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, new.incident_id, c.repo_id FROM commits c JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE c.sha = new.target AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL AND new.kind = 'commit'
      AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER impact_links_au AFTER UPDATE ON incident_links WHEN old.kind = 'commit' OR new.kind = 'commit' BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = old.target ON CONFLICT (deploy_id) DO NOTHING;
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = new.target ON CONFLICT (deploy_id) DO NOTHING;
  DELETE FROM impact_links WHERE sha = old.target AND incident_id = old.incident_id;
  INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, new.incident_id, c.repo_id FROM commits c JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE c.sha = new.target AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL AND new.kind = 'commit'
      AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER impact_links_ad AFTER DELETE ON incident_links WHEN old.kind = 'commit' BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = old.target ON CONFLICT (deploy_id) DO NOTHING;
  DELETE FROM impact_links WHERE sha = old.target AND incident_id = old.incident_id;
END;
CREATE TRIGGER impact_incidents_au AFTER UPDATE ON incidents
  WHEN old.started_at IS NOT new.started_at OR old.env IS NOT new.env BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT dc.deploy_id FROM incident_links l JOIN deploy_commits dc ON dc.sha = l.target
     WHERE l.incident_id = new.id AND l.kind = 'commit' ON CONFLICT (deploy_id) DO NOTHING;
END;
CREATE TRIGGER impact_commits_ai AFTER INSERT ON commits BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = new.sha ON CONFLICT (deploy_id) DO NOTHING;
  INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, l.incident_id, c.repo_id
    FROM incident_links l JOIN commits c ON c.sha = l.target JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE l.target = new.sha AND l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL ON CONFLICT DO NOTHING;
  INSERT INTO impact_reverts (ident, committed_at, sha, revert_sha, reverted_at, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, new.sha, new.committed_at, c.repo_id FROM commits c JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE c.sha = new.reverts_sha AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL ON CONFLICT DO NOTHING;
  INSERT INTO impact_reverts (ident, committed_at, sha, revert_sha, reverted_at, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, r.sha, r.committed_at, c.repo_id
    FROM commits r JOIN commits c ON c.sha = r.reverts_sha JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE r.reverts_sha = new.sha AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL ON CONFLICT DO NOTHING;
END;

WITH r AS MATERIALIZED (SELECT d.id AS deploy_id, d.env, d.service, d.finished_at, d.status, c.sha, c.repo_id, c.committed_at,
    c.agent, c.author_email, c.author_name,
    CASE WHEN d.status = 'failure' OR NOT EXISTS (SELECT 1 FROM deploy_commits o CROSS JOIN deploys od ON od.id = o.deploy_id
     WHERE o.sha = dc.sha AND od.env = d.env AND od.service = d.service AND od.status <> 'failure' AND (od.finished_at < d.finished_at OR od.finished_at = d.finished_at AND od.id < d.id))
      THEN 1 ELSE 0 END AS listed,
    CASE WHEN NOT EXISTS (SELECT 1 FROM deploy_commits o CROSS JOIN deploys od ON od.id = o.deploy_id
     WHERE o.sha = dc.sha AND (od.finished_at < d.finished_at OR od.finished_at = d.finished_at AND od.id < d.id)) THEN 1 ELSE 0 END AS first_any,
    CASE WHEN NOT EXISTS (SELECT 1 FROM deploy_commits o CROSS JOIN deploys od ON od.id = o.deploy_id
     WHERE o.sha = dc.sha AND od.env = d.env AND (od.finished_at < d.finished_at OR od.finished_at = d.finished_at AND od.id < d.id)) THEN 1 ELSE 0 END AS first_env,
    (SELECT count(*) FROM incident_links l JOIN incidents i ON i.id = l.incident_id
     WHERE l.kind = 'commit' AND l.target = dc.sha AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.3) AND i.started_at > d.finished_at AND i.env = d.env) AS incidents,
    (SELECT max(CASE WHEN l.status = 'confirmed' THEN 2 ELSE 0 END + l.score) FROM incident_links l JOIN incidents i ON i.id = l.incident_id
     WHERE l.kind = 'commit' AND l.target = dc.sha AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.3) AND i.started_at > d.finished_at AND i.env = d.env) AS weight,
    (SELECT count(*) FROM incident_links l JOIN incidents i ON i.id = l.incident_id
     WHERE l.kind = 'commit' AND l.target = dc.sha AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.3) AND (l.status = 'confirmed' OR l.score >= 0.5) AND i.started_at > d.finished_at AND i.env = d.env) AS strong
  FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id JOIN commits c ON c.sha = dc.sha)
  INSERT INTO impact_deploys (ident, repo_id, deploy_id, env, service, finished_at, status, first_at, last_at, carried, listed, first_any, first_env, incidents, weight, failed_link)
  SELECT x.ident, x.repo_id, x.deploy_id, x.env, x.service, x.finished_at, x.status, min(x.committed_at) AS first_at, max(x.committed_at) AS last_at, count(*) AS carried,
  sum(x.listed) AS listed, sum(x.first_any) AS first_any, sum(x.first_env) AS first_env,
  sum(CASE WHEN x.listed = 1 THEN x.incidents ELSE 0 END) AS incidents,
  coalesce(max(CASE WHEN x.listed = 1 THEN x.weight END), 0) AS weight,
  max(CASE WHEN x.listed = 1 AND x.strong > 0 THEN 1 ELSE 0 END) AS failed_link
  FROM (SELECT CASE kinds.k WHEN 'a' THEN 'a:' || r.agent WHEN 'e' THEN 'e:' || lower(r.author_email) ELSE 'n:' || lower(r.author_name) END AS ident, CASE WHEN repos.k = 0 THEN 0 ELSE r.repo_id END AS repo_id, r.deploy_id,
      r.env, r.service, r.finished_at, r.status, r.committed_at, r.listed, r.first_any, r.first_env, r.incidents,
      r.weight, r.strong
    FROM r JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1 JOIN (SELECT 0 AS k UNION ALL SELECT 1) repos ON 1 = 1) x
  WHERE x.ident IS NOT NULL
  GROUP BY x.ident, x.repo_id, x.deploy_id, x.env, x.service, x.finished_at, x.status;
INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)
  SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, l.incident_id, c.repo_id
  FROM incident_links l JOIN commits c ON c.sha = l.target JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
  WHERE l.kind = 'commit' AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5) AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL;
INSERT INTO impact_reverts (ident, committed_at, sha, revert_sha, reverted_at, repo_id)
  SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, r.sha, r.committed_at, c.repo_id
  FROM commits r JOIN commits c ON c.sha = r.reverts_sha JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
  WHERE r.reverts_sha IS NOT NULL AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL;
`;
