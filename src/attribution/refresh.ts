import type { AppContext } from '../context.js';
import { errorMessage } from '../errors.js';
import { refreshImpactSummaries } from '../store/impact-summaries.js';
import { markPendingTogether, pendingIncidents } from '../store/links.js';
import { attributeIncident } from './attribute-incident.js';
import { AttributionMemo } from './memo.js';
import { LOOKBACK_MS } from './score.js';

/**
 * What new data a door brought, so attribution marks only the incidents it can change. New and changed incidents
 * need nothing here: the store marks them pending in the transaction that writes them.
 */
export interface AttributionChanges {
  /** every incident (`hindsight attribute`) */
  all?: boolean;
  incidentIds?: readonly number[];
  /** incidents that began at or after this time (unix ms), in every environment */
  startedFrom?: number;
  /** deploys recorded, and those they rolled back */
  deploys?: readonly { env: string; finishedAt: number }[];
  /**
   * What a git ingest of one repository added: `added` new commits, stored after rowid `afterRowid`; `total` stored
   * for it after the run. They re-attribute only the incidents whose evidence they change (markPendingForNewCommits);
   * a repository's first ingest, every incident (the fixes of any incident may live in it).
   */
  newCommits?: NewCommits;
}

/** What git ingests of one repository added (IngestGitResult has these fields). */
export interface NewCommits {
  added: number;
  total: number;
  afterRowid: number;
}

/** Two ingests of the same run as one: the commits stored after the first one's start. */
export function mergeNewCommits(a: NewCommits | undefined, b: NewCommits): NewCommits {
  if (!a) return { added: b.added, total: b.total, afterRowid: b.afterRowid };
  return { added: a.added + b.added, total: b.total, afterRowid: Math.min(a.afterRowid, b.afterRowid) };
}

export interface AttributionResult {
  /** incidents attributed in this run */
  incidents: number;
  /** links they have now */
  links: number;
  /** incidents whose attribution failed (logged; they stay pending for the next run) */
  failed: number;
}

/** Passes over the queue: a pass can mark earlier occurrences of a failure, which the next pass attributes. */
const MAX_PASSES = 5;

/**
 * The one place that decides what to re-attribute after new data: marks what `changes` can affect (durably), then
 * attributes every pending incident, including those a crashed or interrupted run left pending. Each incident's links
 * and the clearing of its mark are one transaction, so a run can stop anywhere and the next one resumes. With
 * nothing pending this is one indexed query.
 */
export async function refreshAttribution(
  ctx: AppContext,
  changes: AttributionChanges = {},
): Promise<AttributionResult> {
  const db = ctx.store;
  // A deploy is evidence only in its own environment, and only for incidents that began after it finished: as a
  // candidate, as the deploy of a confirmed cause or recurrence, or (rolled back) as a rollback.
  const from = new Map<string, number>();
  for (const d of changes.deploys ?? []) from.set(d.env, Math.min(from.get(d.env) ?? Infinity, d.finishedAt));
  const commits = changes.newCommits ?? { added: 0, total: 0, afterRowid: 0 };
  const firstIngest = commits.added > 0 && commits.added === commits.total;
  markPendingTogether(db, {
    all: changes.all === true || firstIngest,
    ids: changes.incidentIds,
    startedFrom: [
      ...(changes.startedFrom !== undefined ? [{ from: changes.startedFrom, env: null }] : []),
      ...[...from].map(([env, at]) => ({ from: at, env })),
    ],
    ...(commits.added > 0 && !firstIngest
      ? { newCommits: { afterRowid: commits.afterRowid, lookbackMs: LOOKBACK_MS } }
      : {}),
  });

  const memo = new AttributionMemo(db, { keepReplays: true });
  const linkCounts = new Map<number, number>();
  const failed = new Set<number>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const queue = pendingIncidents(db).filter((id) => !failed.has(id));
    if (queue.length === 0) break;
    for (const id of queue) {
      try {
        linkCounts.set(id, (await attributeIncident(ctx, id, memo)).length);
      } catch (err) {
        failed.add(id);
        ctx.log(`hindsight: attribution of incident ${id} failed: ${errorMessage(err)}`);
      }
    }
  }
  // Once for the whole run: the deploys whose incident links changed (marked by the link triggers).
  refreshImpactSummaries(db);
  let links = 0;
  for (const n of linkCounts.values()) links += n;
  return { incidents: linkCounts.size, links, failed: failed.size };
}
