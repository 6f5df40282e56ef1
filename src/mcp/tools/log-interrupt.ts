import { z } from 'zod';
import { CATEGORIES } from '../../triage/categorize.js';
import { LIMITS } from '../../limits.js';
import { defineTool } from '../define-tool.js';
import { ignoredName, nameText, repoPath } from '../schemas.js';

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
  title: 'Log an interrupt',
  description:
    'Call when you had to ask a human or were corrected: returns similar entries, their answers, ' +
    'any ADR/rule/skill covering it.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: {
    kind: z.enum(['interrupt', 'correction']).default('interrupt').describe('correction: you were redirected'),
    category: z.enum(CATEGORIES).optional().describe('default: guessed'),
    summary: z.string().trim().min(3).max(LIMITS.summary).describe('what you needed or got wrong'),
    detail: z.string().max(LIMITS.text).optional().describe('question or error'),
    paths: z.array(repoPath).max(50).optional().describe('paths involved'),
    task_id: nameText.optional().describe('id from record_task'),
    session_id: nameText.optional().describe('session id'),
    agent: nameText.optional().describe('default: you'),
    source: z.enum(['human', 'agent', 'rubric']).default('agent').describe('who noticed'),
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
    const [{ otherThanCaller, resolveIdentity }, { queueInterrupt }, { openIncidentLine }] = await Promise.all([
      import('../../attribution/whoami.js'),
      import('../../triage/write-queue.js'),
      import('../../history/open-incident-line.js'),
    ]);
    const identity = await resolveIdentity(ctx, { agent: input.agent }, call);
    const other = otherThanCaller({ agent: input.agent }, call);
    // Committed with the other calls this process is answering at the same moment (one transaction for all).
    const res = await queueInterrupt(ctx, {
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
    const open = openIncidentLine(ctx, input.paths);
    const notes = [...(open ? [open] : []), ...res.notes, ...(other ? [ignoredName(other, call.agent)] : [])];
    return { ...res, notes };
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
