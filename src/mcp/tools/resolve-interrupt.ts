import { z } from 'zod';
import { LIMITS } from '../../limits.js';
import { defineTool } from '../define-tool.js';
import { isoDate } from '../schemas.js';

export const resolveInterruptTool = defineTool({
  name: 'resolve_interrupt',
  title: 'Resolve an interrupt',
  description:
    'Call when a human answered an interrupt you logged: the next agent with that problem sees the ' + 'answer.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    id: z.number().int().positive().describe('from log_interrupt'),
    response: z.string().trim().min(1).max(LIMITS.text).describe("the human's words"),
    responded_at: isoDate.optional().describe('ISO; default now'),
    resolved_at: isoDate.optional().describe('ISO; default now'),
    resolved: z.boolean().default(true).describe('false: still open'),
    fix_id: z.number().int().positive().optional().describe('from propose_*'),
  },
  output: {
    id: z.number(),
    respondedAt: z.string(),
    resolvedAt: z.string().nullable(),
    timeToCorrectMs: z.number().describe('interrupt → human response'),
    redactions: z.number().describe('secrets removed from the response before storing'),
    fix: z
      .object({ id: z.number(), type: z.string(), title: z.string(), path: z.string(), status: z.string() })
      .nullable(),
    clusterCovered: z.boolean().describe("the fix now covers the entry's cluster"),
  },
  async handler(input, ctx) {
    const { resolveInterrupt } = await import('../../triage/interrupts.js');
    return resolveInterrupt(ctx, {
      id: input.id,
      response: input.response,
      respondedAt: input.responded_at ? Date.parse(input.responded_at) : undefined,
      resolvedAt: input.resolved_at ? Date.parse(input.resolved_at) : undefined,
      resolved: input.resolved,
      fixId: input.fix_id,
    });
  },
  async render(out) {
    const { duration } = await import('../../triage/report.js');
    const lines = [
      `#${out.id} answered ${out.respondedAt} (${duration(out.timeToCorrectMs)} after it was logged)` +
        (out.resolvedAt ? `, resolved ${out.resolvedAt}` : ', still open'),
    ];
    if (out.redactions > 0) lines.push(`${out.redactions} secret(s) redacted from the response`);
    if (out.fix) {
      lines.push(
        `linked to ${out.fix.type} fix #${out.fix.id} "${out.fix.title}" (${out.fix.path}, ${out.fix.status})` +
          (out.clusterCovered ? '; it covers the cluster' : ''),
      );
    }
    return lines.join('\n');
  },
});
