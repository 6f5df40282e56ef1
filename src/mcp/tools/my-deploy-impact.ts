import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import { cursorInput, decodeCursor, encodeCursor } from '../cursor.js';
import type { ImpactKey } from '../../attribution/impact.js';
import { defineTool } from '../define-tool.js';
import { firstReasons, isoDate, nameText, reasonsInput } from '../schemas.js';

const DAY = 86_400_000;
/** The list this tool's cursors page. */
const DEPLOYS = 'deploys';

const incident = z.object({
  id: z.string(),
  title: z.string(),
  severity: z.string().nullable(),
  startedAt: z.string(),
  status: z.string(),
  linkStatus: z.string().describe('confirmed | suspect'),
  score: z.number(),
  commit: z.string().describe('which of my commits it is linked to'),
  reasons: z.array(z.string()),
});

export const myDeployImpact = defineTool({
  name: 'my_deploy_impact',
  title: 'After my changes shipped',
  description:
    'Call at session start or after your changes ship: their deploys, linked incidents, reverts, your change ' +
    "failure rate vs the team's.",
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needs: ['commits', 'deploys', 'incidents'],
  input: {
    author: nameText.optional().describe('email or name'),
    agent: nameText.optional().describe('default: you'),
    shas: z.array(z.string().max(40)).min(1).max(200).optional().describe('commit prefixes'),
    since: isoDate.optional().describe('ISO; default -90 days'),
    env: nameText.optional().describe('deploy environment'),
    limit: z.number().int().min(1).max(50).default(3).describe('deploys per page'),
    cursor: cursorInput,
    reasons: reasonsInput(1, 'incident'),
  },
  output: {
    identity: z.object({ kind: z.enum(['agent', 'author', 'shas']), value: z.string(), source: z.string() }),
    window: z.object({ since: z.string(), until: z.string() }),
    myCommits: z.number(),
    unshippedCommits: z.number(),
    deploys: z.array(
      z.object({
        id: z.number(),
        env: z.string(),
        service: z.string(),
        sha: z.string(),
        finishedAt: z.string(),
        status: z.string(),
        rolledBackBy: z.number().nullable(),
        myCommits: z.array(z.object({ sha: z.string(), subject: z.string(), modules: z.array(z.string()) })),
        moreCommits: z.number(),
        shippedAgain: z.number(),
        incidents: z.array(incident),
        moreIncidents: z.number(),
      }),
    ),
    reverts: z.array(
      z.object({ sha: z.string(), subject: z.string(), revertedBy: z.string(), revertedAt: z.string() }),
    ),
    summary: z.object({
      myDeploys: z.number(),
      myFailedDeploys: z.number(),
      myChangeFailureRate: z.number().nullable(),
      teamDeploys: z.number(),
      teamFailedDeploys: z.number(),
      teamChangeFailureRate: z.number().nullable(),
      linkedIncidents: z.number(),
      verdict: z.string(),
    }),
    limit: z.number(),
    hasMore: z.boolean(),
    nextCursor: z.string().optional(),
  },
  async handler(input, ctx, call) {
    const until = ctx.clock();
    const since = input.since ? Date.parse(input.since) : until - 90 * DAY;
    const { otherThanCaller, resolveIdentity } = await import('../../attribution/whoami.js');
    const other = otherThanCaller(input, call);
    if (other) {
      throw new UserInputError(
        `your token says you are '${call.agent}', so this reports your own impact: drop author/agent '${other}'`,
        input.agent ? 'agent' : 'author',
      );
    }
    const identity = input.shas ? undefined : await resolveIdentity(ctx, input, call);
    if (!input.shas && !identity) {
      throw new UserInputError(
        'could not tell who you are: pass `agent` (e.g. "claude"), `author` (email) or `shas`',
        'author',
      );
    }
    const { deployImpact } = await import('../../attribution/impact.js');
    const after = input.cursor ? decodeCursor(input.cursor, DEPLOYS, 3) : undefined;
    const { next, ...impact } = deployImpact(ctx, {
      ...(identity ? { identity } : {}),
      ...(input.shas ? { shas: input.shas } : {}),
      since,
      until,
      ...(input.env ? { env: input.env } : {}),
      limit: input.limit,
      ...(after ? { after: after as ImpactKey } : {}),
    });
    return {
      ...impact,
      deploys: impact.deploys.map((d) => ({ ...d, incidents: firstReasons(d.incidents, input.reasons) })),
      ...(next ? { nextCursor: encodeCursor(DEPLOYS, next) } : {}),
    };
  },
  render(out) {
    const lines = [
      `${out.identity.kind} ${out.identity.value} (from ${out.identity.source}), ${out.window.since.slice(0, 10)}…${out.window.until.slice(0, 10)}`,
      out.summary.verdict,
    ];
    for (const d of out.deploys) {
      lines.push(
        `deploy #${d.id} ${d.env}${d.service ? `/${d.service}` : ''} ${d.finishedAt.slice(0, 16)} ${d.status}${d.rolledBackBy ? ` (rolled back by #${d.rolledBackBy})` : ''}: ` +
          d.myCommits.map((c) => `${c.sha.slice(0, 7)} ${c.subject}`).join('; ') +
          (d.moreCommits ? ` (+${d.moreCommits})` : '') +
          (d.shippedAgain ? ` (and ${d.shippedAgain} shipped first by an earlier deploy)` : ''),
      );
      for (const i of d.incidents) {
        lines.push(
          `  ↳ ${i.id} ${i.severity ?? ''} "${i.title}" ${i.linkStatus} ${i.score} via ${i.commit.slice(0, 7)}: ${i.reasons.join('; ')}`,
        );
      }
      if (d.moreIncidents) lines.push(`  ↳ +${d.moreIncidents} more incident(s)`);
    }
    for (const r of out.reverts)
      lines.push(`reverted: ${r.sha.slice(0, 7)} ${r.subject} by ${r.revertedBy.slice(0, 7)}`);
    if (out.nextCursor) lines.push(`(more deploys: call again with cursor "${out.nextCursor}")`);
    return lines.join('\n');
  },
});
