import { z } from 'zod';
import { proposeAdr } from '../../decisions/adr.js';
import { linksFrom, proposalInput, proposalOutput, renderProposal } from '../../decisions/proposal-fields.js';
import { defineTool } from '../define-tool.js';

export const proposeAdrTool = defineTool({
  name: 'propose_adr',
  title: 'Propose an architecture decision record',
  description:
    'Call when agents keep stopping for missing context (a decision nobody wrote down): writes a MADR record with ' +
    "status proposed into the repo's ADR folder (.adr-dir, .log4brains.yml, docs/decisions, docs/adr, doc/adr; " +
    'else creates docs/adr) under the next number, with an Evidence section linking the interrupts, cluster and ' +
    'incidents, and marks the cluster covered. `supersedes` marks an older record superseded. Never overwrites; ' +
    'use dry_run to preview.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: {
    title: z
      .string()
      .min(3)
      .max(200)
      .describe('short title of the problem and the decision, e.g. "Use idempotency keys for payment retries"'),
    context: z.string().min(1).max(20_000).describe('context and problem statement (Markdown)'),
    decision: z.string().min(1).max(20_000).describe('the decision and why (Markdown)'),
    options: z
      .array(
        z.object({
          title: z.string().min(1).max(200).describe('option name'),
          description: z.string().max(5_000).optional().describe('what the option means'),
          pros: z.array(z.string().min(1)).max(20).optional().describe('"Good, because …" arguments'),
          cons: z.array(z.string().min(1)).max(20).optional().describe('"Bad, because …" arguments'),
        }),
      )
      .max(10)
      .optional()
      .describe('considered options, optionally with pros and cons'),
    chosen: z.string().optional().describe("the chosen option's title (one of options)"),
    consequences: z
      .array(z.string().min(1).max(2_000))
      .max(20)
      .optional()
      .describe('consequences, e.g. "Good, because …", "Bad, because …"'),
    supersedes: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('number of the ADR this one replaces; its status is updated'),
    ...proposalInput,
  },
  output: {
    ...proposalOutput,
    number: z.number().describe('the new record number'),
    folder: z.string(),
    folderSource: z.string().describe('how the folder was found'),
    supersededPath: z.string().nullable(),
  },
  handler(input, ctx) {
    return proposeAdr(ctx, {
      title: input.title,
      context: input.context,
      decision: input.decision,
      ...(input.options ? { options: input.options } : {}),
      ...(input.chosen ? { chosen: input.chosen } : {}),
      ...(input.consequences ? { consequences: input.consequences } : {}),
      ...(input.supersedes !== undefined ? { supersedes: input.supersedes } : {}),
      ...linksFrom(input),
      dryRun: input.dry_run,
    });
  },
  render: (out) => renderProposal(out, 'ADR'),
});
