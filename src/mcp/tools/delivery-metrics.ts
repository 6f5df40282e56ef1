import { z } from 'zod';
import { MAX_WINDOW_DAYS } from '../../limits.js';
import { defineTool } from '../define-tool.js';

const num = z.number().nullable();
const figures = z.object({
  deploys: z.number(),
  perWeek: z.number(),
  changes: z.number().describe('commits whose lead time is counted'),
  leadMedianH: num,
  leadP90H: num,
  failed: z.number(),
  failRate: num,
  recoveryMedianH: num,
  recoveryP90H: num,
  unrecovered: z.number(),
  rework: z.number(),
  reworkRate: num,
});
const delta = z.object(
  Object.fromEntries(Object.keys(figures.shape).map((k) => [k, num])) as Record<keyof typeof figures.shape, typeof num>,
);
const row = z.object({ key: z.string(), current: figures, previous: figures.optional(), delta });
const name = z.string().min(1).max(100);

export const deliveryMetricsTool = defineTool({
  name: 'delivery_metrics',
  title: 'DORA keys by author kind and agent',
  description:
    'Call to see how delivery goes: DORA keys (deploy frequency, lead time, failure rate, recovery, rework) for ' +
    'a window vs the one before, split human/agent/pair, per agent and env/service.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needs: ['commits', 'deploys'],
  input: {
    env: name.optional().describe('default: all'),
    service: name.optional().describe('default: all'),
    window_days: z.number().int().min(1).max(MAX_WINDOW_DAYS).default(30).describe('days up to now'),
    agents: z.number().int().min(0).max(20).default(3).describe('agents to list'),
  },
  output: {
    window: z.object({ since: z.string(), until: z.string(), days: z.number() }),
    previous: z.object({ since: z.string(), until: z.string() }),
    scope: z.object({ env: z.string().nullable(), service: z.string().nullable() }),
    overall: row,
    byKind: z.array(row),
    byAgent: z.array(row),
    moreAgents: z.number(),
    byTarget: z.array(row),
    incidents: z.object({
      started: z.number(),
      causedByDeploy: z.number(),
      notCausedByDeploy: z.number(),
      notCausedExamples: z.array(z.string()),
    }),
    definitions: z.array(z.object({ name: z.string(), better: z.enum(['lower', 'higher']), definition: z.string() })),
    latestDeploy: z
      .object({
        id: z.number(),
        ref: z.string().nullable(),
        env: z.string(),
        service: z.string(),
        finishedAt: z.string(),
        daysBeforeEnd: z.number(),
      })
      .optional()
      .describe('only when no deploy finished in the window: the newest before it'),
    rules: z.array(z.string()),
    source: z.string(),
  },
  async handler(input, ctx) {
    const { deliveryMetrics } = await import('../../delivery/metrics.js');
    const m = deliveryMetrics(ctx, {
      now: ctx.clock(),
      windowDays: input.window_days,
      env: input.env,
      service: input.service,
      agentLimit: input.agents,
    });
    // Breakdown rows carry the deltas, not the previous figures: the answer stays within an agent's budget.
    const brief = ({ previous: _previous, ...r }: (typeof m.byKind)[number]) => r;
    return { ...m, byKind: m.byKind.map(brief), byAgent: m.byAgent.map(brief), byTarget: m.byTarget.map(brief) };
  },
  async render(out) {
    const { renderDelivery } = await import('../../delivery/report-text.js');
    return renderDelivery(out);
  },
});
