// PostgreSQL twins of migrations/0004-perf.ts and 0005-perf-links.ts (the same indexes).
export const perf = `CREATE INDEX commits_time ON commits(committed_at);`;

export const perfLinks = `
CREATE INDEX commits_reverts_time ON commits(committed_at) WHERE reverts_sha IS NOT NULL;
CREATE INDEX incident_links_strong ON incident_links(target, incident_id, kind, status, score)
  WHERE kind = 'commit' AND status <> 'rejected' AND (status = 'confirmed' OR score >= 0.5);
`;
