import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { fixInfo, getClustersById } from '../store/clusters.js';
import { agentInterrupts, type InterruptRow } from '../store/interrupts.js';
import { agentTasks, knownAgents } from '../store/tasks.js';
import { duration } from './report.js';

const DAY = 86_400_000;

/** What an agent should know at session start: its recent outcomes and the corrections still open. */
export interface AgentDigest {
  agent: string;
  since: string;
  until: string;
  tasks: { total: number; completed: number; failed: number; abandoned: number; running: number; autonomous: number };
  open: DigestEntry[];
  answered: DigestEntry[];
  recentTasks: { id: string; title: string | null; outcome: string | null; interrupts: number; startedAt: string }[];
}

export interface DigestEntry {
  id: number;
  kind: string;
  category: string;
  module: string;
  summary: string;
  age: string;
  response: string | null;
  cluster: { id: number; label: string; size: number } | null;
  fix: { type: string; path: string; status: string } | null;
}

/** Agents the digest knows: those named by tasks or interrupts, most recently active first. */
export function digestAgents(ctx: AppContext, limit = 50): string[] {
  return knownAgents(ctx.store, limit);
}

/** An agent's digest for the `days` before now: task outcomes, open entries, recently answered ones. */
export function agentDigest(
  ctx: AppContext,
  agentName: string,
  o: { days?: number; limit?: number } = {},
): AgentDigest {
  const agent = agentName.trim().toLowerCase();
  const until = ctx.clock();
  const since = until - (o.days ?? 7) * DAY;
  const limit = o.limit ?? 10;
  const tasks = agentTasks(ctx.store, agent, since, 500);
  const entries = agentInterrupts(ctx.store, agent, since, 200);
  if (tasks.length === 0 && entries.length === 0 && !knownAgents(ctx.store, 500).includes(agent)) {
    const known = digestAgents(ctx, 20);
    throw new UserInputError(
      `no tasks or interrupts recorded for agent '${agentName}'; ` +
        (known.length > 0
          ? `known agents: ${known.join(', ')}`
          : 'none recorded yet (log_interrupt / record_task add them)'),
      'agent',
    );
  }
  const clusters = getClustersById(
    ctx.store,
    entries.flatMap((e) => (e.clusterId !== null ? [e.clusterId] : [])),
  );
  const view = (e: InterruptRow): DigestEntry => {
    const c = e.clusterId !== null ? clusters.get(e.clusterId) : undefined;
    const fixId = e.fixId ?? c?.fixId ?? null;
    const fix = fixId !== null ? fixInfo(ctx.store, fixId) : undefined;
    return {
      id: e.id,
      kind: e.kind,
      category: e.category,
      module: e.module,
      summary: e.summary,
      age: duration(until - e.createdAt),
      response: e.response,
      cluster: c ? { id: c.id, label: c.label, size: c.size } : null,
      fix: fix && fix.status !== 'rejected' ? { type: fix.type, path: fix.path, status: fix.status } : null,
    };
  };
  const count = (outcome: string) => tasks.filter((t) => t.outcome === outcome).length;
  return {
    agent,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    tasks: {
      total: tasks.length,
      completed: count('completed'),
      failed: count('failed'),
      abandoned: count('abandoned'),
      running: tasks.filter((t) => t.outcome === null).length,
      autonomous: tasks.filter((t) => t.outcome === 'completed' && t.entries === 0).length,
    },
    open: entries
      .filter((e) => e.resolvedAt === null)
      .slice(0, limit)
      .map(view),
    answered: entries
      .filter((e) => e.resolvedAt !== null && e.response !== null && e.createdAt >= since)
      .slice(0, limit)
      .map(view),
    recentTasks: tasks.slice(0, limit).map((t) => ({
      id: t.id,
      title: t.title,
      outcome: t.outcome,
      interrupts: t.entries,
      startedAt: new Date(t.startedAt).toISOString(),
    })),
  };
}

/** The digest as Markdown, the way a client pastes it into a session's context. */
export function renderDigest(d: AgentDigest): string {
  const t = d.tasks;
  const lines = [
    `# hindsight digest for ${d.agent} (${d.since.slice(0, 10)} → ${d.until.slice(0, 10)})`,
    '',
    `Tasks: ${t.total} (${t.completed} completed, ${t.failed} failed, ${t.abandoned} abandoned, ${t.running} running); ` +
      `${t.autonomous} completed without a human.`,
    '',
    '## Open corrections and interrupts',
    '',
  ];
  if (d.open.length === 0) lines.push('None open.');
  for (const e of d.open) lines.push(entryLine(e));
  lines.push('', '## Answered recently (read before you ask again)', '');
  if (d.answered.length === 0) lines.push('None.');
  for (const e of d.answered) lines.push(entryLine(e));
  if (d.recentTasks.length > 0) {
    lines.push('', '## Recent tasks', '');
    for (const r of d.recentTasks) {
      lines.push(`- ${r.id}${r.title ? ` "${r.title}"` : ''}: ${r.outcome ?? 'running'}, ${r.interrupts} interrupt(s)`);
    }
  }
  return lines.join('\n');
}

function entryLine(e: DigestEntry): string {
  const parts = [`- #${e.id} ${e.kind} (${e.category}${e.module ? `, ${e.module}` : ''}, ${e.age} ago): ${e.summary}`];
  if (e.response) parts.push(`  → answer: ${e.response}`);
  if (e.fix) parts.push(`  → ${e.fix.type} ${e.fix.path} (${e.fix.status}) covers it: read it`);
  else if (e.cluster && e.cluster.size > 1) parts.push(`  → seen ${e.cluster.size} times ("${e.cluster.label}")`);
  return parts.join('\n');
}
