import type { Db } from './open.js';
import { prepared } from './prepared.js';

/** An `access_tokens` row as the rest of the code sees it (the hash and salt stay here and in auth). */
export interface TokenRow {
  id: string;
  agent: string;
  scopes: string[];
  note: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface TokenSecretRow extends TokenRow {
  salt: Buffer;
  hash: Buffer;
}

interface Raw {
  id: string;
  agent: string;
  scopes: string;
  salt: Buffer;
  hash: Buffer;
  note: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const COLUMNS = 'id, agent, scopes, salt, hash, note, created_at, expires_at, revoked_at, last_used_at';

function fromRaw(r: Raw): TokenSecretRow {
  return {
    id: r.id,
    agent: r.agent,
    scopes: r.scopes.split(' ').filter(Boolean),
    salt: r.salt,
    hash: r.hash,
    note: r.note,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export function insertToken(db: Db, t: Omit<TokenSecretRow, 'revokedAt' | 'lastUsedAt'>): void {
  db.prepare(
    `INSERT INTO access_tokens(id, agent, scopes, salt, hash, note, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(t.id, t.agent, t.scopes.join(' '), t.salt, t.hash, t.note, t.createdAt, t.expiresAt);
}

export function getToken(db: Db, id: string): TokenSecretRow | undefined {
  // Every authenticated request reads its token: prepared once per connection.
  const r = prepared(db, `SELECT ${COLUMNS} FROM access_tokens WHERE id = ?`).get(id) as Raw | undefined;
  return r ? fromRaw(r) : undefined;
}

/** Every token, newest first, without salt or hash. */
export function listTokens(db: Db): TokenRow[] {
  const rows = db.prepare(`SELECT ${COLUMNS} FROM access_tokens ORDER BY created_at DESC, id`).all() as Raw[];
  return rows.map((r) => {
    const { salt: _salt, hash: _hash, ...rest } = fromRaw(r);
    return rest;
  });
}

/** Marks a token revoked; false when no token has that id. Revoking twice keeps the first time. */
export function revokeToken(db: Db, id: string, at: number): boolean {
  const res = db.prepare('UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(at, id);
  return res.changes > 0;
}

/** Records use; at most once a minute per token, so reads over HTTP do not each cost a write. */
export function touchToken(db: Db, id: string, at: number): void {
  prepared(
    db,
    'UPDATE access_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
  ).run(at, id, at - 60_000);
}
