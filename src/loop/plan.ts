import type { AppContext } from '../context.js';
import { slugify } from '../decisions/adr.js';
import { linkedIncidents, renderFixDraft, type FixDraft } from '../decisions/draft.js';
import { oneLine, type EvidenceIncident } from '../decisions/fixes.js';
import {
  clusterEntries,
  uncoveredRecurringClusters,
  type EvidenceCluster,
  type EvidenceEntry,
} from '../store/fixes.js';
import { branchTaken, openLoopClusters, type LoopFix } from '../store/loop-fixes.js';
import { LOOP_BRANCH_PREFIX } from './merged.js';

const DAY = 86_400_000;
/** Entries quoted as evidence per cluster (the newest). */
const SAMPLE = 10;

/** Which clusters a run looks at. */
export interface Selection {
  /** unix ms: the end of the window */
  now: number;
  windowDays: number;
  /** a cluster recurs with at least this many entries in the window */
  minEntries: number;
}

/** One cluster the run handles: its evidence, the drafted fix, and the loop's open fix for it, if any. */
export interface PlannedFix {
  cluster: EvidenceCluster & { count: number };
  entries: EvidenceEntry[];
  incidents: EvidenceIncident[];
  draft: FixDraft;
  /** the open pull request's fix: a second run updates it instead of opening another */
  existing: LoopFix | undefined;
  branch: string;
  /** the fix's title as `fixes.title` records it */
  title: string;
  commit: { subject: string; body: string };
}

/**
 * Recurring clusters with no structural fix, plus those whose loop PR is still open (so a later run refreshes
 * it), most entries first; on a tie the open PR comes first, so re-running without new evidence updates the
 * same PR rather than opening another.
 */
export function candidateClusters(
  ctx: AppContext,
  s: Selection,
  limit: number,
): { cluster: EvidenceCluster & { count: number }; existing: LoopFix | undefined }[] {
  const since = s.now - s.windowDays * DAY;
  const open = openLoopClusters(ctx.store, since, s.now, s.minEntries).map((o) => ({
    cluster: o.cluster,
    existing: o.fix as LoopFix | undefined,
  }));
  const fresh = uncoveredRecurringClusters(ctx.store, since, s.now, s.minEntries, limit).map((cluster) => ({
    cluster,
    existing: undefined,
  }));
  // Stable sort: within equal counts, open PRs (listed first) keep their place ahead of new clusters.
  return [...open, ...fresh].sort((a, b) => b.cluster.count - a.cluster.count).slice(0, limit);
}

/** The evidence, the drafted fix and the names (branch, commit) for one cluster. */
export function planFix(
  ctx: AppContext,
  s: Selection,
  c: { cluster: EvidenceCluster & { count: number }; existing: LoopFix | undefined },
): PlannedFix {
  const since = s.now - s.windowDays * DAY;
  const entries = clusterEntries(ctx.store, c.cluster.id, since, s.now, SAMPLE);
  const incidents = linkedIncidents(ctx, c.cluster, entries);
  const draft = renderFixDraft({ cluster: c.cluster, entries, incidents, windowDays: s.windowDays });
  const title = fixTitle(draft);
  return {
    cluster: c.cluster,
    entries,
    incidents,
    draft,
    existing: c.existing,
    branch: c.existing?.branch ?? branchFor(ctx, draft, c.cluster),
    title,
    commit: commitMessage(draft, title, c.cluster, s.windowDays),
  };
}

/** What the proposal writers record as the fix's title. */
function fixTitle(draft: FixDraft): string {
  if (draft.type === 'skill') return draft.input.name;
  return draft.type === 'rule' ? (draft.input.title ?? draft.input.rule) : draft.input.title;
}

/**
 * `hindsight/<type>-<module>-<label>`: readable and stable across runs and database rebuilds; another cluster
 * already using the name gets its id appended.
 */
function branchFor(ctx: AppContext, draft: FixDraft, cluster: EvidenceCluster): string {
  const slug = slugify(`${cluster.module} ${cluster.label}`).slice(0, 50).replace(/-+$/, '') || `cluster-${cluster.id}`;
  const name = `${LOOP_BRANCH_PREFIX}${draft.type}-${slug}`;
  return branchTaken(ctx.store, name, cluster.id) ? `${name}-${cluster.id}` : name;
}

const SUBJECT_MAX = 72;

/** A conventional commit: `docs(adr): …`, `chore(rules): …`, `feat(skills): …`, with the evidence in the body. */
function commitMessage(
  draft: FixDraft,
  title: string,
  c: EvidenceCluster & { count: number },
  windowDays: number,
): { subject: string; body: string } {
  const prefix = { adr: 'docs(adr)', rule: 'chore(rules)', skill: 'feat(skills)' }[draft.type];
  const what =
    draft.type === 'adr'
      ? title.charAt(0).toLowerCase() + title.slice(1)
      : draft.type === 'rule'
        ? title
        : `add the ${title} skill`;
  let subject = `${prefix}: ${oneLine(what)}`;
  if (subject.length > SUBJECT_MAX) subject = `${subject.slice(0, SUBJECT_MAX - 1).trimEnd()}…`;
  const body = [
    `Cluster #${c.id} "${c.label}" (${c.category}${c.module ? `, ${c.module}` : ''}) recurred: ` +
      `${c.count} entries in the last ${windowDays} days.`,
    '',
    'Drafted by hindsight loop from the evidence; a human finishes the TODO before merging.',
  ].join('\n');
  return { subject, body };
}
