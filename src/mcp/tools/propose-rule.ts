import { z } from 'zod';
import { linksFrom, proposalInput, proposalOutput, renderProposal } from '../../decisions/proposal-fields.js';
import { proposeRule, RULE_KINDS } from '../../decisions/rules.js';
import { defineTool } from '../define-tool.js';

export const proposeRuleTool = defineTool({
  name: 'propose_rule',
  title: "Propose a rule for the agents' rule file",
  description:
    'Call when the same policy gap keeps causing corrections: appends a rule (MUST/SHOULD wording) with its ' +
    'rationale and evidence under "## Rules from hindsight" in the rule file agents read — AGENTS.md, else ' +
    'CLAUDE.md, else .github/copilot-instructions.md, else the spec-kit constitution (version bumped), else a new ' +
    '.cursor/rules/*.mdc; or the `target` you name. Marks the cluster covered. The same rule is never added twice.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    rule: z
      .string()
      .min(10)
      .max(1_000)
      .describe(
        'one line with MUST, MUST NOT, SHOULD or SHOULD NOT, e.g. "Payment retries MUST reuse the idempotency key."',
      ),
    rationale: z.string().max(5_000).optional().describe('why the rule exists'),
    title: z.string().max(120).optional().describe('short name (Cursor rule heading and file name); default: the rule'),
    target: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe(
        `${RULE_KINDS.join(' | ')}, or a repository path ending in .md or .mdc; default: the primary rule file`,
      ),
    globs: z
      .array(z.string().min(1).max(200))
      .max(20)
      .optional()
      .describe('Cursor rules only: file globs it applies to; default: from the evidence paths'),
    ...proposalInput,
  },
  output: {
    ...proposalOutput,
    kind: z.string().describe('agents | claude | cursor | copilot | constitution | markdown'),
    version: z.object({ from: z.string(), to: z.string() }).nullable().describe('constitution version bump'),
  },
  handler(input, ctx) {
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
