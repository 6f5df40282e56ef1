import { authorsInWindow, moduleAuthorSpans, moduleCommitsByAgent, moduleRevertCount } from '../store/change-stats.js';
import { DAY_MS, ensureModuleRollups } from '../store/commits.js';
import type { Db } from '../store/open.js';

export { DAY_MS };

export interface AgentCount {
  agent: string;
  commits: number;
}

export interface ChangeWindowStats {
  commits: number;
  authors: number;
  /** Commits whose author_kind is agent or pair. */
  agentCommits: number;
  /** agentCommits / commits, rounded to 2 decimals; 0 when there are no commits. */
  agentShare: number;
  agents: AgentCount[];
  /** Commits touching the module that were reverted (by a revert landing in the window). */
  reverts: number;
}

export interface ChangeStats {
  module: string;
  windowDays: number;
  recent: ChangeWindowStats;
  allTime: ChangeWindowStats;
}

/**
 * Churn of one module over the last `windowDays` and all time. Merge commits are left out: they repeat
 * changes already counted and would dilute the agent share with whoever pressed the merge button.
 * Read from the per-module rollups (store/commits.ts), so a module touched by 233k commits answers from a few
 * thousand rows: whole days from module_days, the partial days at a window's edges from the commits themselves.
 */
export function moduleChangeStats(db: Db, module: string, now: number, windowDays = 90): ChangeStats {
  ensureModuleRollups(db);
  const since = now - windowDays * DAY_MS;
  return {
    module,
    windowDays,
    recent: windowStats(db, module, since, now),
    allTime: windowStats(db, module, undefined, now),
  };
}

/** Stats of the commits in [from, to] (unix ms; no lower bound when `from` is undefined). */
function windowStats(db: Db, module: string, from: number | undefined, to: number): ChangeWindowStats {
  const byAgent = commitsByAgent(db, module, from, to);
  let commits = 0;
  let agentCommits = 0;
  const agents = new Map<string, number>();
  for (const r of byAgent) {
    commits += r.commits;
    if (r.agent === '') continue;
    agentCommits += r.commits;
    agents.set(r.agent, r.commits);
  }
  return {
    commits,
    authors: authorCount(db, module, from, to),
    agentCommits,
    agentShare: share(agentCommits, commits),
    agents: ranked(agents),
    reverts: moduleRevertCount(db, module, from ?? Number.MIN_SAFE_INTEGER, to),
  };
}

function commitsByAgent(db: Db, module: string, from: number | undefined, to: number) {
  // Whole days: those that start at or after `from` and end at or before `to`.
  const firstDay = from === undefined ? Number.MIN_SAFE_INTEGER : Math.ceil(from / DAY_MS);
  const lastDay = Math.floor((to + 1) / DAY_MS) - 1;
  const none = { from: 1, to: 0 };
  let head = from === undefined ? none : { from, to: firstDay * DAY_MS - 1 };
  let tail = { from: (lastDay + 1) * DAY_MS, to };
  if (firstDay > lastDay) [head, tail] = [{ from: from ?? Number.MIN_SAFE_INTEGER, to }, none];
  return moduleCommitsByAgent(db, module, { firstDay, lastDay, head, tail });
}

/**
 * Distinct authors with an ordinary commit in [from, to]. module_authors keeps each author's first and last commit
 * in the module, which decides every author except one whose commits straddle the window on both sides (possible only
 * when `to` is before their last commit, i.e. a clock in the past): those are checked against the window's commits.
 */
function authorCount(db: Db, module: string, from: number | undefined, to: number): number {
  const lo = from ?? Number.MIN_SAFE_INTEGER;
  const { sure, straddling } = moduleAuthorSpans(db, module, lo, to);
  if (straddling.length === 0) return sure;
  const inWindow = authorsInWindow(db, module, lo, to, straddling);
  return sure + inWindow;
}

function ranked(counts: Map<string, number>): AgentCount[] {
  return [...counts]
    .map(([agent, commits]) => ({ agent, commits }))
    .sort((a, b) => b.commits - a.commits || a.agent.localeCompare(b.agent));
}

/** part / whole rounded to 2 decimals; 0 for an empty whole. */
export function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100) / 100;
}
