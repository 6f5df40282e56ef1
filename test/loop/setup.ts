import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../src/context.js';
import { logInterrupt, type NewEntry } from '../../src/triage/interrupts.js';
import { testContext } from '../helpers/context.js';
import { gitdir, type GitDir } from '../helpers/gitdir.js';

export const NOW = Date.parse('2026-03-08T12:00:00Z');
export const at = (iso: string) => Date.parse(iso);

/** git in any directory (the bare remote included), for assertions. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
}

/** A work tree with history on main, a bare repository on disk as its `origin`, and a context at NOW. */
export function repoWithRemote(): { work: GitDir; bare: string; ctx: AppContext & { logs: string[] } } {
  const work = gitdir();
  work.commit({
    files: {
      'README.md': '# shop\n',
      'AGENTS.md': '# Agents\n\nRun `npm test` before you push.\n',
      'docs/adr/0001-record-architecture-decisions.md':
        '---\nstatus: accepted\ndate: 2026-01-01\n---\n\n# Record architecture decisions\n\nWe write ADRs.\n',
      'src/payments/gateway.ts': 'export const charge = () => 1;\n',
    },
    message: 'init',
  });
  const bare = work.bareClone();
  work.git('remote', 'add', 'origin', bare);
  work.git('fetch', '-q', 'origin');
  return { work, bare, ctx: testContext(work.path, { now: NOW }) };
}

function log(ctx: AppContext, e: Partial<NewEntry> & { summary: string; createdAt: number }): number {
  return logInterrupt(ctx, { kind: 'interrupt', source: 'agent', agent: 'claude', ...e }).id;
}

const IDEMPOTENCY = { category: 'missing_context', paths: ['src/payments/gateway.ts'] } as const;

/**
 * Logged through the real triage functions: a missing-context cluster (4 entries, one a correction) that
 * recurs most, and a policy-gap cluster (2 corrections) behind it.
 */
export function logRecurring(ctx: AppContext) {
  const idempotency = [
    log(ctx, {
      ...IDEMPOTENCY,
      summary: 'Does the gateway retry need the same idempotency key on every attempt?',
      createdAt: at('2026-03-03T10:00:00Z'),
    }),
    log(ctx, {
      ...IDEMPOTENCY,
      kind: 'correction',
      summary: 'Should a retried gateway charge reuse its idempotency key?',
      createdAt: at('2026-03-04T10:00:00Z'),
    }),
    log(ctx, {
      ...IDEMPOTENCY,
      summary: 'Which idempotency key does a gateway charge retry send?',
      createdAt: at('2026-03-05T10:00:00Z'),
    }),
  ];
  const migrations = [
    log(ctx, {
      kind: 'correction',
      category: 'policy_gap',
      paths: ['migrations/0007_orders.sql'],
      summary: 'Agent ran a production migration without approval',
      createdAt: at('2026-03-06T11:00:00Z'),
    }),
    log(ctx, {
      kind: 'correction',
      category: 'policy_gap',
      paths: ['migrations/0008_refunds.sql'],
      summary: 'Agent applied a production migration without approval again',
      createdAt: at('2026-03-07T11:00:00Z'),
    }),
  ];
  return { idempotency, migrations, clusterOf: (id: number) => clusterOf(ctx, id) };
}

/** One more idempotency question (a later run sees fresh evidence). */
export function logAnotherIdempotencyQuestion(ctx: AppContext, iso: string): number {
  return log(ctx, {
    ...IDEMPOTENCY,
    summary: 'Gateway retries: reuse the idempotency key or make a new one?',
    createdAt: at(iso),
  });
}

export function clusterOf(ctx: AppContext, interruptId: number): number {
  return (ctx.store.prepare('SELECT cluster_id AS c FROM interrupts WHERE id = ?').get(interruptId) as { c: number }).c;
}

export function fixRows(ctx: AppContext) {
  return ctx.store
    .prepare(
      'SELECT id, type, title, path, status, cluster_id, pr_number, pr_url, branch, merged_at, evidence FROM fixes ORDER BY id',
    )
    .all() as {
    id: number;
    type: string;
    title: string;
    path: string;
    status: string;
    cluster_id: number;
    pr_number: number | null;
    pr_url: string | null;
    branch: string | null;
    merged_at: number | null;
    evidence: string;
  }[];
}

/** What must never change in the user's clone: HEAD, branches, the working tree's state (dirty on purpose). */
export function userState(work: GitDir) {
  return {
    head: work.git('rev-parse', 'HEAD'),
    symbolic: work.git('symbolic-ref', 'HEAD'),
    branches: work.git('for-each-ref', '--format=%(refname)', 'refs/heads'),
    status: work.git('status', '--porcelain=v1', '--untracked-files=all'),
    agents: git(work.path, 'show', ':AGENTS.md'),
    worktrees: work.git('worktree', 'list', '--porcelain'),
  };
}

/** Uncommitted local edits the loop must leave alone. */
export function dirty(work: GitDir): void {
  writeFileSync(join(work.path, 'AGENTS.md'), '# Agents\n\nlocal edit, not committed\n');
  writeFileSync(join(work.path, 'scratch.txt'), 'untracked\n');
}
