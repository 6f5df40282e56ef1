import picomatch from 'picomatch';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import {
  DEPLOY_STATUSES,
  deploysFrom,
  findDeployByExternal,
  getDeploy,
  insertDeploy,
  liveBefore,
  setDeployLinks,
  type DeployRow,
  type DeployStatus,
} from '../store/deploys.js';
import { hasCommit, isIngestedCommit } from '../store/commits.js';
import { ensureRepo, servedRepoId } from '../store/repos.js';
import { withTransaction } from '../store/transaction.js';
import type { TagRef } from '../git.js';
import { ingestGit, type IngestGitResult } from './git.js';
import { mergeNewCommits, type NewCommits } from '../attribution/refresh.js';
import { gitAncestry, graphAncestry, type Ancestry } from './ancestry.js';

// The git client (simple-git) is loaded when a deploy needs it: the `ingest` commands import this module, and
// `ingest git` never records a deploy.
const git = () => import('../git.js');

/** The first deploy of an env has no previous one; we keep at most this many of its newest commits. */
export const FIRST_DEPLOY_MAX_COMMITS = 10_000;

export interface DeployInput {
  /** commit sha, tag or branch; resolved to a full sha */
  ref: string;
  env?: string;
  service?: string;
  status: DeployStatus;
  /** unix ms; default now */
  finishedAt?: number;
  startedAt?: number;
  source?: string;
  externalId?: string;
}

export interface RecordedDeploy {
  deploy: DeployRow;
  commitCount: number;
  created: boolean;
  /** set when this deploy re-deployed an earlier sha */
  rollbackTo?: DeployRow;
  rolledBack: DeployRow[];
  /** what the git ingest this deploy ran added (its sha was not stored yet): attribution must hear of it too */
  ingested?: IngestGitResult;
}

const NAME = /^[\w.\-/:@]{1,100}$/;
const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/**
 * Records one deploy (the line a CD pipeline adds after it deploys) and links it to the real git range
 * from the previous shipped deploy of the same env/service. Re-deploying an earlier sha is a rollback
 * of every deploy in between. Idempotent when `externalId` is given. `ancestry` answers the range questions (git by
 * default; a batch of tags reads the commit graph once and passes it).
 */
export async function recordDeploy(
  ctx: AppContext,
  input: DeployInput,
  ancestry: Ancestry = gitAncestry(ctx.config.repoPath),
): Promise<RecordedDeploy> {
  const env = input.env ?? ctx.config.env;
  const service = input.service ?? '';
  if (!NAME.test(env)) throw new UserInputError(`env '${env}' must be 1–100 letters, digits or . _ - / : @`, 'env');
  if (service !== '' && !NAME.test(service)) {
    throw new UserInputError(`service '${service}' must be 1–100 letters, digits or . _ - / : @`, 'service');
  }
  if (!DEPLOY_STATUSES.includes(input.status)) {
    throw new UserInputError(`status '${input.status}' must be one of ${DEPLOY_STATUSES.join(', ')}`, 'status');
  }
  const finishedAt = input.finishedAt ?? ctx.clock();
  const startedAt = input.startedAt ?? finishedAt;
  if (startedAt > finishedAt) throw new UserInputError('started-at must not be after the finish time', 'startedAt');
  const source = input.source ?? 'cli';

  if (input.externalId) {
    const existing = findDeployByExternal(ctx.store, source, input.externalId);
    if (existing) return { deploy: existing, commitCount: 0, created: false, rolledBack: [] };
  }

  const repoPath = ctx.config.repoPath;
  const { resolveCommit } = await git();
  // Release tags arrive peeled to ingested shas: no git call for those (220 tags, one call each, add up).
  const served = servedRepoId(ctx.store, repoPath);
  const sha =
    served !== undefined && FULL_SHA.test(input.ref) && isIngestedCommit(ctx.store, input.ref, served)
      ? input.ref
      : await resolveCommit(repoPath, input.ref);
  // A pipeline records the deploy right after pushing: make sure the shipped commits are ingested.
  const ingested = hasCommit(ctx.store, sha) ? undefined : await ingestGit(ctx);
  const repoId = ensureRepo(ctx.store, repoPath);

  const draft: DeployRow = {
    id: -1,
    repoId,
    env,
    service,
    sha,
    startedAt,
    finishedAt,
    status: input.status,
    source,
    externalId: input.externalId ?? null,
    prevDeployId: null,
    rollbackToDeployId: null,
    rolledBackByDeployId: null,
  };
  const plan = await planLinks(ctx, draft, ancestry);
  const id = withTransaction(ctx.store, () => {
    const newId = insertDeploy(ctx.store, draft);
    applyLinks(ctx, newId, plan);
    return newId;
  });

  // Recorded out of order (an --at in the past): later deploys of this env/service get new ranges.
  for (const later of deploysFrom(ctx.store, env, service, finishedAt)) {
    if (later.id === id || later.finishedAt === finishedAt) continue;
    const laterPlan = await planLinks(ctx, later, ancestry);
    withTransaction(ctx.store, () => applyLinks(ctx, later.id, laterPlan));
  }

  const deploy = getDeploy(ctx.store, id)!;
  return {
    deploy,
    commitCount: plan.shas.length,
    created: true,
    ...(plan.rollbackTo ? { rollbackTo: plan.rollbackTo } : {}),
    rolledBack: plan.rolledBack.map((d) => getDeploy(ctx.store, d.id)!),
    ...(ingested ? { ingested } : {}),
  };
}

