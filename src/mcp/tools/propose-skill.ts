import { z } from 'zod';
import { linksFrom, proposalInput, proposalOutput, renderProposal } from '../../decisions/proposal-fields.js';
import { proposeSkill, SKILL_DESCRIPTION_MAX, SKILL_NAME_MAX } from '../../decisions/skills.js';
import { defineTool } from '../define-tool.js';

export const proposeSkillTool = defineTool({
  name: 'propose_skill',
  title: 'Propose or fix an agent skill',
  description:
    'Call when agents keep failing with the same tool or workflow: writes .claude/skills/<name>/SKILL.md (Agent ' +
    'Skills format: name = folder, lowercase letters, digits and hyphens; description says what it does and when ' +
    'to use it) or updates it (body replaced, other front matter kept), with the evidence appended, and marks the ' +
    'cluster covered. Use dry_run to preview.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    name: z
      .string()
      .max(200)
      .describe(`skill name and folder: a-z, 0-9 and single hyphens, at most ${SKILL_NAME_MAX} characters`),
    description: z
      .string()
      .max(4_000)
      .describe(`what the skill does AND when to use it, at most ${SKILL_DESCRIPTION_MAX} characters`),
    body: z.string().min(1).max(50_000).describe('Markdown instructions: the steps an agent follows'),
    ...proposalInput,
  },
  output: proposalOutput,
  handler(input, ctx) {
    return proposeSkill(ctx, {
      name: input.name,
      description: input.description,
      body: input.body,
      ...linksFrom(input),
      dryRun: input.dry_run,
    });
  },
  render: (out) => renderProposal(out, 'skill'),
});
