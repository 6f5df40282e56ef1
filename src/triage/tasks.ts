import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { getTask, putTask, taskEntryCount, type TaskOutcome, type TaskRow } from '../store/tasks.js';
import { Redactor } from '../redact.js';
import { withImmediateTransaction } from '../store/transaction.js';

/** A task event: `start` opens it, `finish` closes it with an outcome. Times unix ms. */
export interface TaskEvent {
  action: 'start' | 'finish';
  id: string;
  agent?: string | undefined;
  title?: string | undefined;
  sessionId?: string | undefined;
  outcome?: TaskOutcome | undefined;
  at: number;
}

export interface RecordedTask {
  task: TaskRow;
  /** 'created' | 'updated' | 'unchanged' */
  change: 'created' | 'updated' | 'unchanged';
  interrupts: number;
}

/**
 * Upserts a task: a repeated start or finish changes nothing (the first start/finish time is kept); given
 * fields fill or replace stored ones. A finish without a start records the task as started when it finished,
 * unless `finishNeedsStart` (an agent's own call, where an unknown id is a typo or a lost start, not history).
 */
export function recordTask(ctx: AppContext, e: TaskEvent, options: { finishNeedsStart?: boolean } = {}): RecordedTask {
  return saveTask(ctx, redactTask(e), options);
}

/**
 * The event with its texts redacted. The id too: log_interrupt redacts its task_id the same way, so the two
 * still match. Imports call it before taking the write lock, then `saveTask` under it.
 */
export function redactTask(e: TaskEvent): TaskEvent {
  const r = new Redactor();
  return {
    ...e,
    id: r.text(e.id),
    agent: r.optional(e.agent),
    title: r.optional(e.title),
    sessionId: r.optional(e.sessionId),
  };
}

/** `recordTask` for an event `redactTask` has already been through. */
export function saveTask(ctx: AppContext, e: TaskEvent, options: { finishNeedsStart?: boolean } = {}): RecordedTask {
  if (e.action === 'finish' && !e.outcome) {
    throw new UserInputError('finishing a task needs `outcome`: completed, failed or abandoned', 'outcome');
  }
  if (e.action === 'start' && e.outcome) {
    throw new UserInputError('`outcome` belongs to action "finish"; drop it when starting a task', 'outcome');
  }
  const db = ctx.store;
  return withImmediateTransaction(db, (): RecordedTask => {
    const stored = getTask(db, e.id);
    if (stored === undefined && e.action === 'finish' && options.finishNeedsStart) {
      throw new UserInputError(
        `no task '${e.id}' was started, so there is nothing to finish: check the id, or call record_task with ` +
          `action "start" and this id first`,
        'id',
      );
    }
    // The earliest start wins, so a start that arrives after its finish (imports) still dates the task.
    const startedAt = e.action === 'start' ? Math.min(stored?.startedAt ?? e.at, e.at) : (stored?.startedAt ?? e.at);
    const finishedAt = e.action === 'finish' ? (stored?.finishedAt ?? e.at) : (stored?.finishedAt ?? null);
    if (finishedAt !== null && finishedAt < startedAt) {
      throw new UserInputError(
        `task '${e.id}' started at ${new Date(startedAt).toISOString()}; a finish cannot come before it`,
        'at',
      );
    }
    const next: TaskRow = {
      id: e.id,
      agent: e.agent ?? stored?.agent ?? null,
      title: e.title ?? stored?.title ?? null,
      sessionId: e.sessionId ?? stored?.sessionId ?? null,
      startedAt,
      finishedAt,
      outcome: e.action === 'finish' ? e.outcome! : (stored?.outcome ?? null),
      updatedAt: stored?.updatedAt ?? e.at,
    };
    const same = stored !== undefined && sameTask(stored, next);
    if (!same) putTask(db, { ...next, updatedAt: e.at });
    const interrupts = taskEntryCount(db, e.id);
    return {
      task: same ? stored : { ...next, updatedAt: e.at },
      change: stored === undefined ? 'created' : same ? 'unchanged' : 'updated',
      interrupts,
    };
  });
}

function sameTask(a: TaskRow, b: TaskRow): boolean {
  return (
    a.agent === b.agent &&
    a.title === b.title &&
    a.sessionId === b.sessionId &&
    a.startedAt === b.startedAt &&
    a.finishedAt === b.finishedAt &&
    a.outcome === b.outcome
  );
}
