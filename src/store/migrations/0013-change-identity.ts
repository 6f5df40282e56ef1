// A cherry-pick is a new sha for the same change: git keeps its author, author date and subject. This index lets
// "was this change shipped before?" find the other shas of a change (store/first-ship.ts) without a scan.
export const sql = `
CREATE INDEX IF NOT EXISTS commits_authored ON commits(authored_at);
`;
