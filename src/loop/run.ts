import { posix } from 'node:path';
import type { AppContext } from '../context.js';
import type { FixType } from '../decisions/draft.js';
import { UserInputError } from '../errors.js';
import type { EvidenceCluster } from '../store/fixes.js';
import { findCoverage } from '../triage/coverage.js';
import { DEFAULT_BASE_URL, parseRepoSlug, type GithubClient } from '../github/client.js';
import { upsertDraftPull, type RepoRef } from '../github/pulls.js';
import {
  BaseCheckout,
  fetchBase,
  localBase,
  pushLoopBranch,
  remoteBranchHead,
  remoteDefaultBranch,
  remoteUrl,
  sameChange,
} from './checkout.js';
import { saveOpenedFix, type LoopFix } from '../store/loop-fixes.js';
import { getPullState } from './github.js';
import { LOOP_BRANCH_PREFIX, markFixMerged, markFixRejected, reconcileFromIngest } from './merged.js';
import { candidateClusters, planFix, type PlannedFix, type Selection } from './plan.js';
import { renderPrBody } from './pr-body.js';
import { assertBranchName, githubRepoOfRemote } from './remote.js';
import { writeFixFiles } from './write-fix.js';

const DAY = 86_400_000;

export interface LoopOptions {
  /** unix ms; default the context's clock */
  now?: number;
  /** the window a cluster must recur in (default 7 days) */
  windowDays?: number;
  /** entries in the window that make a cluster recur (default 2) */
  minEntries?: number;
  /** clusters handled per run (default 1, so the effect of each fix can be seen) */
  maxFixes?: number;
  /** print the plan and the files: no commit, push, HTTP request or database write */
  dryRun?: boolean;
  /** default origin */
  remote?: string;
  /** the branch PRs target; default the remote's default branch as last fetched, else main */
  base?: string;
  /** owner/name; default read from the remote's URL */
  repoSlug?: string;
  /** API root (GitHub Enterprise Server); default https://api.github.com */
  baseUrl?: string;
  /** Builds the GitHub client for a real run, once the remote and the repository are known to be right. */
  connect?: () => Promise<GithubClient>;
}

/**
 * `skipped`: no change to propose (the draft was refused or the base already has it), the next cluster is
 * tried; `left_alone`: someone else pushed to the branch, so the run neither rewrites it nor updates the PR.
 */
export type LoopAction = 'opened' | 'updated' | 'would_open' | 'would_update' | 'skipped' | 'left_alone';

/** What a run did (or, in a dry run, would do) for one cluster. */
export interface LoopItem {
  cluster: { id: number; label: string; category: string; module: string; count: number };
  type: FixType;
  action: LoopAction;
  branch: string;
  /** the commit subject, also the PR's title */
  title: string;
  commitBody: string;
  /** the PR body ('' when skipped) */
  body: string;
  files: { path: string; action: string; content: string }[];
  /** the branch's commit; null in a dry run or when skipped */
  commit: string | null;
  /** false when the branch already held exactly this change */
  pushed: boolean;
  pr: { number: number; url: string } | null;
  fixId: number | null;
  note: string | null;
}

export interface LoopResult {
  dryRun: boolean;
  /** owner/name, or null in a dry run that could not tell */
  repo: string | null;
  remote: string;
  base: string;
  baseSha: string;
  window: { since: string; until: string; days: number; minEntries: number };
  maxFixes: number;
  /** loop fixes found merged or closed since the last run */
  settled: { fixId: number; status: 'merged' | 'rejected'; prNumber: number }[];
  items: LoopItem[];
  notes: string[];
}

interface Target {
  url: string | undefined;
  where: (RepoRef & { slug: string }) | undefined;
}

/**
 * `hindsight loop`: for the most recurring clusters without a merged structural fix, drafts the fix of the
 * right type with its evidence, commits it on `hindsight/<fix>` (from the base branch, in a temporary
 * checkout: the user's working tree and branches are never touched), pushes with a lease, and opens a draft
 * PR — or updates the open one a previous run made. Records the fix as `open_pr` once the PR exists.
 */