/** How many earlier deploys of an env/service are considered as a deploy's predecessor or rolled-back chain. */
const MAX_PREDECESSORS = 500;

interface LinkPlan {
  prev?: DeployRow;
  rollbackTo?: DeployRow;
  rolledBack: DeployRow[];
  shas: string[];
}

/**
 * A deploy's predecessor is the latest live deploy of its env/service whose sha is an ancestor of its own (so a
 * maintenance line and main each keep their own chain), and its commits are exactly `git rev-list prev..this`.
 * When several deployed ancestors reach it independently (a merge forward), the one leaving the fewest commits wins.
 * It is a rollback only when it replaces the live deploy with an ancestor of it, or with a sha shipped earlier in
 * the live deploy's chain; the chain deploys it undoes are rolled back.
 */
async function planLinks(ctx: AppContext, deploy: DeployRow, ancestry: Ancestry): Promise<LinkPlan> {
  const earlier = liveBefore(ctx.store, deploy, MAX_PREDECESSORS);
  const reached = await ancestry.ancestorsAmong(
    deploy.sha,
    earlier.map((d) => d.sha),
  );
  const ancestor = await nearestAncestor(
    ancestry,
    deploy.sha,
    earlier.filter((d) => reached.has(d.sha)),
  );
  const prev =
    deploy.source === TAG_SOURCE
      ? await closestRelease(
          ancestry,
          deploy.sha,
          ancestor,
          earlier.filter((d) => !reached.has(d.sha)),
        )
      : ancestor;
  const rollback = rollsBack(deploy) ? await rollbackOf(ctx, ancestry, deploy, earlier[0], reached) : undefined;
  // The first deploy keeps git's newest commits (its order decides which 10,000 stay); later ranges are sets.
  const shas = prev
    ? await ancestry.between(deploy.sha, prev.sha)
    : await (await git()).revList(ctx.config.repoPath, [deploy.sha], FIRST_DEPLOY_MAX_COMMITS);
  return {
    ...(prev ? { prev } : {}),
    ...(rollback?.to ? { rollbackTo: rollback.to } : {}),
    rolledBack: rollback?.undone ?? [],
    shas,
  };
}

/**
 * A failed deploy replaced nothing. A tag marks a release and never replaces another: release lines live side by side,
 * and a tag set later on an older commit (util-linux's `v2.41-devel` at the branch point, set after `v2.40-rc2`)
 * starts a line rather than taking one back.
 */
const rollsBack = (deploy: DeployRow): boolean => deploy.status !== 'failure' && deploy.source !== TAG_SOURCE;
const TAG_SOURCE = 'tags';

