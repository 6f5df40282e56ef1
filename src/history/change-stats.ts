import type { Db } from '../store/open.js';

export const DAY_MS = 86_400_000;

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
 */
export function moduleChangeStats(db: Db, module: string, now: number, windowDays = 90): ChangeStats {
  const since = now - windowDays * DAY_MS;
  const totals = db
    .prepare(
      `WITH touched AS (SELECT DISTINCT sha FROM commit_files WHERE module = @module)
       SELECT
         COUNT(*) AS commits,
         COUNT(DISTINCT lower(c.author_email)) AS authors,
         COALESCE(SUM(c.author_kind IN ('agent', 'pair')), 0) AS agentCommits,
         COALESCE(SUM(c.committed_at >= @since), 0) AS rCommits,
         COUNT(DISTINCT CASE WHEN c.committed_at >= @since THEN lower(c.author_email) END) AS rAuthors,
         COALESCE(SUM(c.author_kind IN ('agent', 'pair') AND c.committed_at >= @since), 0) AS rAgentCommits
       FROM touched t JOIN commits c ON c.sha = t.sha
       WHERE c.is_merge = 0 AND c.committed_at <= @now`,
    )
    .get({ module, since, now }) as Record<
    'commits' | 'authors' | 'agentCommits' | 'rCommits' | 'rAuthors' | 'rAgentCommits',
    number
  >;

  const agentRows = db
    .prepare(
      `WITH touched AS (SELECT DISTINCT sha FROM commit_files WHERE module = @module)
       SELECT COALESCE(c.agent, 'unnamed agent') AS agent, COUNT(*) AS commits,
              COALESCE(SUM(c.committed_at >= @since), 0) AS recent
       FROM touched t JOIN commits c ON c.sha = t.sha
       WHERE c.is_merge = 0 AND c.committed_at <= @now AND c.author_kind IN ('agent', 'pair')
       GROUP BY 1 ORDER BY commits DESC, agent`,
    )
    .all({ module, since, now }) as { agent: string; commits: number; recent: number }[];

  // A revert names the reverted sha; the commits_reverts index answers "was X reverted" per touched commit.
  const reverts = db
    .prepare(
      `WITH touched AS (SELECT DISTINCT sha FROM commit_files WHERE module = @module)
       SELECT COUNT(DISTINCT t.sha) AS allTime,
              COUNT(DISTINCT CASE WHEN r.committed_at >= @since THEN t.sha END) AS recent
       FROM touched t JOIN commits r ON r.reverts_sha = t.sha
       WHERE r.committed_at <= @now`,
    )
    .get({ module, since, now }) as { allTime: number; recent: number };

  return {
    module,
    windowDays,
    recent: {
      commits: totals.rCommits,
      authors: totals.rAuthors,
      agentCommits: totals.rAgentCommits,
      agentShare: share(totals.rAgentCommits, totals.rCommits),
      agents: agentRows
        .filter((a) => a.recent > 0)
        .map((a) => ({ agent: a.agent, commits: a.recent }))
        .sort((a, b) => b.commits - a.commits || a.agent.localeCompare(b.agent)),
      reverts: reverts.recent,
    },
    allTime: {
      commits: totals.commits,
      authors: totals.authors,
      agentCommits: totals.agentCommits,
      agentShare: share(totals.agentCommits, totals.commits),
      agents: agentRows.map((a) => ({ agent: a.agent, commits: a.commits })),
      reverts: reverts.allTime,
    },
  };
}

/** part / whole rounded to 2 decimals; 0 for an empty whole. */
export function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100) / 100;
}
