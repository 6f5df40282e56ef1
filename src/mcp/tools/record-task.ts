import { z } from 'zod';
import { LIMITS } from '../../limits.js';
import { defineTool } from '../define-tool.js';
import { ignoredName, isoDate, nameText } from '../schemas.js';

export const recordTaskTool = defineTool({
  name: 'record_task',
  title: 'Record a task',
  description:
    'Call with start when you begin a task and finish (with outcome) when it ends; its id is ' +
    "log_interrupt's task_id.",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    action: z.enum(['start', 'finish']).describe('start or finish'),
    id: z.string().trim().min(1).max(LIMITS.name).describe('task id'),
    title: z.string().trim().min(1).max(LIMITS.title).optional().describe('the task'),
    outcome: z.enum(['completed', 'failed', 'abandoned']).optional().describe('required with finish'),
    agent: nameText.optional().describe('default: you'),
    session_id: nameText.optional().describe('session id'),
    at: isoDate.optional().describe('ISO; default now'),
  },
  output: {
    id: z.string(),
    agent: z.string().nullable(),
    title: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    outcome: z.string().nullable(),
    change: z.enum(['created', 'updated', 'unchanged']),
    interrupts: z.number().describe('interrupts and corrections logged with this task_id'),
    notes: z.array(z.string()).optional(),
  },
  async handler(input, ctx, call) {
    const [{ otherThanCaller, resolveIdentity }, { recordTask }] = await Promise.all([
      import('../../attribution/whoami.js'),
      import('../../triage/tasks.js'),
    ]);
    const identity = await resolveIdentity(ctx, { agent: input.agent }, call);
    const other = otherThanCaller({ agent: input.agent }, call);
    const res = recordTask(
      ctx,
      {
        action: input.action,
        id: input.id,
        title: input.title,
        outcome: input.outcome,
        agent: identity?.value,
        sessionId: input.session_id,
        at: input.at ? Date.parse(input.at) : ctx.clock(),
      },
      { finishNeedsStart: true },
    );
    const t = res.task;
    return {
      id: t.id,
      agent: t.agent,
      title: t.title,
      startedAt: new Date(t.startedAt).toISOString(),
      finishedAt: t.finishedAt === null ? null : new Date(t.finishedAt).toISOString(),
      outcome: t.outcome,
      change: res.change,
      interrupts: res.interrupts,
      ...(other ? { notes: [ignoredName(other, call.agent)] } : {}),
    };
  },
  render(out) {
    const state = out.finishedAt ? `finished ${out.finishedAt} (${out.outcome})` : `started ${out.startedAt}`;
    const line = `task ${out.id}${out.title ? ` "${out.title}"` : ''} ${state}; ${out.change}; ${out.interrupts} interrupt(s) logged`;
    return [line, ...(out.notes ?? [])].join('\n');
  },
});
