import type { Db } from './open.js';
import { prepared } from './interrupts.js';

export type TaskOutcome = 'completed' | 'failed' | 'abandoned';

/** A `tasks` row: one agent task, the denominator of the interrupt rates. Times are unix ms. */
export interface TaskRow {
  id: string;
  agent: string | null;
  title: string | null;
  sessionId: string | null;
  startedAt: number;
  finishedAt: number | null;
  outcome: TaskOutcome | null;
  updatedAt: number;
}

const COLUMNS = `SELECT id, agent, title, session_id AS sessionId, started_at AS startedAt, finished_at AS finishedAt,
  outcome, updated_at AS updatedAt FROM tasks`;

export function getTask(db: Db, id: string): TaskRow | undefined {
  return prepared(db, `${COLUMNS} WHERE id = ?`).get(id) as TaskRow | undefined;
}

/** Inserts or replaces a task row as a whole (the caller merged it with what was stored). */
export function putTask(db: Db, t: TaskRow): void {
  prepared(
    db,
    `INSERT INTO tasks (id, agent, title, session_id, started_at, finished_at, outcome, updated_at)
     VALUES (@id, @agent, @title, @sessionId, @startedAt, @finishedAt, @outcome, @updatedAt)
     ON CONFLICT(id) DO UPDATE SET agent = excluded.agent, title = excluded.title, session_id = excluded.session_id,
       started_at = excluded.started_at, finished_at = excluded.finished_at, outcome = excluded.outcome,
       updated_at = excluded.updated_at`,
  ).run(t);
}

/** A task with how many interrupts and corrections name it. */
export type TaskWithEntries = TaskRow & { entries: number };

const WITH_ENTRIES = `SELECT t.id, t.agent, t.title, t.session_id AS sessionId, t.started_at AS startedAt,
  t.finished_at AS finishedAt, t.outcome, t.updated_at AS updatedAt,
  (SELECT count(*) FROM interrupts i WHERE i.task_id = t.id) AS entries FROM tasks t`;

/** Tasks started in (since, until]. */
export function tasksStartedBetween(db: Db, since: number, until: number): TaskWithEntries[] {
  return prepared(db, `${WITH_ENTRIES} WHERE t.started_at > ? AND t.started_at <= ? ORDER BY t.started_at, t.id`).all(
    since,
    until,
  ) as TaskWithEntries[];
}

/** Tasks finished in (since, until] (no index on finished_at: tasks start before they finish, so bound both). */
export function tasksFinishedBetween(db: Db, since: number, until: number, maxAgeMs: number): TaskWithEntries[] {
  return prepared(
    db,
    `${WITH_ENTRIES} WHERE t.started_at > ? AND t.started_at <= ? AND t.finished_at > ? AND t.finished_at <= ?
      ORDER BY t.finished_at, t.id`,
  ).all(since - maxAgeMs, until, since, until) as TaskWithEntries[];
}

/** An agent's tasks started since `since`, newest first. */
export function agentTasks(db: Db, agent: string, since: number, limit: number): TaskWithEntries[] {
  return prepared(
    db,
    `${WITH_ENTRIES} WHERE t.agent = ? AND t.started_at >= ? ORDER BY t.started_at DESC, t.id LIMIT ?`,
  ).all(agent, since, limit) as TaskWithEntries[];
}

/** Agent names seen in tasks or interrupts, most recently active first. */
export function knownAgents(db: Db, limit: number): string[] {
  const rows = prepared(
    db,
    `SELECT agent, max(at) AS at FROM (
       SELECT agent, max(started_at) AS at FROM tasks WHERE agent IS NOT NULL GROUP BY agent
       UNION ALL
       SELECT agent, max(created_at) AS at FROM interrupts WHERE agent IS NOT NULL GROUP BY agent)
     GROUP BY agent ORDER BY at DESC, agent LIMIT ?`,
  ).all(limit) as { agent: string }[];
  return rows.map((r) => r.agent);
}

/** How many interrupts and corrections name the task. */
export function taskEntryCount(db: Db, taskId: string): number {
  return (prepared(db, 'SELECT count(*) AS n FROM interrupts WHERE task_id = ?').get(taskId) as { n: number }).n;
}
