import { z } from 'zod';
import { linksFrom, proposalInput, proposalOutput, renderProposal } from '../proposal-fields.js';
import type { RuleKind } from '../../decisions/rules.js';
import { defineTool } from '../define-tool.js';

// Every rule kind, checked against the domain's type (a missing or unknown key fails tsc), so the schema is
// built without loading the rules code.
const RULE_KINDS = Object.keys({
  agents: true,
  claude: true,
  cursor: true,
  copilot: true,
  constitution: true,
} satisfies Record<RuleKind, true>);

export const proposeRuleTool = defineTool({
  name: 'propose_rule',
  title: 'Propose a rule',
  description:
    'Call when one policy gap keeps causing corrections: appends a MUST/SHOULD rule to the rule file agents ' +
    'read, with evidence.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    rule: z.string().min(10).max(1_000).describe('one line with MUST or SHOULD'),
    rationale: z.string().max(5_000).optional().describe('why'),
    title: z.string().max(120).optional().describe('short name (Cursor)'),
    target: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe(`${RULE_KINDS.join(' | ')} or a rule file's path`),
    globs: z.array(z.string().min(1).max(200)).max(20).optional().describe('Cursor: file globs'),
    ...proposalInput,
  },
  output: {
    ...proposalOutput,
    kind: z.string().describe(RULE_KINDS.join(' | ')),
    version: z.object({ from: z.string(), to: z.string() }).nullable().describe('constitution version bump'),
  },
  async handler(input, ctx) {
    const { proposeRule } = await import('../../decisions/rules.js');
    return proposeRule(ctx, {
      rule: input.rule,
      ...(input.rationale ? { rationale: input.rationale } : {}),
      ...(input.title ? { title: input.title } : {}),
      ...(input.target ? { target: input.target } : {}),
      ...(input.globs ? { globs: input.globs } : {}),
      ...linksFrom(input),
      dryRun: input.dry_run,
    });
  },
  render: (out) => renderProposal(out, `rule (${out.kind})`),
});
