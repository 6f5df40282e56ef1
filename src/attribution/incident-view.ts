import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { editDistance } from '../history/resolve-module.js';
import { commitAuthor, commitModules } from '../store/commit-facts.js';
import { countShippedDeploysBefore, latestShippedDeployId } from '../store/deploy-shipments.js';
import { getDeploy } from '../store/deploys.js';
import {
  incidentCardById,
  incidentCardsByExternalId,
  incidentCardsByTitle,
  incidentNamedPaths,
  recentIncidentIds,
  type IncidentCard,
} from '../store/incident-lookup.js';
import { incidentLinks } from '../store/links.js';
import { iso } from './impact.js';
import { SETUP_FIX } from '../setup-hints.js';

export interface SuspectCommit {
  sha: string;
  subject: string;
  author: string;
  authorKind: string;
  agent: string | null;
  authoredAt: string;
  modules: string[];
  deployId: number | null;
  score: number;
  status: string;
  method: string;
  reasons: string[];
  blamed?: string[];
}

export interface SuspectDeploy {
  id: number;
  env: string;
  service: string;
  sha: string;
  finishedAt: string;
  deployStatus: string;
  score: number;
  status: string;
  method: string;
  reasons: string[];
}

export interface IncidentSuspects {
  incident: {
    id: string;
    title: string;
    severity: string | null;
    status: string;
    startedAt: string;
    resolvedAt: string | null;
    env: string;
    service: string | null;
    module: string | null;
    files: string[];
    fixSha: string | null;
    postmortem: string | null;
  };
  commits: SuspectCommit[];
  deploys: SuspectDeploy[];
  notes: string[];
  limit: number;
  hasMore: boolean;
}

/** Finds one incident by external id (INC-101), numeric id, or unambiguous title words; errors suggest close ids. */
export function findIncident(ctx: AppContext, ref: string): IncidentCard {
  const db = ctx.store;
  const trimmed = ref.trim();
  let rows = incidentCardsByExternalId(db, trimmed);
  if (rows.length === 0 && /^\d+$/.test(trimmed)) {
    const row = incidentCardById(db, Number(trimmed));
    rows = row ? [row] : [];
  }
  if (rows.length === 0 && trimmed.length >= 4) rows = incidentCardsByTitle(db, trimmed, 6);
  if (rows.length === 1) return rows[0]!;
  if (rows.length > 1) {
    throw new UserInputError(
      `incident '${ref}' matches several: ${rows
        .slice(0, 5)
        .map((r) => `${r.externalId} (${r.title.slice(0, 50)})`)
        .join(', ')}; pass one of those ids`,
      'incident',
    );
  }
  const recent = recentIncidentIds(db, 200);
  if (recent.length === 0) {
    throw new UserInputError(SETUP_FIX.incidents(ctx.config), 'incident');
  }
  const close = recent
    .map((id) => ({ id, d: editDistance(id.toLowerCase(), trimmed.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 5)
    .map((r) => r.id);
  throw new UserInputError(`no incident '${ref}'; closest ids: ${close.join(', ')}`, 'incident');
}

/** The ranked suspects of one incident as stored by attribution, confirmed causes first. */
export function incidentSuspects(ctx: AppContext, ref: string, limit: number): IncidentSuspects {
  const db = ctx.store;
  const inc = findIncident(ctx, ref);
  const files = incidentNamedPaths(db, inc.id, 6);
  const links = incidentLinks(db, inc.id);
  const commitLinks = links.filter((l) => l.kind === 'commit');
  const deployLinks = links.filter((l) => l.kind === 'deploy');
  const commits: SuspectCommit[] = commitLinks.slice(0, limit).map((l) => {
    const c = commitAuthor(db, l.target);
    const ev = l.evidence;
    return {
      sha: l.target.slice(0, 10),
      subject: c?.subject ?? '(commit not ingested)',
      author: c ? `${c.author} <${c.email}>` : '',
      authorKind: c?.authorKind ?? 'unknown',
      agent: c?.agent ?? null,
      authoredAt: c ? iso(c.at) : '',
      modules: commitModules(db, l.target),
      deployId: latestShippedDeployId(db, l.target, inc.env, inc.startedAt) ?? null,
      score: l.score,
      status: l.status,
      method: l.method,
      reasons: ev.reasons.slice(0, 5),
      ...(ev.blamed ? { blamed: ev.blamed.slice(0, 3) } : {}),
    };
  });
  const deploys: SuspectDeploy[] = deployLinks.slice(0, Math.min(limit, 5)).map((l) => {
    const d = getDeploy(db, Number(l.target))!;
    return {
      id: d.id,
      env: d.env,
      service: d.service,
      sha: d.sha.slice(0, 10),
      finishedAt: iso(d.finishedAt),
      deployStatus: d.status,
      score: l.score,
      status: l.status,
      method: l.method,
      reasons: l.evidence.reasons.slice(0, 4),
    };
  });

  const notes: string[] = [];
  if (links.length === 0) {
    notes.push(
      countShippedDeploysBefore(db, inc.env, inc.startedAt) === 0
        ? `no deploy to '${inc.env}' finished before ${iso(inc.startedAt)}, so no shipped change can be suspected; record deploys with 'hindsight deploy record'`
        : "no suspects stored; run 'hindsight attribute' to compute them",
    );
  }
  if (!inc.fixSha && commits.every((c) => c.status !== 'confirmed')) {
    notes.push('no fix or root cause recorded yet: these are ranked suspects, not confirmed causes');
  }
  return {
    incident: {
      id: inc.externalId,
      title: inc.title,
      severity: inc.severity,
      status: inc.status,
      startedAt: iso(inc.startedAt),
      resolvedAt: inc.resolvedAt === null ? null : iso(inc.resolvedAt),
      env: inc.env,
      service: inc.service,
      module: inc.module,
      files,
      fixSha: inc.fixSha ? inc.fixSha.slice(0, 10) : null,
      postmortem: inc.postmortem ?? inc.url,
    },
    commits,
    deploys,
    notes,
    limit,
    hasMore: commitLinks.length > limit,
  };
}