/** How many of the newest earlier releases on other lines a release tag is compared with (see closestRelease). */
const OTHER_LINES = 3;

/**
 * A release tag's predecessor: its nearest deployed ancestor, unless one of the newest releases on another line
 * leaves strictly fewer commits (`git rev-list tag --not other`). Projects that tag only release branches (Open vSwitch:
 * v3.7.0 on branch-3.7, v3.6.0 on branch-3.6, no tag on main since v1.1.0pre2) have no near ancestor: each x.y.0
 * ranged back to 2010 and carried ~18,900 commits, 18,800 of them shipped before — 398k deploy rows for 32k commits,
 * and two minutes of summary refresh for 241 tags. The previous release leaves what is new in this one. Only tags:
 * a deploy from CD keeps its own line's chain, which is what a rollback returns along.
 */
async function closestRelease(
  ancestry: Ancestry,
  sha: string,
  ancestor: DeployRow | undefined,
  others: DeployRow[],
): Promise<DeployRow | undefined> {
  const rivals = others.slice(0, OTHER_LINES);
  // Nothing to compare with (a project that tags one line): the ancestor, without walking its range.
  if (rivals.length === 0) return ancestor;
  let best = ancestor;
  let fewest = ancestor ? await ancestry.countBetween(sha, ancestor.sha) : Infinity;
  for (const d of rivals) {
    const count = await ancestry.countBetween(sha, d.sha);
    if (count < fewest) [best, fewest] = [d, count];
  }
  return best;
}

/**
 * Of deployed ancestors (newest first), the one `sha` follows: the newest among those no other one reaches; when a
 * merge forward brought in several, the one on `sha`'s first-parent line (its own release line), else the one
 * leaving the fewest commits.
 */
async function nearestAncestor(
  ancestry: Ancestry,
  sha: string,
  ancestors: DeployRow[],
): Promise<DeployRow | undefined> {
  if (ancestors.length <= 1) return ancestors[0];
  let tips = await ancestry.independentOf(ancestors.map((d) => d.sha));
  if (tips.length > 1) {
    const own = await ancestry.onFirstParentLine(sha, tips);
    if (own.length > 0) tips = own;
  }
  let best: { deploy: DeployRow; count: number } | undefined;
  for (const d of ancestors) {
    if (!tips.includes(d.sha) || (best && best.deploy.sha === d.sha)) continue;
    const count = tips.length === 1 ? 0 : await ancestry.countBetween(sha, d.sha);
    if (!best || count < best.count) best = { deploy: d, count };
  }
  return best?.deploy;
}

/**
 * Whether `deploy` takes `live` back: to a sha shipped earlier in live's chain, or to an ancestor of live's sha. The
 * chain deploys after the one it returns to are undone. Two tags on one sha, or a release on another line, are not.
 */
async function rollbackOf(
  ctx: AppContext,
  ancestry: Ancestry,
  deploy: DeployRow,
  live: DeployRow | undefined,
  reached: Set<string>,
): Promise<{ to?: DeployRow; undone: DeployRow[] } | undefined> {
  if (!live || live.sha === deploy.sha || reached.has(live.sha)) return undefined;
  const chain = chainOf(ctx, live);
  let back = chain.findIndex((d) => d.sha === deploy.sha);
  if (back < 0) {
    if (!(await ancestry.ancestorsAmong(live.sha, [deploy.sha])).has(deploy.sha)) return undefined;
    back = chain.findIndex((d) => reached.has(d.sha));
  }
  const undone = (back < 0 ? chain : chain.slice(0, back)).filter((d) => d.status !== 'failure');
  return { ...(back >= 0 ? { to: chain[back]! } : {}), undone };
}

/** `live` and the deploys before it by predecessor links, newest first. */
function chainOf(ctx: AppContext, live: DeployRow): DeployRow[] {
  const chain = [live];
  const seen = new Set([live.id]);
  for (let d = live; d.prevDeployId !== null && chain.length < MAX_PREDECESSORS;) {
    const next = getDeploy(ctx.store, d.prevDeployId);
    if (!next || seen.has(next.id)) break;
    chain.push(next);
    seen.add(next.id);
    d = next;
  }
  return chain;
}

