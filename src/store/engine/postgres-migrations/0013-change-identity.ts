// PostgreSQL twin of migrations/0013-change-identity.ts.
export const sql = `
CREATE INDEX IF NOT EXISTS commits_authored ON commits(authored_at);
`;
