import type { AppContext } from '../context.js';
import { resolveSha } from '../store/commits.js';
import { getCommit } from '../store/commits.js';
import { getDeploy } from '../store/deploys.js';
import type { IncidentRow } from '../store/incidents.js';
import type { CauseLink } from '../store/notifications.js';
import { latestShippedDeployId } from '../store/deploy-shipments.js';

/** Why one commit is tied to one incident, from the stored evidence only: what a comment or a test spec says. */
export interface CauseEvidence {
  incident: IncidentRow;
  sha: string;
  subject: string;
  author: string;
  agent: string | null;
  score: number;
  status: CauseLink['status'];
  method: string;
  reasons: string[];
  /** `path:line  code` samples of the lines the fix changed that this commit wrote */
  blamed: string[];
  deploy: { id: number; env: string; service: string; finishedAt: number; label: string } | null;
  fix: { sha: string; subject: string } | null;
}

interface StoredEvidence {
  reasons?: string[];
  blamed?: string[];
}

export function causeEvidence(ctx: AppContext, incident: IncidentRow, link: CauseLink): CauseEvidence {
  const db = ctx.store;
  const commit = getCommit(db, link.sha);
  let ev: StoredEvidence = {};
  try {
    ev = JSON.parse(link.evidence) as StoredEvidence;
  } catch {
    // evidence is written by attribution as JSON; an unreadable row still names the commit and score
  }
  const deployId = latestShippedDeployId(db, link.sha, incident.env, incident.startedAt);
  const d = deployId !== undefined ? getDeploy(db, deployId) : undefined;
  return {
    incident,
    sha: link.sha,
    subject: commit?.subject ?? '(commit not ingested)',
    author: commit ? commit.author_name : 'unknown',
    agent: commit?.agent ?? null,
    score: link.score,
    status: link.status,
    method: link.method,
    reasons: (ev.reasons ?? []).slice(0, 6),
    blamed: (ev.blamed ?? []).slice(0, 8),
    deploy: d
      ? {
          id: d.id,
          env: d.env,
          service: d.service,
          finishedAt: d.finishedAt,
          label: d.externalId ?? `#${d.id}`,
        }
      : null,
    fix: fixOf(ctx, incident),
  };
}

/** The incident's recorded fix, when it is an ingested commit. */
export function fixOf(ctx: AppContext, incident: IncidentRow): { sha: string; subject: string } | null {
  if (!incident.fixSha) return null;
  let sha: string | undefined;
  try {
    sha = resolveSha(ctx.store, incident.fixSha);
  } catch {
    sha = undefined; // an ambiguous prefix: no fix to name
  }
  const c = sha ? getCommit(ctx.store, sha) : undefined;
  return c ? { sha: c.sha, subject: c.subject } : null;
}
