import { rebuildSql } from './migrations/0007-triage-rollups.js';
import { indexedBy, joinInOrder } from './dialect.js';
import { interruptMatchIds } from './engine/full-text.js';
import { engineOf } from './engine/open-engine.js';
import { isPostgres, type Db } from './open.js';
import { prepared } from './prepared.js';

/** An `interrupts` row (interrupt or correction) with camelCase fields; times are unix ms. */
export interface InterruptRow {
  id: number;
  kind: 'interrupt' | 'correction';
  category: string;
  categorySource: 'given' | 'suggested';
  summary: string;
  detail: string | null;
  paths: string[];
  module: string;
  agent: string | null;
  taskId: string | null;
  sessionId: string | null;
  source: 'human' | 'agent' | 'rubric';
  createdAt: number;
  respondedAt: number | null;
  resolvedAt: number | null;
  response: string | null;
  clusterId: number | null;
  fixId: number | null;
  redactions: number;
  externalId: string | null;
}

/** What an insert writes: everything but the id and the cluster (assigned in the same transaction). */
export type NewInterrupt = Omit<InterruptRow, 'id' | 'clusterId' | 'fixId'>;

const COLUMNS = `SELECT id, kind, category, category_source AS categorySource, summary, detail, paths, module, agent,
  task_id AS taskId, session_id AS sessionId, source, created_at AS createdAt, responded_at AS respondedAt,
  resolved_at AS resolvedAt, response, cluster_id AS clusterId, fix_id AS fixId, redactions,
  external_id AS externalId FROM interrupts`;

type Stored = Omit<InterruptRow, 'paths'> & { paths: string };

function toRow(r: Stored): InterruptRow {
  return { ...r, paths: parseStringList(r.paths) };
}

/** A JSON array of texts as stored in `paths`/`terms` columns; anything else reads as empty. */
export function parseStringList(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Inserts an entry, already in its cluster when one is given (one statement instead of an insert and an update). */
export function insertInterrupt(db: Db, e: NewInterrupt, clusterId: number | null = null): number {
  const res = prepared(
    db,
    `INSERT INTO interrupts (kind, category, category_source, summary, detail, paths, module, agent, task_id,
       session_id, source, created_at, responded_at, resolved_at, response, redactions, external_id, cluster_id)
     VALUES (@kind, @category, @categorySource, @summary, @detail, @paths, @module, @agent, @taskId, @sessionId,
       @source, @createdAt, @respondedAt, @resolvedAt, @response, @redactions, @externalId, @clusterId)
     RETURNING id`,
  ).get({ ...e, paths: JSON.stringify(e.paths), clusterId }) as { id: number };
  return res.id;
}

export function getInterrupt(db: Db, id: number): InterruptRow | undefined {
  const r = prepared(db, `${COLUMNS} WHERE id = ?`).get(id) as Stored | undefined;
  return r ? toRow(r) : undefined;
}

/** The ids of entries already imported under these external ids. */
export function knownExternalIds(db: Db, ids: readonly string[]): Set<string> {
  const found = new Set<string>();
  const q = prepared(db, 'SELECT 1 FROM interrupts WHERE external_id = ?');
  for (const id of ids) if (q.get(id)) found.add(id);
  return found;
}

export function setInterruptCluster(db: Db, id: number, clusterId: number): void {
  prepared(db, 'UPDATE interrupts SET cluster_id = ? WHERE id = ?').run(clusterId, id);
}

export function updateResolution(
  db: Db,
  id: number,
  r: { response: string; respondedAt: number; resolvedAt: number | null; fixId: number | null },
): void {
  prepared(
    db,
    'UPDATE interrupts SET response = ?, responded_at = ?, resolved_at = ?, fix_id = coalesce(?, fix_id) WHERE id = ?',
  ).run(r.response, r.respondedAt, r.resolvedAt, r.fixId, id);
}

/** An earlier entry as clustering compares it: only what scoring and the "seen before" answer read. */
export interface Candidate {
  id: number;
  summary: string;
  detail: string | null;
  /** the stored JSON array: parsed only for the few entries whose words match (parseStringList) */
  paths: string;
  createdAt: number;
  response: string | null;
  clusterId: number | null;
}

const CANDIDATE = `i.id, i.summary, i.detail, i.paths, i.created_at AS createdAt, i.response, i.cluster_id AS clusterId`;
/**
 * Clustering's scope: the same category (null: any, for an entry whose category was only guessed); with a module,
 * entries of that module or of none (cross-cutting).
 */
function inScope(category: string | null): string {
  const modules = `(@module = '' OR i.module = @module OR i.module = '')`;
  return category === null ? modules : `i.category = @category AND ${modules}`;
}

/**
 * A writer's snapshot, in one statement: the newest earlier entries in scope whose text matches any of the words
 * (FTS5, porter-stemmed like the index), at most `scan` of them — FTS5 walks its doclists newest first and stops
 * there, so the cost does not grow with the table; the caller scores them (no bm25: ranking every match cost more
 * than the whole insert) — and the newest id a writer of the module has seen (`seenThrough`: what entriesAfter
 * starts from under the write lock). Scope: the category (null: any), and with a module, entries of that module or
 * of none (cross-cutting); without, every module.
 */
export function searchInterrupts(
  db: Db,
  o: { words: readonly string[]; category: string | null; module: string; scan: number },
): { seenThrough: number; candidates: Candidate[] } {
  const seen = `(${newestIdSql(o.module, '@module')}) AS seenThrough`;
  if (o.words.length === 0) {
    const q = prepared(db, `SELECT ${seen}`).pluck();
    return { seenThrough: (o.module === '' ? q.get() : q.get({ module: o.module })) as number, candidates: [] };
  }
  const match = o.words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' OR ');
  const rows = prepared(
    db,
    `SELECT ${seen}, c.*
       FROM (SELECT 1 AS one) o
       LEFT JOIN (SELECT ${CANDIDATE}
                    FROM (${interruptMatchIds(engineOf(db))}) f
                    JOIN interrupts i ON i.id = f.id
                   WHERE ${inScope(o.category)}) c ON 1 = 1`,
  ).all({
    match,
    module: o.module,
    scan: o.scan,
    ...(o.category === null ? {} : { category: o.category }),
  }) as (Candidate & { seenThrough: number })[];
  return {
    seenThrough: rows[0]!.seenThrough,
    candidates: rows.filter((r) => r.id !== null).map(({ seenThrough: _, ...c }) => c),
  };
}

