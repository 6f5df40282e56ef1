import { indexedBy } from './dialect.js';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

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

// `entries` is kept up to date by triggers (migration 0007): no count per task.
const WITH_ENTRIES = `SELECT t.id, t.agent, t.title, t.session_id AS sessionId, t.started_at AS startedAt,
  t.finished_at AS finishedAt, t.outcome, t.updated_at AS updatedAt, t.entries FROM tasks t`;

/**
 * Tasks started in (since, until]; tasks finished in it (those started up to `maxAgeMs` before `since`: tasks
 * start before they finish, so both bounds narrow the index range) and how many of those completed with no
 * interrupt or correction naming them. Counted from the indexes alone.
 */
export function taskCountsBetween(
  db: Db,
  since: number,
  until: number,
  maxAgeMs: number,
): { started: number; finished: number; autonomous: number } {
  const started = prepared(db, 'SELECT count(*) FROM tasks WHERE started_at > ? AND started_at <= ?')
    .pluck()
    .get(since, until) as number;
  const done = prepared(
    db,
    `SELECT count(*) AS finished, count(*) FILTER (WHERE outcome = 'completed' AND entries = 0) AS autonomous
       FROM tasks ${indexedBy(db, 'tasks_finished')}
      WHERE finished_at > @since AND finished_at <= @until AND started_at > @since - @maxAgeMs AND started_at <= @until`,
  ).get({ since, until, maxAgeMs }) as { finished: number; autonomous: number };
  return { started, ...done };
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
       SELECT agent, max(created_at) AS at FROM interrupts WHERE agent IS NOT NULL GROUP BY agent) seen
     GROUP BY agent ORDER BY at DESC, agent LIMIT ?`,
  ).all(limit) as { agent: string }[];
  return rows.map((r) => r.agent);
}

/** How many interrupts and corrections name the task. */
export function taskEntryCount(db: Db, taskId: string): number {
  return (prepared(db, 'SELECT count(*) AS n FROM interrupts WHERE task_id = ?').get(taskId) as { n: number }).n;
}
