import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import {
  fixesForWindow,
  reportClusterCounts,
  fixInfo,
  getCluster,
  type ClusterCount,
  type ClusterRow,
  type FixInfo,
} from '../store/clusters.js';
import { clusterAgents, clusterExamples, countEntries, type EntryCounts } from '../store/interrupts.js';
import type { Db } from '../store/open.js';
import { CATEGORIES, FIX_TYPE, type Category, type FixType } from './categorize.js';
import { DEFAULT_RECURRENCE, type Recurrence } from './clusters.js';
import { findCoverage } from './coverage.js';
import { computeKpis, KPI_DEFINITIONS, type KpiName, type KpiValues } from './kpis.js';
import { withTransaction } from '../store/transaction.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Loop thresholds: past these a running loop counts as Throttled. */
export const THROTTLE = {
  /** interrupts wait longer than this (median) for a human */
  responseWaitMs: 24 * HOUR,
  /** a recurring cluster has had no fix for longer than this, or a fix has waited this long for review */
  uncoveredMs: 14 * DAY,
};

export interface ReportOptions {
  /** unix ms; default `until` − 7 days */
  since?: number;
  /** unix ms; default now */
  until?: number;
  recurrence?: Recurrence;
  /** clusters in the top list (default 3) */
  top?: number;
  /** recurring-without-fix clusters listed (default 5) */
  limit?: number;
}

export interface KpiLine {
  name: KpiName;
  title: string;
  definition: string;
  better: 'lower' | 'higher';
  unit: 'ratio' | 'ms';
  current: number | null;
  previous: number | null;
  delta: number | null;
  trend: 'better' | 'worse' | 'same' | 'n/a';
  /** MTTC only: the p90 next to the median */
  p90?: { current: number | null; previous: number | null };
}

export interface ReportCluster {
  id: number;
  label: string;
  category: string;
  module: string;
  count: number;
  size: number;
  suggestedFix: FixType;
  fix: { id: number; type: string; status: string; path: string } | null;
  owner: { name: string; basis: 'agent' | 'module' | 'none' };
  agents: number;
  examples: { id: number; kind: string; summary: string; createdAt: string }[];
}

export type LoopName = 'response' | 'adr' | 'rule' | 'skill';
export interface LoopState {
  loop: LoopName;
  /** what closes it: interrupt → human answer, or category → fix type */
  covers: string;
  state: 'Absent' | 'Present' | 'Throttled';
  reason: string;
}

export interface TriageReport {
  window: { since: string; until: string };
  previous: { since: string; until: string };
  recurrence: Recurrence;
  kpis: KpiLine[];
  counts: KpiValues['counts'];
  topClusters: ReportCluster[];
  recurringWithoutFix: {
    items: UncoveredCluster[];
    limit: number;
    hasMore: boolean;
  };
  loops: LoopState[];
  intervention: string;
  fixes: { shipped: FixSummary[]; awaitingReview: FixSummary[] };
}

/** A recurring cluster with no fix; `existingDoc` names a repo ADR/rule/skill that answers it but is not read. */
export type UncoveredCluster = ReportCluster & {
  uncoveredDays: number;
  existingDoc: { kind: string; ref: string; path: string } | null;
};

export interface FixSummary {
  id: number;
  type: string;
  title: string;
  path: string;
  status: string;
  prUrl: string | null;
  createdAt: string;
  mergedAt: string | null;
}

const LOOP_CATEGORIES: Record<Exclude<LoopName, 'response'>, Category[]> = {
  adr: CATEGORIES.filter((c) => FIX_TYPE[c] === 'adr'),
  rule: CATEGORIES.filter((c) => FIX_TYPE[c] === 'rule'),
  skill: CATEGORIES.filter((c) => FIX_TYPE[c] === 'skill'),
};

