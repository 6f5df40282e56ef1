import { z } from 'zod';
import { LIMITS } from '../../limits.js';
import { defineTool } from '../define-tool.js';
import { firstReasons, reasonsInput } from '../schemas.js';

export const incidentSuspects = defineTool({
  name: 'incident_suspects',
  title: 'Incident causes',
  description:
    'Call when investigating an incident: the shipped commits and deploys likely behind it, scored, ' +
    'with author and reasons.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needs: ['commits', 'deploys'],
  input: {
    incident: z.string().min(1).max(LIMITS.search).describe('id (e.g. INC-101) or title words'),
    limit: z.number().int().min(1).max(25).default(5).describe('commits to list'),
    reasons: reasonsInput(3, 'suspect'),
  },
  output: {
    incident: z.object({
      id: z.string(),
      title: z.string(),
      severity: z.string().nullable(),
      status: z.string(),
      startedAt: z.string(),
      resolvedAt: z.string().nullable(),
      env: z.string(),
      service: z.string().nullable(),
      module: z.string().nullable(),
      files: z.array(z.string()),
      fixSha: z.string().nullable(),
      postmortem: z.string().nullable(),
    }),
    commits: z.array(
      z.object({
        sha: z.string(),
        subject: z.string(),
        author: z.string(),
        authorKind: z.string().describe('human | agent | pair'),
        agent: z.string().nullable(),
        authoredAt: z.string(),
        modules: z.array(z.string()),
        deployId: z.number().nullable(),
        score: z.number(),
        status: z.string().describe('confirmed | suspect'),
        method: z.string().describe('fix-blame | root-cause | revert | rollback | heuristic'),
        reasons: z.array(z.string()),
        blamed: z.array(z.string()).optional().describe('lines the fix changed that this commit last touched'),
      }),
    ),
    deploys: z.array(
      z.object({
        id: z.number(),
        env: z.string(),
        service: z.string(),
        sha: z.string(),
        finishedAt: z.string(),
        deployStatus: z.string(),
        score: z.number(),
        status: z.string(),
        method: z.string(),
        reasons: z.array(z.string()),
      }),
    ),
    notes: z.array(z.string()),
    limit: z.number(),
    hasMore: z.boolean(),
  },
  async handler(input, ctx) {
    const { incidentSuspects: suspectsOf } = await import('../../attribution/incident-view.js');
    const found = suspectsOf(ctx, input.incident, input.limit);
    return {
      ...found,
      commits: firstReasons(found.commits, input.reasons),
      deploys: firstReasons(found.deploys, input.reasons),
    };
  },
  render(out) {
    const i = out.incident;
    const lines = [
      `${i.id} ${i.severity ?? ''} "${i.title}" ${i.env} started ${i.startedAt.slice(0, 16)} (${i.status})` +
        (i.module ? ` module ${i.module}` : ''),
    ];
    out.commits.forEach((c, n) => {
      const who = c.agent ? `${c.authorKind}:${c.agent}` : c.authorKind;
      lines.push(
        `${n + 1}. ${c.sha.slice(0, 7)} ${c.status} ${c.score} [${who}] ${c.subject} (${c.modules.join(', ')})`,
      );
      for (const r of c.reasons) lines.push(`   - ${r}`);
      for (const b of c.blamed ?? []) lines.push(`   > ${b}`);
    });
    for (const d of out.deploys) {
      lines.push(`deploy #${d.id} ${d.finishedAt.slice(0, 16)} ${d.status} ${d.score}: ${d.reasons.join('; ')}`);
    }
    for (const note of out.notes) lines.push(`note: ${note}`);
    return lines.join('\n');
  },
});