export async function runLoop(ctx: AppContext, o: LoopOptions = {}): Promise<LoopResult> {
  const s: Selection = {
    now: o.now ?? ctx.clock(),
    windowDays: whole(o.windowDays ?? 7, 'window_days', 365),
    minEntries: whole(o.minEntries ?? 2, 'min_entries', 1000),
  };
  const maxFixes = whole(o.maxFixes ?? 1, 'max_fixes', 50);
  const dryRun = o.dryRun === true;
  const remote = o.remote ?? 'origin';
  assertBranchName(remote, 'remote');
  const repoPath = ctx.config.repoPath;
  const notes: string[] = [];

  const target = await findTarget(repoPath, remote, o, dryRun, notes);
  const client = dryRun ? undefined : await connect(o);
  const base = o.base ?? (await remoteDefaultBranch(repoPath, remote)) ?? 'main';
  assertBranchName(base, 'base');
  if (base.startsWith(LOOP_BRANCH_PREFIX)) {
    throw new UserInputError(`--base ${base} is one of the loop's own branches; pass the default branch`, 'base');
  }
  const baseSha = dryRun
    ? await localBase(repoPath, target.url ? remote : undefined, base)
    : await fetchBase(repoPath, remote, base);
  const settled = dryRun ? [] : reconcileFromIngest(ctx, target.where!.slug);

  const github = client && target.where ? { client, where: repoRef(target.where) } : undefined;
  const items: LoopItem[] = [];
  let handled = 0;
  for (const c of candidateClusters(ctx, s, maxFixes + 10)) {
    if (handled >= maxFixes) break;
    if (github && c.existing) {
      const closed = await settleIfClosed(ctx, github, c.existing, s.now);
      if (closed === 'settled') continue;
      if (closed) {
        settled.push(closed);
        continue;
      }
    }
    const w = { repoPath, remote, base, baseSha, dryRun, ...(github ? { github } : {}) };
    const item = await handleCluster(ctx, s, planFix(ctx, s, c), w);
    items.push(item);
    if (item.action !== 'skipped') handled++;
  }
  if (items.length === 0) {
    notes.push(
      `no cluster recurs (≥ ${s.minEntries} entries in ${s.windowDays} days) without a merged structural fix; nothing to do`,
    );
  }
  return {
    dryRun,
    repo: target.where?.slug ?? null,
    remote,
    base,
    baseSha,
    window: {
      since: new Date(s.now - s.windowDays * DAY).toISOString(),
      until: new Date(s.now).toISOString(),
      days: s.windowDays,
      minEntries: s.minEntries,
    },
    maxFixes,
    settled,
    items,
    notes,
  };
}

function repoRef(where: RepoRef): RepoRef {
  return { owner: where.owner, repo: where.repo };
}

/**
 * Asks GitHub whether the loop's PR was merged or closed since the database last heard (no webhook, no ingest):
 * if so the fix is settled now and the cluster skipped. `settled` when it already was; undefined when open.
 */
async function settleIfClosed(
  ctx: AppContext,
  github: { client: GithubClient; where: RepoRef },
  fix: LoopFix,
  now: number,
): Promise<LoopResult['settled'][number] | 'settled' | undefined> {
  if (fix.prNumber === null) return undefined;
  const pr = await getPullState(github.client, github.where, fix.prNumber);
  if (pr.state !== 'closed') return undefined;
  const ref = { branch: fix.branch, prNumber: pr.number };
  const res = pr.merged
    ? markFixMerged(ctx, { ...ref, mergedAt: pr.mergedAt ?? now })
    : markFixRejected(ctx, { ...ref, closedAt: pr.closedAt ?? now });
  if (!res?.changed) return 'settled';
  return { fixId: res.fixId, status: pr.merged ? 'merged' : 'rejected', prNumber: pr.number };
}

/** A document on the base branch that already answers the cluster's terms (agents may just not read it). */
function answeredOnBase(ctx: AppContext, root: string, c: EvidenceCluster): { ref: string; path: string } | undefined {
  const at: AppContext = { ...ctx, config: { ...ctx.config, repoPath: root } };
  const entry = { summary: c.terms.join(' '), detail: null, paths: c.paths, module: c.module, clusterId: null };
  const doc = findCoverage(at, entry, 1)[0];
  return doc ? { ref: doc.ref, path: doc.path } : undefined;
}

function whole(n: number, field: string, max: number): number {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UserInputError(`${field} '${n}' must be a whole number from 1 to ${max}`, field);
  }
  return n;
}

/** The remote and the GitHub repository. A dry run notes what a real run would refuse and carries on. */
async function findTarget(
  repoPath: string,
  remote: string,
  o: LoopOptions,
  dryRun: boolean,
  notes: string[],
): Promise<Target> {
  let url: string | undefined;
  try {
    url = await remoteUrl(repoPath, remote);
  } catch (err) {
    if (!dryRun || !(err instanceof UserInputError) || err.field !== 'remote') throw err;
    notes.push(`a real run would stop here: ${err.message}`);
  }
  try {
    if (o.repoSlug !== undefined) {
      try {
        return { url, where: parseRepoSlug(o.repoSlug) };
      } catch (err) {
        throw new UserInputError(`--repo-slug: ${(err as Error).message}`, 'repo_slug', { cause: err });
      }
    }
    return { url, where: url ? githubRepoOfRemote(remote, url, o.baseUrl ?? DEFAULT_BASE_URL) : undefined };
  } catch (err) {
    if (!dryRun || err instanceof UserInputError) throw err;
    notes.push(`a real run would stop here: ${(err as Error).message}`);
    return { url, where: undefined };
  }
}