function applyLinks(ctx: AppContext, deployId: number, plan: LinkPlan): void {
  setDeployLinks(ctx.store, deployId, {
    prevId: plan.prev?.id ?? null,
    rollbackToId: plan.rollbackTo?.id ?? null,
    rolledBackIds: plan.rolledBack.map((d) => d.id),
    shas: plan.shas,
  });
}

/** Past this many tags, their shas no longer fit one command line comfortably: ask git question by question. */
const GRAPH_MAX_TAGS = 5_000;

export interface TagDeployOptions {
  glob: string;
  env?: string;
  service?: string;
}

/**
 * Each tag matching `glob` becomes a release deploy at the tag's date (annotated: tagger date). Tags naming a sha an
 * earlier matching tag names are aliases of that release, not deploys of their own (nor rollbacks to it).
 */
export async function ingestDeploysFromTags(
  ctx: AppContext,
  options: TagDeployOptions,
): Promise<{
  added: number;
  skipped: number;
  matched: number;
  aliases: number;
  recorded: DeployRow[];
  newCommits?: NewCommits;
}> {
  const env = options.env ?? ctx.config.env;
  const service = options.service ?? '';
  const isMatch = picomatch(options.glob);
  const { commitTags } = await git();
  const matching = (await commitTags(ctx.config.repoPath)).filter((t) => isMatch(t.name));
  if (matching.length === 0) {
    throw new UserInputError(
      `no tag matches '${options.glob}'; list tags with 'git tag' and pass --from-tags 'v*'`,
      'glob',
    );
  }
  const ancestry =
    matching.length <= GRAPH_MAX_TAGS
      ? await graphAncestry(
          ctx.config.repoPath,
          matching.map((t) => t.sha),
        )
      : gitAncestry(ctx.config.repoPath);
  const tags = await inHistoryOrder(ancestry, matching);
  const releases = new Map<string, TagRef>();
  for (const tag of tags) if (!releases.has(tag.sha)) releases.set(tag.sha, tag);
  let added = 0;
  let skipped = 0;
  /** the deploys created, and those they rolled back */
  const recorded: DeployRow[] = [];
  let newCommits: NewCommits | undefined;
  for (const tag of releases.values()) {
    const externalId = service ? `${tag.name}@${env}/${service}` : `${tag.name}@${env}`;
    const res = await recordDeploy(
      ctx,
      { ref: tag.sha, env, service, status: 'success', finishedAt: tag.at, source: TAG_SOURCE, externalId },
      ancestry,
    );
    if (res.ingested && res.ingested.added > 0) newCommits = mergeNewCommits(newCommits, res.ingested);
    if (res.created) {
      added++;
      recorded.push(res.deploy, ...res.rolledBack);
    } else skipped++;
  }
  return {
    added,
    skipped,
    matched: tags.length,
    aliases: tags.length - releases.size,
    recorded,
    ...(newCommits ? { newCommits } : {}),
  };
}

/**
 * Tags by date; tags set in the same second (a release candidate and the next line's start tag) ancestors first, so
 * each one's predecessor is the one git says came before it rather than the one whose name sorts first.
 */
async function inHistoryOrder(ancestry: Ancestry, tags: TagRef[]): Promise<TagRef[]> {
  const byTime = new Map<number, TagRef[]>();
  for (const t of tags) byTime.set(t.at, [...(byTime.get(t.at) ?? []), t]);
  const depth = new Map<TagRef, number>();
  for (const same of byTime.values()) {
    if (same.length < 2) continue;
    for (const t of same) {
      depth.set(
        t,
        (
          await ancestry.ancestorsAmong(
            t.sha,
            same.filter((o) => o.sha !== t.sha).map((o) => o.sha),
          )
        ).size,
      );
    }
  }
  return tags.sort((a, b) => a.at - b.at || (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.name.localeCompare(b.name));
}
