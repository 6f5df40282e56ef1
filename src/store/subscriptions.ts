import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// resources/subscribe over the stateless HTTP server: per token, in the database, so any instance can deliver.

export function subscribe(db: Db, tokenId: string, uri: string, at: number): void {
  stmt(
    db,
    `INSERT INTO resource_subscriptions (token_id, uri, created_at) VALUES (?, ?, ?)
     ON CONFLICT (token_id, uri) DO NOTHING`,
  ).run(tokenId, uri, at);
}

export function unsubscribe(db: Db, tokenId: string, uri: string): void {
  stmt(db, 'DELETE FROM resource_subscriptions WHERE token_id = ? AND uri = ?').run(tokenId, uri);
}

export function subscriptionsOf(db: Db, tokenId: string): string[] {
  return stmt(db, 'SELECT uri FROM resource_subscriptions WHERE token_id = ? ORDER BY uri')
    .pluck()
    .all(tokenId) as string[];
}
