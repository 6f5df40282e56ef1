import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { definePrompt } from '../define-resource.js';

export const weeklyTriagePrompt = definePrompt({
  name: 'weekly_triage',
  title: 'Weekly triage meeting agenda',
  description:
    "A 30-minute agenda for the team's weekly triage, filled with this week's data: KPI deltas, the top three " +
    'clusters with owner and fix type, loop states, the one highest-leverage intervention, and ADR/rule/skill ' +
    'updates shipped or awaiting review.',
  args: {
    until: z.string().max(LIMITS.date).optional().describe('end of the week (ISO date-time); default now'),
  },
  async build(args, ctx) {
    let until: number | undefined;
    if (args.until) {
      until = Date.parse(args.until);
      if (!/^\d{4}-\d{2}-\d{2}/.test(args.until) || Number.isNaN(until)) {
        throw new UserInputError(`until '${args.until}' is not an ISO date; use e.g. 2026-08-31T12:00:00Z`, 'until');
      }
    }
    const { weeklyAgenda } = await import('../../triage/agenda.js');
    return weeklyAgenda(ctx, until !== undefined ? { until } : {});
  },
});
