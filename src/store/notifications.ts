import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// Comments hindsight wrote back to GitHub (issue 18): one per (incident, pull request or issue).

export type NotificationState = 'posted' | 'withdrawn' | 'gone';

export interface NotificationRow {
  incidentId: number;
  repo: string;
  number: number;
  target: 'pull' | 'issue';
  sha: string | null;
  commentId: number;
  url: string | null;
  bodyHash: string;
  state: NotificationState;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = `incident_id AS incidentId, repo, number, target, sha, comment_id AS commentId, url,
  body_hash AS bodyHash, state, created_at AS createdAt, updated_at AS updatedAt`;

export function getNotification(db: Db, incidentId: number, repo: string, number: number): NotificationRow | undefined {
  return stmt(db, `SELECT ${COLUMNS} FROM notifications WHERE incident_id = ? AND repo = ? AND number = ?`).get(
    incidentId,
    repo,
    number,
  ) as NotificationRow | undefined;
}

/** Every comment written for these incidents (all incidents when `incidentIds` is undefined). */
export function notificationsOf(db: Db, incidentIds?: readonly number[]): NotificationRow[] {
  if (incidentIds === undefined) {
    return stmt(
      db,
      `SELECT ${COLUMNS} FROM notifications ORDER BY incident_id, repo, number`,
    ).all() as NotificationRow[];
  }
  const one = stmt(db, `SELECT ${COLUMNS} FROM notifications WHERE incident_id = ? ORDER BY repo, number`);
  return incidentIds.flatMap((id) => one.all(id) as NotificationRow[]);
}

/** Records the comment as written (insert, or the new body hash and state of the same comment). */
export function saveNotification(db: Db, n: NotificationRow): void {
  stmt(
    db,
    `INSERT INTO notifications (incident_id, repo, number, target, sha, comment_id, url, body_hash, state, created_at,
       updated_at)
     VALUES (@incidentId, @repo, @number, @target, @sha, @commentId, @url, @bodyHash, @state, @createdAt, @updatedAt)
     ON CONFLICT (incident_id, repo, number) DO UPDATE SET target = excluded.target, sha = excluded.sha,
       comment_id = excluded.comment_id, url = excluded.url, body_hash = excluded.body_hash, state = excluded.state,
       updated_at = excluded.updated_at`,
  ).run(n);
}

/** A commit link of an incident, as the write-back reads it. */
export interface CauseLink {
  incidentId: number;
  sha: string;
  score: number;
  status: 'suspect' | 'confirmed' | 'rejected';
  method: string;
  evidence: string;
}

/**
 * The commit links worth telling an author about: confirmed ones, and suspects scoring `minScore` or more (never,
 * when it is undefined). Rejected links come too: a comment already written for one is withdrawn.
 */
export function causeLinks(db: Db, o: { minScore?: number; incidentId?: number }): CauseLink[] {
  const min = o.minScore ?? 2; // above any score: suspects never qualify
  const where = `l.kind = 'commit' AND (l.status IN ('confirmed', 'rejected') OR l.score >= ?)`;
  const cols = `l.incident_id AS incidentId, l.target AS sha, l.score, l.status, l.method, l.evidence`;
  return (
    o.incidentId === undefined
      ? stmt(
          db,
          `SELECT ${cols} FROM incident_links l WHERE ${where} ORDER BY l.incident_id, l.score DESC, l.target`,
        ).all(min)
      : stmt(
          db,
          `SELECT ${cols} FROM incident_links l WHERE l.incident_id = ? AND ${where} ORDER BY l.score DESC, l.target`,
        ).all(o.incidentId, min)
  ) as CauseLink[];
}
