import { z } from 'zod';
import { UserInputError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import type { IncidentKey } from '../../history/incident-history.js';
import { cursorInput, decodeCursor, encodeCursor } from '../cursor.js';
import { defineTool } from '../define-tool.js';
import { nameText, repoPath } from '../schemas.js';

/** The list this tool's cursors page. */
const INCIDENTS = 'incidents';

const windowStats = z.object({
  commits: z.number().describe('commits touching the module (merges left out)'),
  authors: z.number().describe('distinct author emails'),
  agentCommits: z.number().describe('commits by an agent or an agent-human pair'),
  agentShare: z.number().describe('agentCommits / commits'),
  agents: z.array(z.object({ agent: z.string(), commits: z.number() })).describe('agents seen, most commits first'),
  reverts: z.number().describe('commits touching the module that were reverted'),
});

export const moduleIncidentHistory = defineTool({
  name: 'module_incident_history',
  title: 'Module incident history',
  description:
    'Call before redesigning a module or when it keeps breaking: its incidents and why, recurrence, ' +
    'churn, agent share, reverts.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needs: ['commits', 'incidents'],
  input: {
    module: nameText.optional().describe('name or part; or path'),
    path: repoPath.optional().describe('a path in the module'),
    limit: z.number().int().min(1).max(50).optional().describe('incidents per page'),
    cursor: cursorInput,
    since: z.string().max(LIMITS.date).optional().describe('ISO date'),
  },
  output: {
    module: z.string(),
    resolvedFrom: z.string().optional().describe('how a fuzzy name or a path was resolved to the module'),
    since: z.string().optional(),
    incidents: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          severity: z.string().nullable(),
          startedAt: z.string(),
          resolvedAt: z.string().nullable(),
          status: z.string(),
          linkedBy: z.array(z.string()).describe('why the incident belongs to the module'),
          basis: z
            .enum(['named', 'cause', 'suspect', 'elsewhere'])
            .describe(
              'counted: named (names the module) or cause (confirmed cause changed it); not: suspect, elsewhere',
            ),
          postmortem: z.string().optional(),
          url: z.string().optional(),
        }),
      ),
      limit: z.number(),
      hasMore: z.boolean(),
      nextCursor: z.string().optional(),
      total: z.number(),
    }),
    recurrence: z.object({
      last30d: z.number(),
      last90d: z.number(),
      allTime: z.number(),
      suspects90d: z.number(),
      suspectsAllTime: z.number(),
      basis: z.string(),
      architecturalSignal: z.boolean(),
      signal: z.string().optional(),
      last: z.object({ id: z.string(), title: z.string(), startedAt: z.string() }).optional(),
    }),
    changes: z.object({
      module: z.string(),
      windowDays: z.number(),
      recent: windowStats.describe('the last windowDays days'),
      allTime: windowStats,
    }),
    coChangedModules: z.object({
      module: z.string(),
      basis: z.number().describe("the module's commits read (no merges, ≤ 50 files, latest 2,000)"),
      items: z.array(z.object({ module: z.string(), commits: z.number(), share: z.number() })),
      hasMore: z.boolean(),
    }),
    notes: z.array(z.string()),
  },
  async handler(input, ctx) {
    const { readModuleHistory } = await import('../../history/incident-history.js');
    const after = input.cursor ? (decodeCursor(input.cursor, INCIDENTS, 2) as IncidentKey) : undefined;
    const history = readModuleHistory(ctx, {
      ...(input.module !== undefined ? { module: input.module } : {}),
      ...(input.path !== undefined ? { path: input.path } : {}),
      ...(input.limit !== undefined ? { limit: input.limit } : {}),
      ...(input.since !== undefined ? { since: parseSince(input.since) } : {}),
      ...(after ? { after } : {}),
    });
    const { next, ...incidents } = history.incidents;
    return { ...history, incidents: { ...incidents, ...(next ? { nextCursor: encodeCursor(INCIDENTS, next) } : {}) } };
  },
  render(out) {
    const lines: string[] = [];
    lines.push(`module ${out.module}${out.resolvedFrom ? ` (${out.resolvedFrom})` : ''}`);
    const r = out.recurrence;
    lines.push(
      `incidents: ${out.incidents.total}${out.since ? ` since ${out.since.slice(0, 10)}` : ''}; ` +
        `${r.basis}; ${r.last30d} counted in 30d` +
        (r.signal ? `\nARCHITECTURAL SIGNAL: ${r.signal}` : ''),
    );
    for (const i of out.incidents.items) {
      lines.push(
        `- ${i.id} ${i.startedAt.slice(0, 10)} ${i.severity ? `${i.severity} ` : ''}${i.status}: ${i.title} — ${i.basis}: ${i.linkedBy.join('; ')}` +
          (i.postmortem ? ` (postmortem ${i.postmortem})` : ''),
      );
    }
    if (out.incidents.nextCursor) lines.push(`… more incidents: call again with cursor "${out.incidents.nextCursor}"`);
    const c = out.changes;
    const fmt = (w: z.infer<typeof windowStats>) =>
      `${w.commits} commits, ${w.authors} authors, agent share ${Math.round(w.agentShare * 100)}%` +
      (w.agents.length ? ` (${w.agents.map((a) => `${a.agent} ${a.commits}`).join(', ')})` : '') +
      `, ${w.reverts} reverted`;
    lines.push(`changes ${c.windowDays}d: ${fmt(c.recent)}`, `changes all time: ${fmt(c.allTime)}`);
    const cm = out.coChangedModules;
    if (cm.items.length) {
      lines.push(
        `changes with: ${cm.items.map((m) => `${m.module} ${m.commits}/${cm.basis} (${Math.round(m.share * 100)}%)`).join(', ')}`,
      );
    }
    for (const n of out.notes) lines.push(`note: ${n}`);
    return lines.join('\n');
  },
});

function parseSince(since: string): number {
  const t = /^\d{4}-\d{2}-\d{2}/.test(since.trim()) ? Date.parse(since.trim()) : Number.NaN;
  if (Number.isNaN(t)) {
    throw new UserInputError(
      `since '${since}' is not an ISO date; use e.g. 2026-01-01 or 2026-01-01T00:00:00Z`,
      'since',
    );
  }
  return t;
}
