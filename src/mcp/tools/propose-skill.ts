import { z } from 'zod';
import { linksFrom, proposalInput, proposalOutput, renderProposal } from '../proposal-fields.js';
import type {
  SKILL_DESCRIPTION_MAX as DOMAIN_DESCRIPTION_MAX,
  SKILL_NAME_MAX as DOMAIN_NAME_MAX,
} from '../../decisions/skills.js';
import { defineTool } from '../define-tool.js';

// The domain's limits, typed as their literals: the schema is built without loading the skills code, and tsc
// fails if they ever differ.
const SKILL_NAME_MAX: typeof DOMAIN_NAME_MAX = 64;
const SKILL_DESCRIPTION_MAX: typeof DOMAIN_DESCRIPTION_MAX = 1024;

export const proposeSkillTool = defineTool({
  name: 'propose_skill',
  title: 'Propose a skill',
  description:
    'Call when agents keep failing at one tool or workflow: writes .claude/skills/<name>/SKILL.md with ' + 'evidence.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    name: z.string().max(200).describe(`a-z, 0-9, hyphens, ≤ ${SKILL_NAME_MAX} chars`),
    description: z.string().max(4_000).describe(`what and when to use it, ≤ ${SKILL_DESCRIPTION_MAX} chars`),
    body: z.string().min(1).max(50_000).describe('Markdown steps'),
    ...proposalInput,
  },
  output: proposalOutput,
  async handler(input, ctx) {
    const { proposeSkill } = await import('../../decisions/skills.js');
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
