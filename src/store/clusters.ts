import type { Db } from './open.js';
import { parseStringList, prepared } from './interrupts.js';

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

function toRow(r: Stored): ClusterRow {
  return { ...r, terms: parseStringList(r.terms), paths: parseStringList(r.paths) };
}

export function insertCluster(db: Db, c: { category: string; module: string; at: number } & ClusterProfile): number {
  const res = prepared(
    db,
    `INSERT INTO clusters (category, module, label, terms, paths, size, first_at, last_at)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
  ).run(c.category, c.module, c.label, JSON.stringify(c.terms), JSON.stringify(c.paths), c.at, c.at);
  return Number(res.lastInsertRowid);
}

/** One more member: size + 1, the time span widened, the profile replaced. */
export function growCluster(db: Db, id: number, at: number, p: ClusterProfile): void {
  prepared(
    db,
    `UPDATE clusters SET size = size + 1, first_at = min(first_at, @at), last_at = max(last_at, @at),
       label = @label, terms = @terms, paths = @paths WHERE id = @id`,
  ).run({ id, at, label: p.label, terms: JSON.stringify(p.terms), paths: JSON.stringify(p.paths) });
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
export function recentClusters(db: Db, category: string, module: string, limit: number): ClusterRow[] {
  const rows = (
    module === ''
      ? prepared(db, `${COLUMNS} WHERE category = ? ORDER BY last_at DESC, id LIMIT ?`).all(category, limit)
      : prepared(db, `${COLUMNS} WHERE category = ? AND module IN (?, '') ORDER BY last_at DESC, id LIMIT ?`).all(
          category,
          module,
          limit,
        )
  ) as Stored[];
  return rows.map(toRow);
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

/** A cluster with its entry count in a window and whether a (not rejected) fix covered it by the window's end. */
export type WindowCluster = ClusterRow & {
  count: number;
  coveredInWindow: boolean;
  fix: { id: number; type: string; status: string; path: string } | null;
};

/** Clusters with at least `minEntries` entries created in (since, until], most entries first. */
export function clustersActiveBetween(db: Db, since: number, until: number, minEntries: number): WindowCluster[] {
  const rows = prepared(
    db,
    `SELECT c.id, c.category, c.module, c.label, c.terms, c.paths, c.size, c.first_at AS firstAt, c.last_at AS lastAt,
            c.fix_id AS fixId, c.covered_at AS coveredAt, w.n AS count, f.type AS fixType, f.status AS fixStatus, f.path AS fixPath,
            (f.id IS NOT NULL AND f.status <> 'rejected' AND coalesce(c.covered_at, f.created_at) <= @until) AS covered
       FROM (SELECT cluster_id, count(*) AS n FROM interrupts
              WHERE created_at > @since AND created_at <= @until AND cluster_id IS NOT NULL
              GROUP BY cluster_id HAVING count(*) >= @minEntries) w
       JOIN clusters c ON c.id = w.cluster_id
       LEFT JOIN fixes f ON f.id = c.fix_id
      ORDER BY w.n DESC, c.last_at DESC, c.id`,
  ).all({ since, until, minEntries }) as (Stored & {
    count: number;
    fixType: string | null;
    fixStatus: string | null;
    fixPath: string | null;
    covered: number;
  })[];
  return rows.map(({ covered, count, fixType, fixStatus, fixPath, ...r }) => ({
    ...toRow(r),
    count,
    coveredInWindow: covered === 1,
    fix:
      r.fixId !== null && fixType !== null
        ? { id: r.fixId, type: fixType, status: fixStatus ?? '', path: fixPath ?? '' }
        : null,
  }));
}
