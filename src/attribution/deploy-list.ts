import type { AppContext } from '../context.js';
import { checkDeployTarget, missingSetup } from '../setup-hints.js';
import { deployRef, listDeploys, type DeployListRow } from '../store/deploys.js';

export interface DeployListEntry {
  id: number;
  env: string;
  service: string;
  sha: string;
  /** the tag or pipeline run id it was recorded under, when there is one */
  ref: string | null;
  source: string;
  finishedAt: string;
  status: string;
  /** the deploy it ranges from: its commits are `git rev-list prev.sha..sha` */
  prev: { id: number; sha: string; ref: string | null } | null;
  commits: number;
  /** of those, changes an earlier shipped deploy of the same env/service already carried (merged forward, re-shipped, cherry-picked) */
  shippedBefore: number;
  rollbackTo: number | null;
  rolledBackBy: number | null;
}

export interface DeployList {
  deploys: DeployListEntry[];
  /** why the list is empty, and the command that fills it */
  empty?: string;
}

/**
 * Every recorded deploy with its predecessor and commit count, oldest first, so ranges can be checked against git.
 * A filter naming no env or service that has deploys is an error that lists the known ones.
 */
export function deployList(ctx: AppContext, filter: { env?: string; service?: string }): DeployList {
  const missing = missingSetup(ctx, ['deploys']);
  if (missing.length > 0) return { deploys: [], empty: missing.join('; ') };
  checkDeployTarget(ctx.store, filter);
  const deploys = listDeploys(ctx.store, filter).map(entry);
  return deploys.length > 0
    ? { deploys }
    : { deploys, empty: `no deploys of service '${filter.service}' in env '${filter.env}'` };
}

function entry(d: DeployListRow): DeployListEntry {
  return {
    id: d.id,
    env: d.env,
    service: d.service,
    sha: d.sha,
    ref: deployRef(d.source, d.externalId),
    source: d.source,
    finishedAt: new Date(d.finishedAt).toISOString(),
    status: d.status,
    prev:
      d.prevDeployId === null
        ? null
        : { id: d.prevDeployId, sha: d.prevSha!, ref: deployRef(d.prevSource!, d.prevExternalId) },
    commits: d.commits,
    shippedBefore: d.shippedBefore,
    rollbackTo: d.rollbackToDeployId,
    rolledBackBy: d.rolledBackByDeployId,
  };
}