/** The triage report for a window compared with the window of the same length before it. */
export function triageReport(ctx: AppContext, o: ReportOptions = {}): TriageReport {
  const until = o.until ?? ctx.clock();
  const since = o.since ?? until - 7 * DAY;
  if (!(since < until)) {
    throw new UserInputError(
      `the window is empty: since (${iso(since)}) must be before until (${iso(until)})`,
      'since',
    );
  }
  const prevSince = since - (until - since);
  const recurrence = o.recurrence ?? DEFAULT_RECURRENCE;
  const db = ctx.store;
  const limit = o.limit ?? 5;
  // One read transaction: every number in the report comes from the same snapshot. Only aggregates are read,
  // and whole clusters only for the few the report lists.
  return withTransaction(db, (): TriageReport => {
    const entries = countEntries(db, since, until);
    const recurSince = Math.max(since, until - recurrence.windowDays * DAY);
    const clusters = reportClusterCounts(db, {
      since,
      until,
      prevSince,
      recurSince,
      minEntries: recurrence.minEntries,
      top: o.top ?? 3,
    });
    const cur = computeKpis(db, since, until, recurrence.minEntries, { entries, recurring: clusters.current });
    const prev = computeKpis(db, prevSince, since, recurrence.minEntries, { recurring: clusters.previous });
    // Each listed cluster is read once, whichever lists show it; the count is the list's own window.
    const described = new Map<number, DescribedCluster>();
    const details = (c: ClusterCount): DescribedCluster => {
      let d = described.get(c.id);
      if (!d) described.set(c.id, (d = describeCluster(db, c.id, since, until)));
      return d;
    };
    const describe = (c: ClusterCount): ReportCluster => ({ ...details(c).view, count: c.count });

    const topClusters = clusters.top.map(describe);
    const recurring = clusters.recurringUncovered;
    const listed: UncoveredCluster[] = recurring.slice(0, limit).map((c) => ({
      ...describe(c),
      uncoveredDays: uncoveredDays(c, until),
      // Reading files is the slow part: only for the clusters the report lists.
      existingDoc: existingDoc(ctx, details(c).row),
    }));
    const fixRows = fixesForWindow(db, since, until);
    const loops = loopStates(cur, entries, recurring, fixRows.waiting, until);
    return {
      window: { since: iso(since), until: iso(until) },
      previous: { since: iso(prevSince), until: iso(since) },
      recurrence,
      kpis: kpiLines(cur, prev),
      counts: cur.counts,
      topClusters,
      recurringWithoutFix: { items: listed, limit, hasMore: recurring.length > limit },
      loops,
      intervention: intervention(topUncovered(recurring, listed, describe, until), loops, cur, fixRows.waiting),
      fixes: {
        shipped: fixRows.merged.slice(0, 10).map(fixSummary),
        awaitingReview: fixRows.waiting.slice(0, 10).map(fixSummary),
      },
    };
  });
}

function uncoveredDays(c: ClusterCount, until: number): number {
  return round1((until - c.firstAt) / DAY);
}

function kpiLines(cur: KpiValues, prev: KpiValues): KpiLine[] {
  const line = (name: KpiName, unit: KpiLine['unit'], c: number | null, p: number | null): KpiLine => {
    const def = KPI_DEFINITIONS[name];
    const delta = c !== null && p !== null ? Math.round((c - p) * 1000) / 1000 : null;
    const trend =
      delta === null ? 'n/a' : delta === 0 ? 'same' : delta < 0 === (def.better === 'lower') ? 'better' : 'worse';
    return {
      name,
      title: def.title,
      definition: def.definition,
      better: def.better,
      unit,
      current: c,
      previous: p,
      delta,
      trend,
    };
  };
  return [
    line('interruptRate', 'ratio', cur.interruptRate, prev.interruptRate),
    line('autonomousCompletionRate', 'ratio', cur.autonomousCompletionRate, prev.autonomousCompletionRate),
    {
      ...line('meanTimeToCorrect', 'ms', cur.mttcMedianMs, prev.mttcMedianMs),
      p90: { current: cur.mttcP90Ms, previous: prev.mttcP90Ms },
    },
    line('contextCoverage', 'ratio', cur.contextCoverage, prev.contextCoverage),
    line('feedbackToDemo', 'ms', cur.feedbackToDemoMedianMs, prev.feedbackToDemoMedianMs),
  ];
}

interface DescribedCluster {
  view: ReportCluster;
  row: ClusterRow;
}

