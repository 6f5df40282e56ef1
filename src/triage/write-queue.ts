import type { AppContext } from '../context.js';
import { isBusy } from '../store/busy.js';
import type { Db } from '../store/open.js';
import {
  answerLogged,
  logInterrupt,
  prepareEntry,
  storeTogether,
  type LoggedEntry,
  type NewEntry,
  type PendingEntry,
} from './interrupts.js';

/** How many calls share one transaction when HINDSIGHT_WRITE_GROUP does not say. */
const DEFAULT_GROUP = 64;

interface Waiting extends PendingEntry {
  resolve: (logged: LoggedEntry) => void;
  reject: (err: unknown) => void;
}

/** Per database: the calls waiting for the next group commit. */
const queues = new WeakMap<Db, { waiting: Waiting[]; scheduled: boolean }>();

/**
 * log_interrupt for a process that serves many agents (`serve --http`): the calls that arrive together are stored
 * in one transaction (storeTogether) — one BEGIN and COMMIT, one lock wait, for all of them — and each caller gets
 * the answer logInterrupt would have given. The entry is redacted and categorised before it waits, so bad input
 * fails only its own call; when a group's transaction fails for any reason but a busy lock (which the caller
 * retries: nothing was written), its entries are stored again one by one, so one entry cannot take the others down.
 */
export function queueInterrupt(ctx: AppContext, e: NewEntry): Promise<LoggedEntry> {
  if ((ctx.config.writeGroup ?? DEFAULT_GROUP) === 1) return Promise.resolve(logInterrupt(ctx, e));
  const prepared = prepareEntry(ctx, e);
  let queue = queues.get(ctx.store);
  if (!queue) queues.set(ctx.store, (queue = { waiting: [], scheduled: false }));
  const q = queue;
  return new Promise((resolve, reject) => {
    q.waiting.push({ ctx, entry: e, prepared, resolve, reject });
    if (q.scheduled) return;
    q.scheduled = true;
    // After this turn's I/O: every request that arrived with this one has queued its entry by then.
    setImmediate(() => {
      q.scheduled = false;
      const limit = ctx.config.writeGroup ?? DEFAULT_GROUP;
      while (q.waiting.length > 0) commitGroup(q.waiting.splice(0, limit));
    });
  });
}

function commitGroup(group: Waiting[]): void {
  let stored;
  try {
    stored = storeTogether(group);
  } catch (err) {
    if (group.length === 1 || isBusy(err)) {
      for (const w of group) w.reject(err);
    } else {
      for (const w of group) commitGroup([w]);
    }
    return;
  }
  for (const [i, w] of group.entries()) {
    try {
      w.resolve(answerLogged(w, stored[i]!));
    } catch (err) {
      w.reject(err);
    }
  }
}
