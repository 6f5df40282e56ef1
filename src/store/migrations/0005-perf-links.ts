// More indexes for the agent tools at org scale, each checked with EXPLAIN QUERY PLAN (0004-perf was already
// committed, and migrations are append only).
export const sql = `
-- change_risk's recent reverts start from the window's reverts (a few hundred) instead of every commit of the paths.
CREATE INDEX commits_reverts_time ON commits(committed_at) WHERE reverts_sha IS NOT NULL;
-- Strong commit links (as history/incident-history.ts STRONG_LINK writes them): a busy module's incidents are found
-- from these few tens of thousands instead of its hundreds of thousands of commit files. Covering (kind, status,
-- score too), so neither the count nor the scan reads the rows and their evidence JSON.
CREATE INDEX incident_links_strong ON incident_links(target, incident_id, kind, status, score)
  WHERE kind = 'commit' AND status <> 'rejected' AND (status = 'confirmed' OR score >= 0.5);
`;