/** A cluster as the report shows it: its row, fix, owner (top agent) and newest examples in (since, until]. */
function describeCluster(db: Db, id: number, since: number, until: number): DescribedCluster {
  const row = getCluster(db, id)!;
  const fix = row.fixId !== null ? fixInfo(db, row.fixId) : undefined;
  const agents = clusterAgents(db, id, since, until);
  const topAgent = [...agents].sort((a, b) => b.n - a.n || a.agent.localeCompare(b.agent))[0];
  const owner: ReportCluster['owner'] = topAgent
    ? { name: topAgent.agent, basis: 'agent' }
    : row.module
      ? { name: row.module, basis: 'module' }
      : { name: '(nobody)', basis: 'none' };
  const view: ReportCluster = {
    id: row.id,
    label: row.label,
    category: row.category,
    module: row.module,
    count: 0,
    size: row.size,
    suggestedFix: FIX_TYPE[row.category as Category] ?? 'rule',
    fix: fix ? { id: fix.id, type: fix.type, status: fix.status, path: fix.path } : null,
    owner,
    agents: agents.length,
    examples: clusterExamples(db, id, since, until, 2).map((e) => ({
      id: e.id,
      kind: e.kind,
      summary: clip(e.summary, 160),
      createdAt: iso(e.createdAt),
    })),
  };
  return { view, row };
}

/**
 * The recurring cluster without a fix that came up most (then the longest uncovered, then the oldest id), as
 * the list shows it when listed; a cluster past the list is described without looking for a document.
 */
function topUncovered(
  recurring: readonly ClusterCount[],
  listed: readonly UncoveredCluster[],
  describe: (c: ClusterCount) => ReportCluster,
  until: number,
): UncoveredCluster | undefined {
  let top: ClusterCount | undefined;
  for (const c of recurring) {
    if (
      !top ||
      c.count > top.count ||
      (c.count === top.count &&
        (uncoveredDays(c, until) > uncoveredDays(top, until) ||
          (uncoveredDays(c, until) === uncoveredDays(top, until) && c.id < top.id)))
    )
      top = c;
  }
  if (!top) return undefined;
  const id = top.id;
  return (
    listed.find((c) => c.id === id) ?? {
      ...describe(top),
      uncoveredDays: uncoveredDays(top, until),
      existingDoc: null,
    }
  );
}

function loopStates(
  cur: KpiValues,
  entries: EntryCounts,
  recurringUncovered: readonly ClusterCount[],
  waitingFixes: FixInfo[],
  until: number,
): LoopState[] {
  const out: LoopState[] = [];
  const { interrupts, answered, waiting } = cur.counts;
  const wait = cur.counts.waitMedianMs;
  if (interrupts === 0) {
    out.push({
      loop: 'response',
      covers: 'interrupt → human answer',
      state: 'Absent',
      reason: 'no interrupts logged in the window',
    });
  } else if (wait !== null && wait > THROTTLE.responseWaitMs) {
    out.push({
      loop: 'response',
      covers: 'interrupt → human answer',
      state: 'Throttled',
      reason: `interrupts wait ${duration(wait)} (median) for a human, over ${duration(THROTTLE.responseWaitMs)}; ${waiting} still waiting`,
    });
  } else {
    out.push({
      loop: 'response',
      covers: 'interrupt → human answer',
      state: 'Present',
      reason: `${answered} of ${interrupts} interrupts answered${cur.mttcMedianMs !== null ? `, median ${duration(cur.mttcMedianMs)}` : ''}`,
    });
  }
  for (const loop of ['adr', 'rule', 'skill'] as const) {
    const cats = LOOP_CATEGORIES[loop];
    const covers = `${cats.join(' / ')} → ${loop}`;
    const n = cats.reduce((sum, c) => sum + (entries.byCategory.get(c) ?? 0), 0);
    const stale = recurringUncovered.filter(
      (c) => cats.includes(c.category as Category) && until - c.firstAt > THROTTLE.uncoveredMs,
    );
    const stuck = waitingFixes.filter((f) => f.type === loop && until - f.createdAt > THROTTLE.uncoveredMs);
    if (n === 0 && stale.length === 0 && stuck.length === 0) {
      out.push({ loop, covers, state: 'Absent', reason: `no ${cats.join(' / ')} entries in the window` });
    } else if (stale.length > 0 || stuck.length > 0) {
      const parts = [
        ...(stale.length > 0
          ? [
              `${stale.length} recurring cluster(s) without a ${loop} for over ${duration(THROTTLE.uncoveredMs)} (${clusterIds(stale)})`,
            ]
          : []),
        ...(stuck.length > 0
          ? [`${stuck.length} ${loop} fix(es) waiting for review over ${duration(THROTTLE.uncoveredMs)}`]
          : []),
      ];
      out.push({ loop, covers, state: 'Throttled', reason: parts.join('; ') });
    } else {
      const uncovered = recurringUncovered.filter((c) => cats.includes(c.category as Category)).length;
      out.push({
        loop,
        covers,
        state: 'Present',
        reason: `${n} entries in the window${uncovered > 0 ? `, ${uncovered} recurring cluster(s) still without a fix` : ''}`,
      });
    }
  }
  return out;
}

