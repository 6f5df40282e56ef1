import { withClusterLists, type ClusterRow } from './clusters.js';
import { parseStringList } from './interrupts.js';
import type { Db } from './open.js';

/** A structural fix (ADR, rule, skill) proposed for a cluster of interrupts. Times are unix ms. */
export interface FixRow {
  id: number;
  type: 'adr' | 'rule' | 'skill';
  title: string;
  path: string;
  status: 'proposed' | 'open_pr' | 'merged' | 'rejected';
  clusterId: number | null;
  evidence: string;
  createdAt: number;
}

/** What a proposal records; `evidence` is stored as JSON. */
export interface NewFix {
  type: FixRow['type'];
  title: string;
  path: string;
  clusterId: number | null;
  evidence: Record<string, unknown>;
  createdAt: number;
}

/** An interrupt or correction as the evidence of a fix shows it. */
export interface EvidenceEntry {
  id: number;
  kind: string;
  category: string;
  summary: string;
  paths: string[];
  module: string;
  clusterId: number | null;
  createdAt: number;
}

/** A cluster as a fix links to it. */
export type EvidenceCluster = Pick<
  ClusterRow,
  'id' | 'category' | 'module' | 'label' | 'terms' | 'paths' | 'size' | 'fixId'
>;

const FIX_COLUMNS = `SELECT id, type, title, path, status, cluster_id AS clusterId, evidence, created_at AS createdAt
  FROM fixes`;

/** Inserts a fix with status `proposed` and returns its id. */
export function insertFix(db: Db, fix: NewFix): number {
  const result = db
    .prepare(
      `INSERT INTO fixes (type, title, path, status, cluster_id, evidence, created_at)
       VALUES (?, ?, ?, 'proposed', ?, ?, ?) RETURNING id`,
    )
    .get(fix.type, fix.title, fix.path, fix.clusterId, JSON.stringify(fix.evidence), fix.createdAt) as { id: number };
  return result.id;
}

export function getFix(db: Db, id: number): FixRow | undefined {
  return db.prepare(`${FIX_COLUMNS} WHERE id = ?`).get(id) as FixRow | undefined;
}

/** The newest fix of a type for a file and title: an idempotent re-proposal reuses it. */
export function findFix(db: Db, type: FixRow['type'], path: string, title: string): FixRow | undefined {
  return db
    .prepare(`${FIX_COLUMNS} WHERE type = ? AND path = ? AND title = ? ORDER BY id DESC LIMIT 1`)
    .get(type, path, title) as FixRow | undefined;
}

/**
 * Marks the clusters covered by the fix and points the interrupts at it: the named interrupts, and every
 * entry of those clusters that has no fix yet. A newer fix takes a cluster over from an older one.
 */
export function linkFix(
  db: Db,
  fixId: number,
  clusterIds: readonly number[],
  interruptIds: readonly number[],
  at: number,
) {
  const cover = db.prepare('UPDATE clusters SET fix_id = ?, covered_at = ? WHERE id = ?');
  const entries = db.prepare('UPDATE interrupts SET fix_id = ? WHERE cluster_id = ? AND fix_id IS NULL');
  const one = db.prepare('UPDATE interrupts SET fix_id = ? WHERE id = ?');
  for (const id of clusterIds) {
    cover.run(fixId, at, id);
    entries.run(fixId, id);
  }
  for (const id of interruptIds) one.run(fixId, id);
}

interface EntryRow extends Omit<EvidenceEntry, 'paths'> {
  paths: string;
}

const ENTRY_COLUMNS = `SELECT id, kind, category, summary, paths, module, cluster_id AS clusterId, created_at AS createdAt
  FROM interrupts`;

function toEntry(row: EntryRow): EvidenceEntry {
  return { ...row, paths: parseStringList(row.paths) };
}

/** The interrupts with these ids (missing ids are simply absent). */
export function getEntries(db: Db, ids: readonly number[]): EvidenceEntry[] {
  if (ids.length === 0) return [];
  const rows = db
    .prepare(`${ENTRY_COLUMNS} WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY created_at, id`)
    .all(...ids) as EntryRow[];
  return rows.map(toEntry);
}

/** A cluster's entries in [since, until], newest first. */
export function clusterEntries(db: Db, clusterId: number, since: number, until: number, limit: number) {
  const rows = db
    .prepare(
      `${ENTRY_COLUMNS} WHERE cluster_id = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .all(clusterId, since, until, limit) as EntryRow[];
  return rows.map(toEntry);
}

type StoredEvidenceCluster = Omit<EvidenceCluster, 'terms' | 'paths'> & { terms: string; paths: string };

const CLUSTER_COLUMNS = `SELECT id, category, module, label, terms, paths, size, fix_id AS fixId FROM clusters`;

export function getClusters(db: Db, ids: readonly number[]): EvidenceCluster[] {
  if (ids.length === 0) return [];
  const rows = db
    .prepare(`${CLUSTER_COLUMNS} WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`)
    .all(...ids) as StoredEvidenceCluster[];
  return rows.map((r) => withClusterLists(r));
}

/**
 * Clusters with no fix and at least `minEntries` entries in [since, until], most entries first.
 * Starts from clusters active in the window (clusters_last index), so old clusters are never scanned.
 */
export function uncoveredRecurringClusters(
  db: Db,
  since: number,
  until: number,
  minEntries: number,
  limit: number,
): (EvidenceCluster & { count: number })[] {
  const rows = db
    .prepare(
      `SELECT * FROM (
         SELECT c.id, c.category, c.module, c.label, c.terms, c.paths, c.size, c.fix_id AS fixId, c.last_at AS lastAt,
                (SELECT count(*) FROM interrupts i
                  WHERE i.cluster_id = c.id AND i.created_at >= @since AND i.created_at <= @until) AS count
           FROM clusters c
          WHERE c.last_at >= @since AND c.fix_id IS NULL) open_clusters
        WHERE count >= @minEntries
        ORDER BY count DESC, lastAt DESC, id
        LIMIT @limit`,
    )
    .all({ since, until, minEntries, limit }) as (StoredEvidenceCluster & { count: number; lastAt: number })[];
  return rows.map(({ lastAt: _lastAt, count, ...r }) => ({ ...withClusterLists(r), count }));
}

/** Incidents that share a file with the given paths, newest first. */
export function incidentsTouching(
  db: Db,
  paths: readonly string[],
  limit: number,
): { id: number; externalId: string; title: string }[] {
  if (paths.length === 0) return [];
  return db
    .prepare(
      `SELECT n.id, n.external_id AS externalId, n.title FROM incidents n
        WHERE n.id IN (SELECT incident_id FROM incident_files WHERE path IN (${paths.map(() => '?').join(',')}))
        ORDER BY n.started_at DESC LIMIT ?`,
    )
    .all(...paths, limit) as { id: number; externalId: string; title: string }[];
}
