import { z } from 'zod';
import { duration } from '../../triage/report.js';
import { resolveInterrupt } from '../../triage/interrupts.js';
import { defineTool } from '../define-tool.js';
import { isoDate } from '../schemas.js';

export const resolveInterruptTool = defineTool({
  name: 'resolve_interrupt',
  title: 'Record the human answer to an interrupt',
  description:
    "Call when a human has answered or resolved an interrupt or correction you logged: pass its id and the human's " +
    'response (and, when the answer became an ADR, rule or skill, the fix id). Records the response and resolution ' +
    'times for Mean Time To Correct; the answer is shown to the next agent that hits the same problem.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    id: z.number().int().positive().describe('the id log_interrupt returned'),
    response: z.string().trim().min(1).max(20_000).describe("the human's answer or redirection, in their words"),
    responded_at: isoDate.optional().describe('when the human answered (ISO); default: now, or as already recorded'),
    resolved_at: isoDate.optional().describe('when it was resolved (ISO); default: now, or as already recorded'),
    resolved: z.boolean().default(true).describe('false: a human answered but the entry stays open'),
    fix_id: z.number().int().positive().optional().describe('the ADR/rule/skill fix that answers it (from propose_*)'),
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
  handler(input, ctx) {
    return resolveInterrupt(ctx, {
      id: input.id,
      response: input.response,
      respondedAt: input.responded_at ? Date.parse(input.responded_at) : undefined,
      resolvedAt: input.resolved_at ? Date.parse(input.resolved_at) : undefined,
      resolved: input.resolved,
      fixId: input.fix_id,
    });
  },
  render(out) {
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