async function connect(o: LoopOptions): Promise<GithubClient> {
  if (!o.connect) throw new Error('runLoop: a real run needs `connect` (the GitHub client)');
  return o.connect();
}

interface Where {
  repoPath: string;
  remote: string;
  base: string;
  baseSha: string;
  dryRun: boolean;
  github?: { client: GithubClient; where: RepoRef };
}

async function handleCluster(ctx: AppContext, s: Selection, p: PlannedFix, w: Where): Promise<LoopItem> {
  const c = p.cluster;
  const item: LoopItem = {
    cluster: { id: c.id, label: c.label, category: c.category, module: c.module, count: c.count },
    type: p.draft.type,
    action: 'skipped',
    branch: p.branch,
    title: p.commit.subject,
    commitBody: p.commit.body,
    body: '',
    files: [],
    commit: null,
    pushed: false,
    pr:
      p.existing?.prNumber != null && p.existing.prUrl ? { number: p.existing.prNumber, url: p.existing.prUrl } : null,
    fixId: p.existing?.id ?? null,
    note: null,
  };
  const skip = (note: string): LoopItem => {
    ctx.log(`hindsight loop: cluster #${c.id} "${c.label}" skipped: ${note}`);
    return { ...item, note };
  };
  const links = {
    clusterId: c.id,
    interruptIds: p.entries.map((e) => e.id),
    incidentIds: p.incidents.map((i) => i.id),
  };
  const co = await BaseCheckout.create(w.repoPath, w.baseSha);
  try {
    let written;
    try {
      written = writeFixFiles(ctx, co.dir, p.draft, links, { now: s.now, dryRun: w.dryRun });
    } catch (err) {
      if (err instanceof UserInputError) return skip(`no fix could be drafted: ${err.message}`);
      throw err;
    }
    if (written.action === 'unchanged') return skip(`${written.path} on ${w.base} already has this ${p.draft.type}`);
    item.files = [{ path: written.path, action: written.action, content: written.content }];
    item.body = renderPrBody(ctx, s, p, item.files, answeredOnBase(ctx, co.dir, c));
    if (w.dryRun || !w.github) return { ...item, action: p.existing ? 'would_update' : 'would_open' };

    const tree = await co.stage([written.path]);
    if (!tree) return skip(`the drafted ${p.draft.type} changes nothing on ${w.base}`);
    const head = await remoteBranchHead(w.repoPath, w.remote, p.branch);
    if (head && p.existing?.commit && head !== p.existing.commit) {
      const note = `${p.branch} has commits the loop did not make (someone is finishing the fix): not rewritten, PR not updated`;
      ctx.log(`hindsight loop: cluster #${c.id}: ${note}`);
      return { ...item, action: 'left_alone', note };
    }
    let sha: string;
    if (head && (await sameChange(w.repoPath, w.remote, { name: p.branch, head }, tree, w.baseSha))) {
      sha = head;
    } else {
      sha = await co.commit(tree, p.commit);
      await pushLoopBranch(w.repoPath, w.remote, p.branch, sha, head);
      item.pushed = true;
    }
    const { pull, created } = await upsertDraftPull(w.github.client, w.github.where, {
      head: p.branch,
      base: w.base,
      title: p.commit.subject,
      body: item.body,
    });
    const fixId = saveOpenedFix(
      ctx.store,
      {
        type: p.draft.type,
        // A skill may have taken another name (one of that name exists on the base).
        title: p.draft.type === 'skill' ? posix.basename(posix.dirname(written.path)) : p.title,
        path: written.path,
        clusterId: c.id,
        interruptIds: links.interruptIds,
        evidence: {
          interruptIds: links.interruptIds,
          clusterIds: [c.id],
          incidentIds: p.incidents.map((i) => i.externalId),
          entries: c.count,
          windowDays: s.windowDays,
          paths: [...new Set(p.entries.flatMap((e) => e.paths))].slice(0, 20),
          commit: sha,
        },
        branch: p.branch,
        prNumber: pull.number,
        prUrl: pull.url,
        at: s.now,
      },
      p.existing?.id,
    );
    return {
      ...item,
      action: created ? 'opened' : 'updated',
      commit: sha,
      pr: { number: pull.number, url: pull.url },
      fixId,
    };
  } finally {
    co.dispose();
  }
}
