import { z } from 'zod';
import { resolveIdentity } from '../../attribution/whoami.js';
import { CATEGORIES } from '../../triage/categorize.js';
import { logInterrupt } from '../../triage/interrupts.js';
import { defineTool } from '../define-tool.js';

const coverage = z.object({
  kind: z.enum(['fix', 'adr', 'rule', 'skill']),
  ref: z.string(),
  title: z.string(),
  path: z.string().describe('repository-relative: read it'),
  status: z.string().nullable(),
  matched: z.array(z.string()).describe('words the entry shares with it'),
  text: z.string(),
});

export const logInterruptTool = defineTool({
  name: 'log_interrupt',
  title: 'Log an interrupt or correction',
  description:
    'Call when you had to stop and ask a human (kind interrupt) or a human redirected you (kind correction). ' +
    'Stores it (secrets redacted), suggests a category when you omit one, and clusters it with similar earlier ' +
    'entries. Answers the cluster, earlier similar entries with the answers humans gave, and any ADR, rule or ' +
    'skill that already covers it: read that before waiting for a human.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: {
    kind: z
      .enum(['interrupt', 'correction'])
      .default('interrupt')
      .describe('interrupt: you stopped to ask; correction: a human redirected you'),
    category: z
      .enum(CATEGORIES)
      .optional()
      .describe(
        'missing_context | policy_gap | tool_failure | ambiguous_spec | other; omitted: suggested from the text',
      ),
    summary: z.string().trim().min(3).max(2000).describe('one or two sentences: what you needed or what was corrected'),
    detail: z.string().max(20_000).optional().describe('more context: the question asked, the command and its error'),
    paths: z
      .array(z.string().min(1))
      .max(50)
      .optional()
      .describe('repository paths involved, e.g. ["src/payments/gateway.ts"]; they decide the module'),
    task_id: z.string().min(1).max(200).optional().describe('the task id you passed to record_task'),
    session_id: z.string().min(1).max(200).optional().describe('your session id, to group entries'),
    agent: z.string().min(1).optional().describe('your agent name (claude, cursor …); default as in my_deploy_impact'),
    source: z
      .enum(['human', 'agent', 'rubric'])
      .default('agent')
      .describe('who noticed: agent (you), human, or rubric (an automated check)'),
  },
  output: {
    id: z.number(),
    kind: z.string(),
    category: z.string(),
    categorySuggested: z.boolean(),
    categoryCues: z.array(z.string()).describe('phrases that suggested the category'),
    module: z.string().describe("'' when no paths were given"),
    agent: z.string().nullable(),
    redactions: z.number().describe('secrets removed before storing'),
    redactedKinds: z.array(z.string()),
    cluster: z.object({
      id: z.number(),
      label: z.string().describe('the terms its entries share'),
      size: z.number(),
      created: z.boolean(),
      score: z.number(),
      recurring: z.boolean().describe('≥ 2 entries in 7 days'),
      suggestedFix: z.enum(['adr', 'rule', 'skill']),
      lastAnswer: z
        .object({ id: z.number(), response: z.string(), respondedAt: z.string() })
        .nullable()
        .describe("the human's answer to the newest answered entry of this cluster"),
    }),
    similar: z.array(
      z.object({
        id: z.number(),
        summary: z.string(),
        createdAt: z.string(),
        score: z.number(),
        response: z.string().nullable().describe("the human's answer then"),
      }),
    ),
    coveredBy: z.array(coverage),
    notes: z.array(z.string()),
  },
  async handler(input, ctx, call) {
    const identity = await resolveIdentity(ctx, { agent: input.agent }, call.clientName);
    return logInterrupt(ctx, {
      kind: input.kind,
      category: input.category,
      summary: input.summary,
      detail: input.detail,
      paths: input.paths,
      taskId: input.task_id,
      sessionId: input.session_id,
      agent: identity?.value,
      source: input.source,
      createdAt: ctx.clock(),
    });
  },
  render(out) {
    const c = out.cluster;
    const lines = [
      `logged ${out.kind} #${out.id}: ${out.category}` +
        (out.categorySuggested
          ? ` (suggested${out.categoryCues.length ? ` from "${out.categoryCues.join('", "')}"` : ''}; pass category to override)`
          : '') +
        (out.module ? `, module ${out.module}` : '') +
        (out.agent ? `, agent ${out.agent}` : ''),
    ];
    if (out.redactions > 0) {
      lines.push(`${out.redactions} secret(s) redacted before storing (${out.redactedKinds.join(', ')})`);
    }
    lines.push(
      `cluster #${c.id} "${c.label}": ${c.created ? 'new' : `joined (score ${c.score})`}, ${c.size} entr${c.size === 1 ? 'y' : 'ies'}` +
        `${c.recurring ? ', recurring' : ''} → fix type ${c.suggestedFix}`,
    );
    if (c.lastAnswer) lines.push(`last answer in this cluster (#${c.lastAnswer.id}): ${c.lastAnswer.response}`);
    for (const s of out.similar) {
      lines.push(`seen before: #${s.id} (${s.score}) ${s.summary}${s.response ? ` → answer: ${s.response}` : ''}`);
    }
    for (const f of out.coveredBy) lines.push(f.text);
    if (out.coveredBy.length === 0) lines.push('no ADR, rule or skill covers this yet');
    lines.push(...out.notes);
    return lines.join('\n');
  },
});
