import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import {
  findFix,
  getClusters,
  getEntries,
  insertFix,
  linkFix,
  type EvidenceCluster,
  type EvidenceEntry,
  type FixRow,
} from '../store/fixes.js';
import { findIncidents } from '../store/incidents.js';
import { StagedFiles, type FileChange } from './staged-files.js';
import { withTransaction } from '../store/transaction.js';

/** What a proposal links back to: the interrupts, the cluster and the incidents that motivated it. */
export interface FixLinks {
  interruptIds?: readonly number[];
  clusterId?: number;
  /** Internal ids or external ids (`INC-101`, `pagerduty:P123`). */
  incidentIds?: readonly (string | number)[];
}

export interface EvidenceIncident {
  id: number;
  externalId: string;
  title: string;
}

/** The linked rows, loaded and checked. `clusters` = the named cluster plus the clusters of the interrupts. */
export interface Evidence {
  entries: EvidenceEntry[];
  clusters: EvidenceCluster[];
  incidents: EvidenceIncident[];
  /** The cluster the caller named, if any. */
  clusterId?: number;
}

/** What every proposal tool answers. `fixId` is null in a dry run (nothing recorded). */
export interface ProposalResult {
  fixId: number | null;
  path: string;
  content: string;
  written: boolean;
  /**
   * What happened (or would happen, in a dry run) to the file: `merged` = hindsight's section added to or
   * replaced in a file a human wrote, whose own text was kept.
   */
  action: 'created' | 'appended' | 'updated' | 'merged' | 'unchanged';
  notes: string[];
}

/** Loads the linked interrupts, cluster and incidents; an unknown id is an input error naming the field. */
export function loadEvidence(ctx: AppContext, links: FixLinks): Evidence {
  const ids = [...new Set(links.interruptIds ?? [])];
  const entries = getEntries(ctx.store, ids);
  const missing = ids.filter((id) => !entries.some((e) => e.id === id));
  if (missing.length > 0) {
    throw new UserInputError(
      `interrupt_ids: no interrupt with id ${missing.join(', ')}; use the ids log_interrupt returned`,
      'interrupt_ids',
    );
  }
  const clusterIds = [
    ...new Set([
      ...(links.clusterId !== undefined ? [links.clusterId] : []),
      ...entries.flatMap((e) => (e.clusterId ? [e.clusterId] : [])),
    ]),
  ];
  const clusters = getClusters(ctx.store, clusterIds);
  if (links.clusterId !== undefined && !clusters.some((c) => c.id === links.clusterId)) {
    throw new UserInputError(
      `cluster_id: no cluster ${links.clusterId}; triage_report lists the clusters`,
      'cluster_id',
    );
  }
  const incidents: EvidenceIncident[] = [];
  for (const ref of links.incidentIds ?? []) {
    const found = findIncidents(ctx.store, ref);
    if (found.length === 0) {
      throw new UserInputError(
        `incident_ids: no incident '${String(ref)}'; use its id as imported (e.g. INC-101)`,
        'incident_ids',
      );
    }
    for (const i of found) {
      if (!incidents.some((x) => x.id === i.id)) incidents.push({ id: i.id, externalId: i.externalId, title: i.title });
    }
  }
  return { entries, clusters, incidents, ...(links.clusterId !== undefined ? { clusterId: links.clusterId } : {}) };
}

/** The Markdown lines of an Evidence section body (no heading), or none when nothing is linked. */
export function evidenceLines(ev: Evidence): string[] {
  const lines: string[] = [];
  for (const c of ev.clusters) {
    lines.push(
      `- Cluster #${c.id} "${c.label}" (${c.category}${c.module ? `, module ${c.module}` : ''}, ${c.size} entr${c.size === 1 ? 'y' : 'ies'})` +
        (c.paths.length
          ? `: ${c.paths
              .slice(0, 5)
              .map((p) => `\`${p}\``)
              .join(', ')}`
          : ''),
    );
  }
  for (const e of ev.entries) {
    lines.push(
      `- ${e.kind === 'correction' ? 'Correction' : 'Interrupt'} #${e.id} (${isoDay(e.createdAt)}): ${oneLine(e.summary)}`,
    );
  }
  for (const i of ev.incidents) lines.push(`- Incident ${i.externalId}: ${oneLine(i.title)}`);
  return lines;
}

/** One compact line for rule files: "interrupts #3, #5; cluster #2 "…"; incidents INC-101". */
export function evidenceSummary(ev: Evidence): string {
  const parts: string[] = [];
  if (ev.entries.length) parts.push(`interrupts ${ev.entries.map((e) => `#${e.id}`).join(', ')}`);
  for (const c of ev.clusters) parts.push(`cluster #${c.id} "${c.label}"`);
  if (ev.incidents.length) parts.push(`incidents ${ev.incidents.map((i) => i.externalId).join(', ')}`);
  return parts.join('; ');
}

/** The JSON stored in `fixes.evidence`. */
function evidenceJson(ev: Evidence): Record<string, unknown> {
  return {
    interruptIds: ev.entries.map((e) => e.id),
    clusterIds: ev.clusters.map((c) => c.id),
    incidentIds: ev.incidents.map((i) => i.externalId),
    entries: ev.entries.length,
    paths: [...new Set(ev.entries.flatMap((e) => e.paths))].slice(0, 20),
  };
}

export interface RecordFixInput {
  type: FixRow['type'];
  title: string;
  /** The main file, repository-relative. */
  path: string;
  changes: readonly FileChange[];
  evidence: Evidence;
  /** Idempotent proposals: reuse the fix already recorded for this file and title, if any. */
  reuse?: boolean;
}

/**
 * Records the fix, marks its clusters covered and points the interrupts at it — in one transaction with
 * putting the staged files in place. If anything fails, no row and no file remain.
 */
export function recordFix(ctx: AppContext, input: RecordFixInput): number {
  const at = ctx.clock();
  const staged = new StagedFiles(input.changes);
  let fixId = 0;
  try {
    withTransaction(ctx.store, () => {
      const existing = input.reuse ? findFix(ctx.store, input.type, input.path, input.title) : undefined;
      fixId =
        existing?.id ??
        insertFix(ctx.store, {
          type: input.type,
          title: input.title,
          path: input.path,
          clusterId: primaryCluster(input.evidence),
          evidence: evidenceJson(input.evidence),
          createdAt: at,
        });
      linkFix(
        ctx.store,
        fixId,
        input.evidence.clusters.map((c) => c.id),
        input.evidence.entries.map((e) => e.id),
        at,
      );
      staged.commit();
    });
  } catch (err) {
    staged.rollback();
    throw err;
  } finally {
    staged.cleanup();
  }
  return fixId;
}

/** The named cluster, else the cluster most of the cited entries belong to. */
function primaryCluster(ev: Evidence): number | null {
  if (ev.clusterId !== undefined) return ev.clusterId;
  const counts = new Map<number, number>();
  for (const e of ev.entries) if (e.clusterId) counts.set(e.clusterId, (counts.get(e.clusterId) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null;
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
