// A commit link marks the deploys carrying its commit for my_deploy_impact's summaries (0016) only when it is shown
// there (score >= 0.3, not rejected; failure-grade links are a subset): a summary counts, weighs and lists shown
// links only, so writing or deleting any other changes nothing. An attribution run rewrites every link of an
// incident, and ~60 % of commit links are below that score (bench 6: 18,625 shown of 47,554); their marks made
// the end-of-run refresh recompute deploys no answer could tell apart. The triggers are 0016's with a narrower WHEN,
// written out (a migration imports nothing, so what it did never changes with later code).
export const sql = `
DROP TRIGGER impact_links_ai;
CREATE TRIGGER impact_links_ai AFTER INSERT ON incident_links WHEN new.kind = 'commit' AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.3) BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = new.target ON CONFLICT (deploy_id) DO NOTHING;
  INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, new.incident_id, c.repo_id FROM commits c JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE c.sha = new.target AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL AND new.kind = 'commit'
      AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5) ON CONFLICT DO NOTHING;
END;
DROP TRIGGER impact_links_au;
CREATE TRIGGER impact_links_au AFTER UPDATE ON incident_links WHEN old.kind = 'commit' AND old.status <> 'rejected' AND (old.status = 'confirmed' OR old.score >= 0.3) OR new.kind = 'commit' AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.3) BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = old.target ON CONFLICT (deploy_id) DO NOTHING;
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = new.target ON CONFLICT (deploy_id) DO NOTHING;
  DELETE FROM impact_links WHERE sha = old.target AND incident_id = old.incident_id;
  INSERT INTO impact_links (ident, committed_at, sha, incident_id, repo_id)
    SELECT CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END, c.committed_at, c.sha, new.incident_id, c.repo_id FROM commits c JOIN (SELECT 'a' AS k UNION ALL SELECT 'e' UNION ALL SELECT 'n') kinds ON 1 = 1
    WHERE c.sha = new.target AND CASE kinds.k WHEN 'a' THEN 'a:' || c.agent WHEN 'e' THEN 'e:' || lower(c.author_email) ELSE 'n:' || lower(c.author_name) END IS NOT NULL AND new.kind = 'commit'
      AND new.status <> 'rejected' AND (new.status = 'confirmed' OR new.score >= 0.5) ON CONFLICT DO NOTHING;
END;
DROP TRIGGER impact_links_ad;
CREATE TRIGGER impact_links_ad AFTER DELETE ON incident_links WHEN old.kind = 'commit' AND old.status <> 'rejected' AND (old.status = 'confirmed' OR old.score >= 0.3) BEGIN
  INSERT INTO impact_dirty (deploy_id) SELECT deploy_id FROM deploy_commits WHERE sha = old.target ON CONFLICT (deploy_id) DO NOTHING;
  DELETE FROM impact_links WHERE sha = old.target AND incident_id = old.incident_id;
END;
`;
