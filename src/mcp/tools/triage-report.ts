import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import { KPI_NAMES } from '../../triage/kpis.js';
import { renderReport } from '../../triage/report-text.js';
import { triageReport } from '../../triage/report.js';
import { defineTool } from '../define-tool.js';
import { isoDate } from '../schemas.js';

const num = z.number().nullable();
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
  title: 'Triage report: KPIs, top clusters, loop states',
  description:
    'Call to see whether the triage loop is tightening: for a window (default the last 7 days, compared with the ' +
    '7 before) the five KPIs with deltas and definitions, the top three clusters of interrupts/corrections with ' +
    'suggested fix type, clusters that recur without a fix, each loop’s state (Absent/Present/Throttled) and the ' +
    'one highest-leverage intervention. Read-only.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    since: isoDate.optional().describe('window start (ISO); default 7 days before until'),
    until: isoDate.optional().describe('window end (ISO); default now'),
    min_entries: z.number().int().min(2).max(100).default(2).describe('entries that make a cluster recur (default 2)'),
    recur_days: z.number().int().min(1).max(90).default(7).describe('days they must fall within (default 7)'),
    limit: z.number().int().min(1).max(50).default(5).describe('recurring-without-fix clusters to list'),
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
  handler(input, ctx) {
    const until = input.until ? Date.parse(input.until) : ctx.clock();
    const since = input.since ? Date.parse(input.since) : undefined;
    if (since !== undefined && since >= until) {
      throw new UserInputError(
        `since (${input.since}) must be before until (${new Date(until).toISOString()})`,
        'since',
      );
    }
    return triageReport(ctx, {
      until,
      ...(since !== undefined ? { since } : {}),
      recurrence: { minEntries: input.min_entries, windowDays: input.recur_days },
      limit: input.limit,
    });
  },
  render(out) {
    return renderReport(out);
  },
});
