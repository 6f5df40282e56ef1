// Indexes for the agent tools' hot queries at org scale (1M commits), each checked with EXPLAIN QUERY PLAN.
export const sql = `
-- "The latest N commits touching X" walks commits newest first across every repository and stops after N hits;
-- without it each repository was walked separately (commits_repo_time), ~4 s for a busy module at 1M commits.
CREATE INDEX commits_time ON commits(committed_at);
`;
