import type { Db } from './open.js';
import { inListChunks } from './in-list.js';
import { parseStringList } from './interrupts.js';
import { prepared } from './prepared.js';

/** A `clusters` row: similar interrupts of one category (and module), with the terms and paths they share. */
export interface ClusterRow {
  id: number;
  category: string;
  module: string;
  label: string;
  /** the cluster's top terms, most shared first (readable words, not stems) */
  terms: string[];
  paths: string[];
  size: number;
  firstAt: number;
  lastAt: number;
  fixId: number | null;
  coveredAt: number | null;
}

/** The label, terms and paths recomputed from a cluster's members. */
export interface ClusterProfile {
  label: string;
  terms: string[];
  paths: string[];
}

const COLUMNS = `SELECT id, category, module, label, terms, paths, size, first_at AS firstAt, last_at AS lastAt,
  fix_id AS fixId, covered_at AS coveredAt FROM clusters`;

type Stored = Omit<ClusterRow, 'terms' | 'paths'> & { terms: string; paths: string };

/** A cluster row as SQLite returns it, with its JSON `terms` and `paths` lists parsed (any subset of columns). */
export function withClusterLists<T extends { terms: string; paths: string }>(
  r: T,
): Omit<T, 'terms' | 'paths'> & { terms: string[]; paths: string[] } {
  return { ...r, terms: parseStringList(r.terms), paths: parseStringList(r.paths) };
}

const toRow = (r: Stored): ClusterRow => withClusterLists(r);

