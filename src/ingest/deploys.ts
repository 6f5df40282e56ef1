import picomatch from 'picomatch';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import {
  DEPLOY_STATUSES,
  deploysFrom,
  earlierShippedOfSha,
  findDeployByExternal,
  getDeploy,
  previousShipped,
  type DeployRow,
  type DeployStatus,
} from '../store/deploys.js';
import { ensureRepo } from '../store/repos.js';
import { ingestGit } from './git.js';

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
}

const NAME = /^[\w.\-/:@]{1,100}$/;

/**
 * Records one deploy (the line a CD pipeline adds after it deploys) and links it to the real git range
 * from the previous shipped deploy of the same env/service. Re-deploying an earlier sha is a rollback
 * of every deploy in between. Idempotent when `externalId` is given.
 */
export async function recordDeploy(ctx: AppContext, input: DeployInput): Promise<RecordedDeploy> {
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
  const sha = await resolveCommit(repoPath, input.ref);
  // A pipeline records the deploy right after pushing: make sure the shipped commits are ingested.
  if (!ctx.store.prepare('SELECT 1 FROM commits WHERE sha = ?').get(sha)) await ingestGit(ctx);
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
  const plan = await planLinks(ctx, draft);
  const id = ctx.store.transaction(() => {
    const newId = Number(
      ctx.store
        .prepare(
          `INSERT INTO deploys (repo_id, env, service, sha, started_at, finished_at, status, source, external_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(repoId, env, service, sha, startedAt, finishedAt, input.status, source, input.externalId ?? null)
        .lastInsertRowid,
    );
    applyLinks(ctx, newId, plan);
    return newId;
  })();

  // Recorded out of order (an --at in the past): later deploys of this env/service get new ranges.
  for (const later of deploysFrom(ctx.store, env, service, finishedAt)) {
    if (later.id === id || later.finishedAt === finishedAt) continue;
    const laterPlan = await planLinks(ctx, later);
    ctx.store.transaction(() => applyLinks(ctx, later.id, laterPlan))();
  }

  const deploy = getDeploy(ctx.store, id)!;
  return {
    deploy,
    commitCount: plan.shas.length,
    created: true,
    ...(plan.rollbackTo ? { rollbackTo: plan.rollbackTo } : {}),
    rolledBack: plan.rolledBack.map((d) => getDeploy(ctx.store, d.id)!),
  };
}

interface LinkPlan {
  prev?: DeployRow;
  rollbackTo?: DeployRow;
  rolledBack: DeployRow[];
  shas: string[];
}

async function planLinks(ctx: AppContext, deploy: DeployRow): Promise<LinkPlan> {
  const prev = previousShipped(ctx.store, deploy);
  const earlier = earlierShippedOfSha(ctx.store, deploy);
  const isRollback =
    deploy.status !== 'failure' && earlier !== undefined && prev !== undefined && prev.sha !== deploy.sha;
  const rolledBack = isRollback
    ? deploysFrom(ctx.store, deploy.env, deploy.service, earlier.finishedAt).filter(
        (d) =>
          d.id !== earlier.id &&
          d.id !== deploy.id &&
          d.status !== 'failure' &&
          d.sha !== deploy.sha &&
          (d.finishedAt < deploy.finishedAt || (d.finishedAt === deploy.finishedAt && d.id < deploy.id)),
      )
    : [];
  const range = prev ? [deploy.sha, `^${prev.sha}`] : [deploy.sha];
  const { revList } = await git();
  const shas = await revList(
    ctx.config.repoPath,
    ['--no-merges', ...range],
    prev ? 1_000_000 : FIRST_DEPLOY_MAX_COMMITS,
  );
  return { ...(prev ? { prev } : {}), ...(isRollback ? { rollbackTo: earlier } : {}), rolledBack, shas };
}

function applyLinks(ctx: AppContext, deployId: number, plan: LinkPlan): void {
  const db = ctx.store;
  db.prepare('UPDATE deploys SET prev_deploy_id = ?, rollback_to_deploy_id = ? WHERE id = ?').run(
    plan.prev?.id ?? null,
    plan.rollbackTo?.id ?? null,
    deployId,
  );
  const markRolledBack = db.prepare(
    "UPDATE deploys SET status = 'rolled_back', rolled_back_by_deploy_id = ? WHERE id = ?",
  );
  for (const d of plan.rolledBack) markRolledBack.run(deployId, d.id);
  db.prepare('DELETE FROM deploy_commits WHERE deploy_id = ?').run(deployId);
  const insert = db.prepare('INSERT OR IGNORE INTO deploy_commits (deploy_id, sha) VALUES (?, ?)');
  for (const sha of plan.shas) insert.run(deployId, sha);
}

export interface TagDeployOptions {
  glob: string;
  env?: string;
  service?: string;
}

/** Each tag matching `glob` becomes a release deploy at the tag's date (annotated: tagger date). */
export async function ingestDeploysFromTags(
  ctx: AppContext,
  options: TagDeployOptions,
): Promise<{ added: number; skipped: number; matched: number; recorded: DeployRow[] }> {
  const env = options.env ?? ctx.config.env;
  const service = options.service ?? '';
  const isMatch = picomatch(options.glob);
  const { gitFor } = await git();
  const out = await gitFor(ctx.config.repoPath).raw([
    'for-each-ref',
    '--format=%(refname:short)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)',
    'refs/tags',
  ]);
  const tags = out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', obj = '', peeled = '', date = '0'] = line.split('\0');
      return { name, sha: peeled || obj, at: Number(date) * 1000 };
    })
    .filter((t) => isMatch(t.name))
    .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
  if (tags.length === 0) {
    throw new UserInputError(
      `no tag matches '${options.glob}'; list tags with 'git tag' and pass --from-tags 'v*'`,
      'glob',
    );
  }
  let added = 0;
  let skipped = 0;
  /** the deploys created, and those they rolled back */
  const recorded: DeployRow[] = [];
  for (const tag of tags) {
    const externalId = service ? `${tag.name}@${env}/${service}` : `${tag.name}@${env}`;
    const res = await recordDeploy(ctx, {
      ref: tag.sha,
      env,
      service,
      status: 'success',
      finishedAt: tag.at,
      source: 'tags',
      externalId,
    });
    if (res.created) {
      added++;
      recorded.push(res.deploy, ...res.rolledBack);
    } else skipped++;
  }
  return { added, skipped, matched: tags.length, recorded };
}
