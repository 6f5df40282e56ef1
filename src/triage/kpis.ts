import { recurringCountBetween, type RecurringCount } from '../store/clusters.js';
import { countEntries, feedbackCycleTimes, responseTimes, type EntryCounts } from '../store/interrupts.js';
import type { Db } from '../store/open.js';
import { taskCountsBetween } from '../store/tasks.js';

const DAY = 86_400_000;
/** Tasks running longer than this are not looked for when counting finishes (no index on finished_at). */
const MAX_TASK_AGE = 30 * DAY;

export const KPI_NAMES = [
  'interruptRate',
  'autonomousCompletionRate',
  'meanTimeToCorrect',
  'contextCoverage',
  'feedbackToDemo',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];

/** Each KPI's definition, as the report prints it and the README documents it. */
export const KPI_DEFINITIONS: Readonly<
  Record<KpiName, { title: string; better: 'lower' | 'higher'; definition: string }>
> = {
  interruptRate: {
    title: 'Interrupt Rate',
    better: 'lower',
    definition:
      'interrupts (kind interrupt) logged in the window ÷ agent tasks started in the window (record_task start).',
  },
  autonomousCompletionRate: {
    title: 'Autonomous Completion Rate',
    better: 'higher',
    definition:
      'tasks finished in the window with outcome completed and no interrupt or correction naming them ÷ all tasks finished in the window (any outcome).',
  },
  meanTimeToCorrect: {
    title: 'Mean Time To Correct',
    better: 'lower',
    definition:
      'for interrupts logged in the window and answered by its end: responded_at − created_at; median (middle value, mean of the two middles) and p90 (nearest rank). Unanswered ones are counted as waiting.',
  },
  contextCoverage: {
    title: 'Context Coverage Score',
    better: 'higher',
    definition:
      'recurring clusters (≥ N entries in the window, default 2) covered by a structural fix (ADR, rule or skill; not rejected) by the end of the window ÷ all recurring clusters.',
  },
  feedbackToDemo: {
    title: 'Feedback-to-Demo cycle time',
    better: 'lower',
    definition:
      'for fixes merged in the window: merged_at − created_at of each correction linked to the fix (directly, or through the cluster it covers) and logged before the merge; median.',
  },
};

/** One window's KPI values and the counts behind them. Rates are fractions in [0, 1]; times are ms. */
export interface KpiValues {
  interruptRate: number | null;
  autonomousCompletionRate: number | null;
  mttcMedianMs: number | null;
  mttcP90Ms: number | null;
  contextCoverage: number | null;
  feedbackToDemoMedianMs: number | null;
  counts: {
    tasksStarted: number;
    tasksFinished: number;
    tasksAutonomous: number;
    interrupts: number;
    corrections: number;
    answered: number;
    waiting: number;
    /** median wait of all the window's interrupts: answered ones as answered, open ones by their age at its end */
    waitMedianMs: number | null;
    recurringClusters: number;
    recurringCovered: number;
    feedbackSamples: number;
  };
}

/**
 * Computes the five KPIs for the window (since, until]: an entry logged at `until` (now) counts. Every figure is
 * an aggregate (rollups, index-only counts, the waits as one typed array), so the cost grows with the window's
 * days and clusters rather than with its entries. `known` passes figures the caller already has.
 */
export function computeKpis(
  db: Db,
  since: number,
  until: number,
  minEntries = 2,
  known: { entries?: EntryCounts; recurring?: RecurringCount } = {},
): KpiValues {
  const entries = known.entries ?? countEntries(db, since, until);
  const recurring = known.recurring;
  const tasks = taskCountsBetween(db, since, until, MAX_TASK_AGE);
  const waits = responseTimes(db, since, until);
  const answered = waits.values.subarray(0, waits.answered);
  const clusters = recurring ?? recurringCountBetween(db, since, until, minEntries);
  const feedback = feedbackCycleTimes(db, since, until);
  return {
    interruptRate: tasks.started > 0 ? round(entries.interrupts / tasks.started) : null,
    autonomousCompletionRate: tasks.finished > 0 ? round(tasks.autonomous / tasks.finished) : null,
    mttcMedianMs: selectMedian(answered),
    mttcP90Ms: selectPercentile(answered, 0.9),
    contextCoverage: clusters.recurring > 0 ? round(clusters.covered / clusters.recurring) : null,
    feedbackToDemoMedianMs: median(feedback),
    counts: {
      tasksStarted: tasks.started,
      tasksFinished: tasks.finished,
      tasksAutonomous: tasks.autonomous,
      interrupts: entries.interrupts,
      corrections: entries.corrections,
      answered: answered.length,
      waiting: waits.values.length - waits.answered,
      // after the two selections above: they reorder only the answered part, and order does not matter here
      waitMedianMs: selectMedian(waits.values),
      recurringClusters: clusters.recurring,
      recurringCovered: clusters.covered,
      feedbackSamples: feedback.length,
    },
  };
}

/** The middle value; the mean of the two middle values for an even count; null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least q of the values at or below it. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** median() in linear time; reorders `values`. */
export function selectMedian(values: Float64Array): number | null {
  const n = values.length;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  const upper = select(values, mid);
  if (n % 2 === 1) return upper;
  // select() left the `mid` smallest values before `mid`: the largest of them is the lower middle.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** percentile() in linear time; reorders `values`. */
export function selectPercentile(values: Float64Array, q: number): number | null {
  if (values.length === 0) return null;
  return select(values, Math.max(0, Math.ceil(q * values.length) - 1));
}

/**
 * The k-th smallest value (0-based), leaving smaller ones before index k and larger ones after it (quickselect
 * with a median-of-three pivot). Sorting ~100k waits per window cost more than the query reading them.
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as the pivot, so sorted or constant input stays linear
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