/** A repository document (not a recorded fix) that already answers the cluster's terms. */
function existingDoc(ctx: AppContext, c: ClusterRow): UncoveredCluster['existingDoc'] {
  const doc = findCoverage(
    ctx,
    { summary: c.terms.join(' '), detail: null, paths: c.paths, module: c.module, clusterId: null },
    1,
  )[0];
  return doc ? { kind: doc.kind, ref: doc.ref, path: doc.path } : null;
}

/** The one change that would remove the most interrupts next week. */
function intervention(
  top: UncoveredCluster | undefined,
  loops: LoopState[],
  cur: KpiValues,
  waitingFixes: FixInfo[],
): string {
  if (top?.existingDoc) {
    return (
      `${top.existingDoc.ref} (${top.existingDoc.path}) already answers cluster #${top.id} "${top.label}", yet it came up ` +
      `${top.count} times this window: agents do not load it. Add a rule to the agents' rule file that points at it ` +
      '(propose_rule), so it is in context before they ask.'
    );
  }
  if (top) {
    const what = { adr: 'an ADR', rule: 'a rule', skill: 'a skill' }[top.suggestedFix];
    return (
      `Write ${what} for cluster #${top.id} "${top.label}" (${top.category}${top.module ? `, ${top.module}` : ''}): ` +
      `${top.count} entries this window from ${top.agents || 'no named'} agent(s), no fix yet. ` +
      'Draft it with `hindsight triage --draft-fixes` or propose_' +
      top.suggestedFix +
      '.'
    );
  }
  if (loops.find((l) => l.loop === 'response')?.state === 'Throttled') {
    return `Answer the ${cur.counts.waiting} interrupt(s) still waiting for a human: agents are blocked on them.`;
  }
  if (waitingFixes.length > 0) {
    return `Review the ${waitingFixes.length} proposed fix(es) waiting for review, oldest first: ${waitingFixes[0]!.path}.`;
  }
  return 'Nothing recurs without a fix: keep logging interrupts and corrections.';
}

function fixSummary(f: FixInfo): FixSummary {
  return {
    id: f.id,
    type: f.type,
    title: f.title,
    path: f.path,
    status: f.status,
    prUrl: f.prUrl,
    createdAt: iso(f.createdAt),
    mergedAt: f.mergedAt === null ? null : iso(f.mergedAt),
  };
}

/** 90 s → "1.5 min", 5 h → "5.0 h", 3 days → "3.0 d". */
export function duration(ms: number): string {
  if (ms < HOUR) return `${round1(ms / 60_000)} min`;
  if (ms < 2 * DAY) return `${round1(ms / HOUR)} h`;
  return `${round1(ms / DAY)} d`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The first few cluster ids, then how many more: a busy org has hundreds, and the answer has a budget. */
function clusterIds(clusters: readonly { id: number }[], shown = 5): string {
  const ids = clusters.slice(0, shown).map((c) => `#${c.id}`);
  return ids.join(', ') + (clusters.length > shown ? `, +${clusters.length - shown} more` : '');
}