/**
 * Entries in scope written after entry `afterId` (what lastInterruptId returned for the same module before a
 * snapshot): with a module, read from the (module, id) index, since on PostgreSQL writers of other modules add
 * larger ids meanwhile.
 */
export function entriesAfter(db: Db, o: { afterId: number; category: string | null; module: string }): Candidate[] {
  const { category, ...rest } = o;
  const ofCategory = category === null ? '' : ' AND i.category = @category';
  const sql =
    o.module === ''
      ? `SELECT ${CANDIDATE} FROM interrupts i WHERE i.id > @afterId${ofCategory}`
      : `SELECT ${CANDIDATE} FROM interrupts i WHERE i.module = @module AND i.id > @afterId${ofCategory}
         UNION ALL
         SELECT ${CANDIDATE} FROM interrupts i WHERE i.module = '' AND i.id > @afterId${ofCategory}`;
  return prepared(db, sql).all(category === null ? rest : o) as Candidate[];
}

/**
 * SQL for the newest id of the entries a writer of module `param` clusters with: that module's and the
 * cross-cutting ones (module ''); every entry when the module is ''. Writers of one module take turns
 * (interruptWriteLock), so what they add after this is read has a larger id; entriesAfter finds it.
 */
function newestIdSql(module: string, param: string): string {
  return module === ''
    ? 'SELECT coalesce(max(id), 0) FROM interrupts'
    : `SELECT coalesce(max(m), 0) FROM (SELECT max(id) AS m FROM interrupts WHERE module = ${param}
         UNION ALL SELECT max(id) FROM interrupts WHERE module = '') ids`;
}

/**
 * How log_interrupt writers of an entry of `module` exclude each other. Clustering reads and joins only entries of
 * the module and cross-cutting ones (module ''), so on PostgreSQL a writer locks its module's scope and writers of
 * different modules run at once. A cross-cutting entry compares with every module, whose writers do not take
 * turns with each other, so no id read before the lock bounds what they add: it takes the database-wide lock and
 * plans under it. SQLite writes one at a time, so a plan read before the lock always holds.
 */
export function interruptWriteLock(db: Db, module: string): { scope: string | undefined; planUnderLock: boolean } {
  if (!isPostgres(db)) return { scope: undefined, planUnderLock: false };
  return module === ''
    ? { scope: undefined, planUnderLock: true }
    : { scope: `interrupts:${module}`, planUnderLock: false };
}

