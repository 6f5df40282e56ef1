import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import type { KPI_NAMES as DOMAIN_KPI_NAMES } from '../../triage/kpis.js';
import { defineTool } from '../define-tool.js';
import { isoDate } from '../schemas.js';

// The domain's KPI names, typed as its tuple: the schema is built without loading the triage code, and tsc
// fails if the two ever differ.
const KPI_NAMES: typeof DOMAIN_KPI_NAMES = [
  'interruptRate',
  'autonomousCompletionRate',
  'meanTimeToCorrect',
  'contextCoverage',
  'feedbackToDemo',
];

const num = z.number().nullable();
/** Fixes listed per state (shipped, awaiting review). */
const FIXES_LISTED = 5;
const cluster = z.object({
  id: z.number(),
  label: z.string(),
  category: z.string(),
  module: z.string(),
  count: z.number().describe('entries in the window'),
  size: z.number().describe('entries in all'),
  suggestedFix: z.enum(['adr', 'rule', 'skill']),
  fix: z.object({ id: z.number(), type: z.string(), status: z.string(), path: z.string() }).nullable(),
  owner: z.object({ name: z.string(), basis: z.enum(['agent', 'module', 'none']) }),
  agents: z.number(),
  examples: z.array(z.object({ id: z.number(), kind: z.string(), summary: z.string(), createdAt: z.string() })),
});
const fix = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string(),
  path: z.string(),
  status: z.string(),
  prUrl: z.string().nullable(),
  createdAt: z.string(),
  mergedAt: z.string().nullable(),
});

export const triageReportTool = defineTool({
  name: 'triage_report',
  title: 'Triage report',
  description:
    'Call to see whether the triage loop is tightening: KPIs vs the last window, top clusters, ' + 'the best next fix.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    since: isoDate.optional().describe('ISO; default until-7d'),
    until: isoDate.optional().describe('ISO; default now'),
    min_entries: z.number().int().min(2).max(100).default(2).describe('entries to recur'),
    recur_days: z.number().int().min(1).max(90).default(7).describe('within days'),
    limit: z.number().int().min(1).max(50).default(3).describe('clusters to list'),
    examples: z.number().int().min(0).max(10).default(1).describe('per cluster'),
  },
  output: {
    window: z.object({ since: z.string(), until: z.string() }),
    previous: z.object({ since: z.string(), until: z.string() }),
    recurrence: z.object({ minEntries: z.number(), windowDays: z.number() }),
    kpis: z.array(
      z.object({
        name: z.enum(KPI_NAMES),
        title: z.string(),
        definition: z.string(),
        better: z.enum(['lower', 'higher']),
        unit: z.enum(['ratio', 'ms']),
        current: num,
        previous: num,
        delta: num,
        trend: z.enum(['better', 'worse', 'same', 'n/a']),
        p90: z.object({ current: num, previous: num }).optional(),
      }),
    ),
    counts: z.object({
      tasksStarted: z.number(),
      tasksFinished: z.number(),
      tasksAutonomous: z.number(),
      interrupts: z.number(),
      corrections: z.number(),
      answered: z.number(),
      waiting: z.number(),
      waitMedianMs: num,
      recurringClusters: z.number(),
      recurringCovered: z.number(),
      feedbackSamples: z.number(),
    }),
    topClusters: z.array(cluster),
    recurringWithoutFix: z.object({
      items: z.array(
        cluster.extend({
          uncoveredDays: z.number(),
          existingDoc: z
            .object({ kind: z.string(), ref: z.string(), path: z.string() })
            .nullable()
            .describe('an ADR/rule/skill in the repo that answers it, though agents keep asking'),
        }),
      ),
      limit: z.number(),
      hasMore: z.boolean(),
    }),
    loops: z.array(
      z.object({
        loop: z.enum(['response', 'adr', 'rule', 'skill']),
        covers: z.string(),
        state: z.enum(['Absent', 'Present', 'Throttled']),
        reason: z.string(),
      }),
    ),
    intervention: z.string(),
    fixes: z.object({ shipped: z.array(fix), awaitingReview: z.array(fix) }),
  },
  async handler(input, ctx) {
    const until = input.until ? Date.parse(input.until) : ctx.clock();
    const since = input.since ? Date.parse(input.since) : undefined;
    if (since !== undefined && since >= until) {
      throw new UserInputError(
        `since (${input.since}) must be before until (${new Date(until).toISOString()})`,
        'since',
      );
    }
    const { triageReport } = await import('../../triage/report.js');
    const report = triageReport(ctx, {
      until,
      ...(since !== undefined ? { since } : {}),
      recurrence: { minEntries: input.min_entries, windowDays: input.recur_days },
      limit: input.limit,
    });
    const trim = <C extends { examples: unknown[] }>(c: C): C => ({
      ...c,
      examples: c.examples.slice(0, input.examples),
    });
    return {
      ...report,
      topClusters: report.topClusters.map(trim),
      recurringWithoutFix: { ...report.recurringWithoutFix, items: report.recurringWithoutFix.items.map(trim) },
      // The newest few; the loops' reasons count the rest, and propose_* answers name each fix.
      fixes: {
        shipped: report.fixes.shipped.slice(0, FIXES_LISTED),
        awaitingReview: report.fixes.awaitingReview.slice(0, FIXES_LISTED),
      },
    };
  },
  async render(out) {
    const { renderReport } = await import('../../triage/report-text.js');
    return renderReport(out);
  },
});
