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
  // One pass over the module's commits; a revert names the reverted sha, so commits_reverts answers
  // "was this reverted (and when)" per commit.
  const t = db
    .prepare(
      `WITH touched AS (SELECT DISTINCT sha FROM commit_files WHERE module = @module),
       rows AS (
         SELECT lower(c.author_email) AS email, c.agent AS agent,
                c.author_kind IN ('agent', 'pair') AS byAgent,
                c.committed_at >= @since AS recent,
                c.is_merge = 0 AND c.committed_at <= @now AS counted,
                (SELECT MIN(r.committed_at) FROM commits r
                 WHERE r.reverts_sha = c.sha AND r.committed_at <= @now) AS revertedAt
         FROM touched t JOIN commits c ON c.sha = t.sha
       )
       SELECT
         COALESCE(SUM(counted), 0) AS commits,
         COUNT(DISTINCT CASE WHEN counted THEN email END) AS authors,
         COALESCE(SUM(counted AND byAgent), 0) AS agentCommits,
         COALESCE(SUM(counted AND recent), 0) AS rCommits,
         COUNT(DISTINCT CASE WHEN counted AND recent THEN email END) AS rAuthors,
         COALESCE(SUM(counted AND recent AND byAgent), 0) AS rAgentCommits,
         COUNT(revertedAt) AS reverts,
         COALESCE(SUM(revertedAt >= @since), 0) AS rReverts,
         json_group_array(CASE WHEN counted AND byAgent THEN json_array(COALESCE(agent, 'unnamed agent'), recent) END)
           AS agents
       FROM rows`,
    )
    .get({ module, since, now }) as Record<
    'commits' | 'authors' | 'agentCommits' | 'rCommits' | 'rAuthors' | 'rAgentCommits' | 'reverts' | 'rReverts',
    number
  > & { agents: string };

  const all = new Map<string, number>();
  const recent = new Map<string, number>();
  for (const entry of JSON.parse(t.agents) as ([string, number] | null)[]) {
    if (!entry) continue;
    all.set(entry[0], (all.get(entry[0]) ?? 0) + 1);
    if (entry[1]) recent.set(entry[0], (recent.get(entry[0]) ?? 0) + 1);
  }
  return {
    module,
    windowDays,
    recent: {
      commits: t.rCommits,
      authors: t.rAuthors,
      agentCommits: t.rAgentCommits,
      agentShare: share(t.rAgentCommits, t.rCommits),
      agents: ranked(recent),
      reverts: t.rReverts,
    },
    allTime: {
      commits: t.commits,
      authors: t.authors,
      agentCommits: t.agentCommits,
      agentShare: share(t.agentCommits, t.commits),
      agents: ranked(all),
      reverts: t.reverts,
    },
  };
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
