// Per-agent access tokens for `serve --http` (MCP over HTTP). Only a salted hash of each secret is kept.
// IF NOT EXISTS: self-contained, whatever the migrations around it.
export const sql = `
CREATE TABLE IF NOT EXISTS access_tokens (
  id TEXT PRIMARY KEY,                 -- public part of the token: what list and revoke name
  agent TEXT NOT NULL,                 -- who "me" is for every call made with it
  scopes TEXT NOT NULL,                -- space-separated: read log propose admin
  salt BLOB NOT NULL,
  hash BLOB NOT NULL,                  -- sha256(salt || secret)
  note TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS access_tokens_agent ON access_tokens(agent);
`;