export function insertCluster(db: Db, c: { category: string; module: string; at: number } & ClusterProfile): number {
  const res = prepared(
    db,
    `INSERT INTO clusters (category, module, label, terms, paths, size, first_at, last_at)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
  ).get(c.category, c.module, c.label, JSON.stringify(c.terms), JSON.stringify(c.paths), c.at, c.at) as { id: number };
  return res.id;
}

/** A cluster as a join left it: its size with the new member, label and fix. */
export interface JoinedCluster {
  size: number;
  label: string;
  fixId: number | null;
  /** the given profile was stored (the cluster still had `ifSize` members) */
  profiled: boolean;
}

/**
 * One more member for cluster `id` of `category` — size + 1, the time span widened — in one statement that returns
 * the cluster, or undefined when there is no such cluster. The given profile replaces the stored one only if the
 * cluster still had `ifSize` members (nobody joined since it was computed).
 */
export function joinCluster(
  db: Db,
  o: { id: number; category: string; at: number; profile?: ClusterProfile | undefined; ifSize?: number | undefined },
): JoinedCluster | undefined {
  const p = o.profile;
  const ifSize = p && o.ifSize !== undefined ? o.ifSize : -1;
  const r = prepared(
    db,
    `UPDATE clusters SET size = size + 1, first_at = CASE WHEN @at < first_at THEN @at ELSE first_at END,
       last_at = CASE WHEN @at > last_at THEN @at ELSE last_at END,
       label = CASE WHEN size = @ifSize THEN @label ELSE label END,
       terms = CASE WHEN size = @ifSize THEN @terms ELSE terms END,
       paths = CASE WHEN size = @ifSize THEN @paths ELSE paths END
     WHERE id = @id AND category = @category
     RETURNING size, label, fix_id AS fixId`,
  ).get({
    id: o.id,
    category: o.category,
    at: o.at,
    ifSize,
    label: p?.label ?? null,
    terms: p ? JSON.stringify(p.terms) : null,
    paths: p ? JSON.stringify(p.paths) : null,
  }) as Omit<JoinedCluster, 'profiled'> | undefined;
  return r && { ...r, profiled: r.size - 1 === ifSize };
}

/** Replaces a cluster's label, terms and paths. */
export function setClusterProfile(db: Db, id: number, p: ClusterProfile): void {
  prepared(db, 'UPDATE clusters SET label = ?, terms = ?, paths = ? WHERE id = ?').run(
    p.label,
    JSON.stringify(p.terms),
    JSON.stringify(p.paths),
    id,
  );
}

export function getCluster(db: Db, id: number): ClusterRow | undefined {
  const r = prepared(db, `${COLUMNS} WHERE id = ?`).get(id) as Stored | undefined;
  return r ? toRow(r) : undefined;
}

export function getClustersById(db: Db, ids: readonly number[]): Map<number, ClusterRow> {
  const out = new Map<number, ClusterRow>();
  for (const id of new Set(ids)) {
    const c = getCluster(db, id);
    if (c) out.set(id, c);
  }
  return out;
}

/**
 * The newest clusters of a category, compared by profile when FTS5 finds no member. With a module: that
 * module's and the cross-cutting ones (module ''); without: every module.
 */
export function recentClusters(db: Db, category: string | null, module: string, limit: number): ClusterRow[] {
  // null: any category (an entry whose category was only guessed may belong to a cluster of another)
  const where = [...(category === null ? [] : ['category = ?']), ...(module === '' ? [] : [`module IN (?, '')`])];
  const params = [...(category === null ? [] : [category]), ...(module === '' ? [] : [module])];
  const sql = `${COLUMNS}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY last_at DESC, id LIMIT ?`;
  return (prepared(db, sql).all(...params, limit) as Stored[]).map(toRow);
}

/** Covers a cluster with a fix unless one already covers it. */
export function coverCluster(db: Db, id: number, fixId: number, at: number): void {
  prepared(db, 'UPDATE clusters SET fix_id = ?, covered_at = ? WHERE id = ? AND fix_id IS NULL').run(fixId, at, id);
}

/** A `fixes` row as the triage loop reads it (the proposal tools write them). */
export interface FixInfo {
  id: number;
  type: 'adr' | 'rule' | 'skill';
  title: string;
  path: string;
  status: 'proposed' | 'open_pr' | 'merged' | 'rejected';
  clusterId: number | null;
  prUrl: string | null;
  createdAt: number;
  mergedAt: number | null;
}

const FIX_COLUMNS = `SELECT id, type, title, path, status, cluster_id AS clusterId, pr_url AS prUrl,
  created_at AS createdAt, merged_at AS mergedAt FROM fixes`;

export function fixInfo(db: Db, id: number): FixInfo | undefined {
  return prepared(db, `${FIX_COLUMNS} WHERE id = ?`).get(id) as FixInfo | undefined;
}

/** Fixes merged in (since, until], or created by `until` and still waiting (proposed / open PR). */
export function fixesForWindow(db: Db, since: number, until: number): { merged: FixInfo[]; waiting: FixInfo[] } {
  const merged = prepared(db, `${FIX_COLUMNS} WHERE merged_at > ? AND merged_at <= ? ORDER BY merged_at, id`).all(
    since,
    until,
  ) as FixInfo[];
  const waiting = prepared(
    db,
    `${FIX_COLUMNS} WHERE status IN ('proposed', 'open_pr') AND created_at <= ? ORDER BY created_at, id`,
  ).all(until) as FixInfo[];
  return { merged, waiting };
}

/** A cluster's entries in a window, with what the report orders and filters clusters by. */
export interface ClusterCount {
  id: number;
  category: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** a fix (not rejected) covered it by the window's end */
  covered: boolean;
}

// Each cluster that can have entries in the window (its first and last entries bound it) counts them with a range
// of the cluster index: the window's ~8k clusters cost as much as a GROUP BY over its ~120k entries would
// without the temporary B-tree (measured: ~20 ms against ~75 ms for a 90-day window at org scale).
const WINDOW_COUNTS = `SELECT c.id, c.category, c.first_at AS firstAt, c.last_at AS lastAt,
         (SELECT count(*) FROM interrupts i
           WHERE i.cluster_id = c.id AND i.created_at > @since AND i.created_at <= @until) AS count,
         CASE WHEN f.id IS NOT NULL AND f.status <> 'rejected' AND coalesce(c.covered_at, f.created_at) <= @until
           THEN 1 ELSE 0 END AS covered
    FROM clusters c LEFT JOIN fixes f ON f.id = c.fix_id
   WHERE c.last_at > @since AND c.first_at <= @until`;

/** How many clusters have at least `minEntries` entries created in (since, until], and how many of them are covered. */
export interface RecurringCount {
  recurring: number;
  covered: number;
}

export function recurringCountBetween(db: Db, since: number, until: number, minEntries: number): RecurringCount {
  return prepared(
    db,
    `SELECT count(*) AS recurring, coalesce(sum(covered), 0) AS covered FROM (${WINDOW_COUNTS}) w WHERE count >= @minEntries`,
  ).get({ since, until, minEntries }) as RecurringCount;
}

/** A report's windows: the current one, the one of the same length before it, and its recurrence tail. */
export interface ReportWindows {
  since: number;
  until: number;
  prevSince: number;
  /** ≥ since: recurring-without-fix looks at (recurSince, until] */
  recurSince: number;
  minEntries: number;
  /** clusters in the top list */
  top: number;
}

/** What the triage report needs to know about clusters, for all its windows at once. */
export interface ReportClusterCounts {
  current: RecurringCount;
  previous: RecurringCount;
  /** the `top` clusters with the most entries in the current window (ties: latest entry first, then id) */
  top: ClusterCount[];
  /** clusters recurring in (recurSince, until] with no fix covering them by `until`, in the same order */
  recurringUncovered: ClusterCount[];
}

/**
 * One statement for every cluster figure of a report: each cluster's entries in the current and previous
 * windows are counted once (a range of the cluster index each), and the ~8k per-cluster rows stay inside
 * SQLite; only the totals, the top list and the uncovered recurring clusters come out. A count is only made
 * where the cluster's first and last entries allow one.
 */
export function reportClusterCounts(db: Db, w: ReportWindows): ReportClusterCounts {
  const rows = prepared(
    db,
    `WITH w AS MATERIALIZED (
       SELECT c.id, c.category, c.first_at AS firstAt, c.last_at AS lastAt,
              CASE WHEN c.last_at > @since THEN (SELECT count(*) FROM interrupts i
                WHERE i.cluster_id = c.id AND i.created_at > @since AND i.created_at <= @until) ELSE 0 END AS count,
              CASE WHEN c.first_at <= @since THEN (SELECT count(*) FROM interrupts i
                WHERE i.cluster_id = c.id AND i.created_at > @prevSince AND i.created_at <= @since) ELSE 0 END AS previous,
              CASE WHEN f.id IS NOT NULL AND f.status <> 'rejected' AND coalesce(c.covered_at, f.created_at) <= @until
                THEN 1 ELSE 0 END AS covered,
              CASE WHEN f.id IS NOT NULL AND f.status <> 'rejected' AND coalesce(c.covered_at, f.created_at) <= @since
                THEN 1 ELSE 0 END AS coveredBefore
         FROM clusters c LEFT JOIN fixes f ON f.id = c.fix_id
        WHERE c.last_at > @prevSince AND c.first_at <= @until),
     -- the recurrence tail lies inside the current window: only clusters recurring there can recur in it
     r AS MATERIALIZED (
       SELECT id, category, firstAt, lastAt, covered, (SELECT count(*) FROM interrupts i
                WHERE i.cluster_id = w.id AND i.created_at > @recurSince AND i.created_at <= @until) AS count
         FROM w WHERE count >= @minEntries AND lastAt > @recurSince AND covered = 0)
     SELECT 0 AS part, CAST(NULL AS BIGINT) AS id, CAST(NULL AS TEXT) AS category, CAST(NULL AS BIGINT) AS firstAt,
            CAST(NULL AS BIGINT) AS lastAt,
            count(*) FILTER (WHERE count >= @minEntries) AS count,
            count(*) FILTER (WHERE count >= @minEntries AND covered = 1) AS covered,
            count(*) FILTER (WHERE previous >= @minEntries) AS previous,
            count(*) FILTER (WHERE previous >= @minEntries AND coveredBefore = 1) AS coveredBefore
       FROM w
     UNION ALL
     SELECT * FROM (SELECT 1, id, category, firstAt, lastAt, count, covered, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM w WHERE count >= 1
                     ORDER BY count DESC, lastAt DESC, id LIMIT @top) top
     UNION ALL
     SELECT * FROM (SELECT 2, id, category, firstAt, lastAt, count, covered, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM r
                     WHERE count >= @minEntries ORDER BY count DESC, lastAt DESC, id) uncovered`,
  ).all(w) as (StoredCount & { part: 0 | 1 | 2; previous: number; coveredBefore: number })[];
  const out: ReportClusterCounts = {
    current: { recurring: 0, covered: 0 },
    previous: { recurring: 0, covered: 0 },
    top: [],
    recurringUncovered: [],
  };
  for (const { part, previous, coveredBefore, ...r } of rows) {
    if (part === 0) {
      out.current = { recurring: r.count, covered: r.covered };
      out.previous = { recurring: previous, covered: coveredBefore };
    } else (part === 1 ? out.top : out.recurringUncovered).push(toCount(r));
  }
  return out;
}

type StoredCount = Omit<ClusterCount, 'covered'> & { covered: number };

function toCount(r: StoredCount): ClusterCount {
  return { ...r, covered: r.covered === 1 };
}

/**
 * The clusters whose entries concern these modules or name these paths, for change_risk: those naming one of the
 * paths first, then the largest, then the newest. Cross-cutting clusters (module '') count by their paths alone;
 * their newest 200 are read.
 */
export function clustersOnPaths(
  db: Db,
  o: { paths: readonly string[]; modules: readonly string[]; limit: number },
): ClusterRow[] {
  const found = new Map<number, ClusterRow>();
  for (const { marks, params } of inListChunks(o.modules)) {
    for (const r of prepared(db, `${COLUMNS} WHERE module IN (${marks})`).all(...params) as Stored[]) {
      found.set(r.id, toRow(r));
    }
  }
  const wanted = new Set(o.paths);
  const named = (c: ClusterRow) => c.paths.some((p) => wanted.has(p));
  for (const r of prepared(db, `${COLUMNS} WHERE module = '' ORDER BY last_at DESC, id LIMIT 200`).all() as Stored[]) {
    const c = toRow(r);
    if (named(c)) found.set(c.id, c);
  }
  return [...found.values()]
    .sort((a, b) => Number(named(b)) - Number(named(a)) || b.size - a.size || b.lastAt - a.lastAt || a.id - b.id)
    .slice(0, o.limit);
}
