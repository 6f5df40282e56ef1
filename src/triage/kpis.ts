import { clustersActiveBetween } from '../store/clusters.js';
import { countEntries, feedbackCycleTimes, responseTimes } from '../store/interrupts.js';
import type { Db } from '../store/open.js';
import { tasksFinishedBetween, tasksStartedBetween } from '../store/tasks.js';

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

/** Computes the five KPIs for the window (since, until]: an entry logged at `until` (now) counts. */
export function computeKpis(db: Db, since: number, until: number, minEntries = 2): KpiValues {
  const started = tasksStartedBetween(db, since, until);
  const finished = tasksFinishedBetween(db, since, until, MAX_TASK_AGE);
  const autonomous = finished.filter((t) => t.outcome === 'completed' && t.entries === 0).length;
  const entries = countEntries(db, since, until);
  const { answered, waitingAges } = responseTimes(db, since, until);
  const recurring = clustersActiveBetween(db, since, until, minEntries);
  const covered = recurring.filter((c) => c.coveredInWindow).length;
  const feedback = feedbackCycleTimes(db, since, until);
  return {
    interruptRate: started.length > 0 ? round(entries.interrupts / started.length) : null,
    autonomousCompletionRate: finished.length > 0 ? round(autonomous / finished.length) : null,
    mttcMedianMs: median(answered),
    mttcP90Ms: percentile(answered, 0.9),
    contextCoverage: recurring.length > 0 ? round(covered / recurring.length) : null,
    feedbackToDemoMedianMs: median(feedback),
    counts: {
      tasksStarted: started.length,
      tasksFinished: finished.length,
      tasksAutonomous: autonomous,
      interrupts: entries.interrupts,
      corrections: entries.corrections,
      answered: answered.length,
      waiting: waitingAges.length,
      waitMedianMs: median([...answered, ...waitingAges]),
      recurringClusters: recurring.length,
      recurringCovered: covered,
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
