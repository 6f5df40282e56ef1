import { z } from 'zod';
import { linksFrom, proposalInput, proposalOutput, renderProposal } from '../proposal-fields.js';
import { defineTool } from '../define-tool.js';

export const proposeAdrTool = defineTool({
  name: 'propose_adr',
  title: 'Propose an ADR',
  description:
    'Call when agents keep stopping for an unwritten decision: writes a proposed ADR with evidence and ' +
    'marks the cluster covered.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: {
    title: z.string().min(3).max(200).describe('problem and decision'),
    context: z.string().min(1).max(20_000).describe('Markdown'),
    decision: z.string().min(1).max(20_000).describe('Markdown: what and why'),
    options: z
      .array(
        z.object({
          title: z.string().min(1).max(200),
          description: z.string().max(5_000).optional(),
          pros: z.array(z.string().min(1).max(2_000)).max(20).optional(),
          cons: z.array(z.string().min(1).max(2_000)).max(20).optional(),
        }),
      )
      .max(10)
      .optional()
      .describe('options'),
    chosen: z.string().max(200).optional().describe('its title'),
    consequences: z.array(z.string().min(1).max(2_000)).max(20).optional().describe('results'),
    supersedes: z.number().int().nonnegative().optional().describe('ADR it replaces'),
    ...proposalInput,
  },
  output: {
    ...proposalOutput,
    number: z.number().describe('the new record number'),
    folder: z.string(),
    folderSource: z.string().describe('how the folder was found'),
    supersededPath: z.string().nullable(),
  },
  async handler(input, ctx) {
    const { proposeAdr } = await import('../../decisions/adr.js');
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