/** A cluster's newest entries, newest first, with what its profile is recomputed from. */
export function clusterMembers(
  db: Db,
  clusterId: number,
  limit: number,
): { id: number; summary: string; detail: string | null; paths: string[]; createdAt: number }[] {
  const rows = prepared(
    db,
    `SELECT id, summary, detail, paths, created_at AS createdAt FROM interrupts WHERE cluster_id = ?
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  ).all(clusterId, limit) as { id: number; summary: string; detail: string | null; paths: string; createdAt: number }[];
  return rows.map((r) => ({ ...r, paths: parseStringList(r.paths) }));
}

/** Entries of an agent, newest first: open ones (not resolved) and those created since `since`. */
export function agentInterrupts(db: Db, agent: string, since: number, limit: number): InterruptRow[] {
  const rows = prepared(
    db,
    `${COLUMNS} WHERE agent = @agent AND (created_at >= @since OR resolved_at IS NULL)
      ORDER BY created_at DESC, id DESC LIMIT @limit`,
  ).all({ agent, since, limit }) as Stored[];
  return rows.map(toRow);
}

const DAY = 86_400_000;

/** Entries created in a window, by kind and by category. */
export interface EntryCounts {
  interrupts: number;
  corrections: number;
  byCategory: Map<string, number>;
}

type KindCount = { kind: string; category: string; n: number };

/**
 * Entries created in (since, until]: whole UTC days from the `interrupt_days` rollup, the partial days at either
 * end from the rows, so the cost grows with the window's days rather than with its entries.
 */
export function countEntries(db: Db, since: number, until: number): EntryCounts {
  const out: EntryCounts = { interrupts: 0, corrections: 0, byCategory: new Map() };
  const add = (rows: KindCount[]) => {
    for (const r of rows) {
      if (r.kind === 'interrupt') out.interrupts += r.n;
      else out.corrections += r.n;
      out.byCategory.set(r.category, (out.byCategory.get(r.category) ?? 0) + r.n);
    }
  };
  const days = wholeDays(since, until);
  if (!days) {
    add(rawCounts(db, since, until));
    return out;
  }
  add(
    prepared(
      db,
      'SELECT kind, category, sum(n) AS n FROM interrupt_days WHERE day >= ? AND day <= ? GROUP BY kind, category',
    ).all(days.first, days.last) as KindCount[],
  );
  add(rawCounts(db, since, days.first * DAY - 1));
  add(rawCounts(db, (days.last + 1) * DAY - 1, until));
  return out;
}

function rawCounts(db: Db, since: number, until: number): KindCount[] {
  return prepared(
    db,
    `SELECT kind, category, count(*) AS n FROM interrupts WHERE created_at > ? AND created_at <= ?
      GROUP BY kind, category`,
  ).all(since, until) as KindCount[];
}

/**
 * The UTC days (numbered as the rollup numbers them, unix ms ÷ 86,400,000) lying wholly inside (since, until],
 * or undefined when none does. Integer times: a day d holds [d × DAY, (d + 1) × DAY − 1].
 */
export function wholeDays(since: number, until: number): { first: number; last: number } | undefined {
  if (since < 0) return undefined; // the rollup's division truncates toward zero: days before 1970 would shift
  const first = Math.floor(since / DAY) + 1;
  const last = Math.floor((until + 1) / DAY) - 1;
  return first <= last ? { first, last } : undefined;
}

/** The waits of a window's interrupts: `values[0, answered)` are answered ones, the rest ages of waiting ones. */
export interface ResponseTimes {
  values: Float64Array;
  answered: number;
}

/**
 * Interrupts created in (since, until]: the wait of each answered one (responded_at − created_at) and the age
 * at `until` of each still waiting, in no particular order. Read from the `interrupts_waits` index alone, into
 * one typed array: a 90-day window at org scale holds ~100k of them.
 */
export function responseTimes(db: Db, since: number, until: number): ResponseTimes {
  // One number per interrupt: its wait (≥ 0), or −1 − its age when still waiting. An answer after the window
  // closed was still waiting at its end.
  const read = prepared(
    db,
    `SELECT CASE WHEN responded_at <= @until THEN responded_at - created_at ELSE created_at - @until - 1 END
       FROM interrupts ${indexedBy(db, 'interrupts_waits')}
      WHERE kind = 'interrupt' AND created_at > @since AND created_at <= @until`,
  )
    .pluck()
    .all({ since, until }) as number[];
  const values = new Float64Array(read.length);
  let answered = 0;
  let waiting = read.length;
  for (const v of read) {
    if (v >= 0) values[answered++] = v;
    else values[--waiting] = -1 - v;
  }
  return { values, answered };
}

/** The named agents of a cluster's entries created in (since, until], with how many each logged. */
export function clusterAgents(db: Db, clusterId: number, since: number, until: number): { agent: string; n: number }[] {
  return prepared(
    db,
    `SELECT agent, count(*) AS n FROM interrupts
      WHERE cluster_id = ? AND created_at > ? AND created_at <= ? AND agent IS NOT NULL AND agent <> ''
      GROUP BY agent`,
  ).all(clusterId, since, until) as { agent: string; n: number }[];
}

/** A cluster's newest entries created in (since, until], newest first. */
export function clusterExamples(
  db: Db,
  clusterId: number,
  since: number,
  until: number,
  limit: number,
): { id: number; kind: string; summary: string; createdAt: number }[] {
  return prepared(
    db,
    `SELECT id, kind, summary, created_at AS createdAt FROM interrupts
      WHERE cluster_id = ? AND created_at > ? AND created_at <= ? ORDER BY created_at DESC, id DESC LIMIT ?`,
  ).all(clusterId, since, until, limit) as { id: number; kind: string; summary: string; createdAt: number }[];
}

/** Recomputes the triage rollups from the rows, after a bulk load that ran with the triggers off. */
export function rebuildTriageRollups(db: Db): void {
  db.transaction(() => db.exec(rebuildSql)).immediate();
}

/**
 * Correction → fix merged, for fixes merged in (since, until]: each correction linked to the fix directly
 * (`fix_id`) or through a cluster the fix covers, logged before the merge.
 */
export function feedbackCycleTimes(db: Db, since: number, until: number): number[] {
  // CROSS JOIN keeps the fixes merged in the window as the outer loop: without statistics the planner would
  // start from every interrupt.
  return prepared(
    db,
    `SELECT f.merged_at - i.created_at FROM fixes f ${joinInOrder(db)} interrupts i ON i.fix_id = f.id
      WHERE f.merged_at > @since AND f.merged_at <= @until AND i.kind = 'correction' AND i.created_at <= f.merged_at
     UNION ALL
     SELECT f.merged_at - i.created_at FROM fixes f ${joinInOrder(db)} clusters c ON c.fix_id = f.id
       ${joinInOrder(db)} interrupts i ON i.cluster_id = c.id AND i.fix_id IS NULL
      WHERE f.merged_at > @since AND f.merged_at <= @until AND i.kind = 'correction' AND i.created_at <= f.merged_at`,
  )
    .pluck()
    .all({ since, until }) as number[];
}

const LAST_ANSWER = `SELECT id, response, responded_at AS respondedAt FROM interrupts
  WHERE cluster_id = @clusterId AND id <> @exceptId AND response IS NOT NULL AND responded_at IS NOT NULL
  ORDER BY created_at DESC, id DESC LIMIT 1`;

/**
 * What log_interrupt tells about the cluster an entry joined, in one statement: how many entries it has in
 * (since, until] (recurrence) and the answer to its newest answered entry other than `exceptId`.
 */
export function clusterNews(
  db: Db,
  o: { clusterId: number; exceptId: number; since: number; until: number },
): { recent: number; lastAnswer: { id: number; response: string; respondedAt: number } | undefined } {
  const r = prepared(
    db,
    `SELECT (SELECT count(*) FROM interrupts
              WHERE cluster_id = @clusterId AND created_at > @since AND created_at <= @until) AS recent,
            a.id, a.response, a.respondedAt
       FROM (SELECT 1 AS one) o
       LEFT JOIN (${LAST_ANSWER}) a ON 1 = 1`,
  ).get(o) as { recent: number; id: number | null; response: string | null; respondedAt: number | null };
  const { recent, id, response, respondedAt } = r;
  return {
    recent,
    lastAnswer: id !== null && response !== null && respondedAt !== null ? { id, response, respondedAt } : undefined,
  };
}

/** The answer to the cluster's newest answered entry (other than `exceptId`); walks the cluster index newest first. */
export function lastClusterAnswer(
  db: Db,
  clusterId: number,
  exceptId: number,
): { id: number; response: string; respondedAt: number } | undefined {
  return prepared(db, LAST_ANSWER).get({ clusterId, exceptId }) as
    { id: number; response: string; respondedAt: number } | undefined;
}
