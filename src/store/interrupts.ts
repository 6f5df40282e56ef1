import type { Statement } from 'better-sqlite3';
import type { Db } from './open.js';

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

// Logging and imports run these per entry: prepare each once per database.
const statements = new WeakMap<Db, Map<string, Statement>>();
export function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}

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

export function insertInterrupt(db: Db, e: NewInterrupt): number {
  const res = prepared(
    db,
    `INSERT INTO interrupts (kind, category, category_source, summary, detail, paths, module, agent, task_id,
       session_id, source, created_at, responded_at, resolved_at, response, redactions, external_id)
     VALUES (@kind, @category, @categorySource, @summary, @detail, @paths, @module, @agent, @taskId, @sessionId,
       @source, @createdAt, @respondedAt, @resolvedAt, @response, @redactions, @externalId)`,
  ).run({ ...e, paths: JSON.stringify(e.paths) });
  return Number(res.lastInsertRowid);
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

/**
 * The newest earlier entries of a category whose text matches any of the words (FTS5, porter-stemmed like the
 * index), at most `scan` of them: FTS5 walks its doclists newest first and stops there, so the cost does not
 * grow with the table. The caller scores them (no bm25: ranking every match cost more than the whole insert).
 * With a module: entries of that module or of none (cross-cutting); without: every module.
 */
export function searchInterrupts(
  db: Db,
  o: { words: readonly string[]; category: string; module: string; scan?: number },
): InterruptRow[] {
  if (o.words.length === 0) return [];
  const match = o.words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' OR ');
  const rows = prepared(
    db,
    `SELECT i.id, i.kind, i.category, i.category_source AS categorySource, i.summary, i.detail, i.paths, i.module,
            i.agent, i.task_id AS taskId, i.session_id AS sessionId, i.source, i.created_at AS createdAt,
            i.responded_at AS respondedAt, i.resolved_at AS resolvedAt, i.response, i.cluster_id AS clusterId,
            i.fix_id AS fixId, i.redactions, i.external_id AS externalId
       FROM (SELECT rowid FROM interrupts_fts WHERE interrupts_fts MATCH @match ORDER BY rowid DESC LIMIT @scan) f
       JOIN interrupts i ON i.id = f.rowid
      WHERE i.category = @category AND (@module = '' OR i.module = @module OR i.module = '')`,
  ).all({ match, category: o.category, module: o.module, scan: o.scan ?? 200 }) as Stored[];
  return rows.map(toRow);
}

/** A cluster's newest entries (the profile is recomputed from them). */
export function clusterMembers(db: Db, clusterId: number, limit: number): InterruptRow[] {
  const rows = prepared(db, `${COLUMNS} WHERE cluster_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`).all(
    clusterId,
    limit,
  ) as Stored[];
  return rows.map(toRow);
}

/** Entries created in (since, until], oldest first; the KPIs and the report read windows of this. */
export function interruptsBetween(db: Db, since: number, until: number): InterruptRow[] {
  const rows = prepared(db, `${COLUMNS} WHERE created_at > ? AND created_at <= ? ORDER BY created_at, id`).all(
    since,
    until,
  ) as Stored[];
  return rows.map(toRow);
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

/** How many entries a cluster has in (since, until]: "recurring" compares this with a minimum. */
export function clusterCountBetween(db: Db, clusterId: number, since: number, until: number): number {
  const r = prepared(
    db,
    'SELECT count(*) AS n FROM interrupts WHERE cluster_id = ? AND created_at > ? AND created_at <= ?',
  ).get(clusterId, since, until) as { n: number };
  return r.n;
}

/** Entries created in (since, until], by kind. */
export function countEntries(db: Db, since: number, until: number): { interrupts: number; corrections: number } {
  const r = prepared(
    db,
    `SELECT coalesce(sum(kind = 'interrupt'), 0) AS interrupts, coalesce(sum(kind = 'correction'), 0) AS corrections
       FROM interrupts WHERE created_at > ? AND created_at <= ?`,
  ).get(since, until) as { interrupts: number; corrections: number };
  return r;
}

/**
 * Interrupts created in (since, until]: the wait of each answered one (responded_at − created_at) and the
 * age at `until` of each still waiting.
 */
export function responseTimes(db: Db, since: number, until: number): { answered: number[]; waitingAges: number[] } {
  const rows = prepared(
    db,
    `SELECT created_at AS createdAt, responded_at AS respondedAt FROM interrupts
      WHERE kind = 'interrupt' AND created_at > ? AND created_at <= ?`,
  ).all(since, until) as { createdAt: number; respondedAt: number | null }[];
  const answered: number[] = [];
  const waitingAges: number[] = [];
  for (const r of rows) {
    // An answer after the window closed was still waiting at its end.
    if (r.respondedAt !== null && r.respondedAt <= until) answered.push(r.respondedAt - r.createdAt);
    else waitingAges.push(until - r.createdAt);
  }
  return { answered, waitingAges };
}

/**
 * Correction → fix merged, for fixes merged in (since, until]: each correction linked to the fix directly
 * (`fix_id`) or through a cluster the fix covers, logged before the merge.
 */
export function feedbackCycleTimes(db: Db, since: number, until: number): number[] {
  const rows = prepared(
    db,
    `SELECT f.merged_at - i.created_at AS ms FROM fixes f JOIN interrupts i ON i.fix_id = f.id
      WHERE f.merged_at > @since AND f.merged_at <= @until AND i.kind = 'correction' AND i.created_at <= f.merged_at
     UNION ALL
     SELECT f.merged_at - i.created_at AS ms FROM fixes f JOIN clusters c ON c.fix_id = f.id
       JOIN interrupts i ON i.cluster_id = c.id AND i.fix_id IS NULL
      WHERE f.merged_at > @since AND f.merged_at <= @until AND i.kind = 'correction' AND i.created_at <= f.merged_at`,
  ).all({ since, until }) as { ms: number }[];
  return rows.map((r) => r.ms);
}

/** The answer to the cluster's newest answered entry (other than `exceptId`); walks the cluster index newest first. */
export function lastClusterAnswer(
  db: Db,
  clusterId: number,
  exceptId: number,
): { id: number; response: string; respondedAt: number } | undefined {
  return prepared(
    db,
    `SELECT id, response, responded_at AS respondedAt FROM interrupts
      WHERE cluster_id = ? AND id <> ? AND response IS NOT NULL AND responded_at IS NOT NULL
      ORDER BY created_at DESC, id DESC LIMIT 1`,
  ).get(clusterId, exceptId) as { id: number; response: string; respondedAt: number } | undefined;
}
