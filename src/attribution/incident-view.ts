import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { editDistance } from '../history/resolve-module.js';
import { getDeploy } from '../store/deploys.js';
import { iso } from './impact.js';
import type { LinkEvidence } from './suspects.js';
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

interface IncidentRecord {
  id: number;
  externalId: string;
  title: string;
  severity: string | null;
  status: string;
  startedAt: number;
  resolvedAt: number | null;
  env: string;
  service: string | null;
  module: string | null;
  fixSha: string | null;
  postmortem: string | null;
  url: string | null;
}

/** Finds one incident by external id (INC-101), numeric id, or unambiguous title words; errors suggest close ids. */
export function findIncident(ctx: AppContext, ref: string): IncidentRecord {
  const cols = `id, external_id AS externalId, title, severity, status, started_at AS startedAt,
    resolved_at AS resolvedAt, env, service, module, fix_sha AS fixSha, postmortem_path AS postmortem, url`;
  const db = ctx.store;
  const trimmed = ref.trim();
  let rows = db
    .prepare(`SELECT ${cols} FROM incidents WHERE external_id = ? COLLATE NOCASE`)
    .all(trimmed) as IncidentRecord[];
  if (rows.length === 0 && /^\d+$/.test(trimmed)) {
    rows = db.prepare(`SELECT ${cols} FROM incidents WHERE id = ?`).all(Number(trimmed)) as IncidentRecord[];
  }
  if (rows.length === 0 && trimmed.length >= 4) {
    rows = db
      .prepare(`SELECT ${cols} FROM incidents WHERE title LIKE ? ESCAPE '\\' ORDER BY started_at DESC LIMIT 6`)
      .all(`%${trimmed.replace(/[%_\\]/g, (c) => `\\${c}`)}%`) as IncidentRecord[];
  }
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
  const recent = db.prepare('SELECT external_id AS id FROM incidents ORDER BY started_at DESC LIMIT 200').all() as {
    id: string;
  }[];
  if (recent.length === 0) {
    throw new UserInputError(SETUP_FIX.incidents(ctx.config), 'incident');
  }
  const close = recent
    .map((r) => ({ id: r.id, d: editDistance(r.id.toLowerCase(), trimmed.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 5)
    .map((r) => r.id);
  throw new UserInputError(`no incident '${ref}'; closest ids: ${close.join(', ')}`, 'incident');
}

/** The ranked suspects of one incident as stored by attribution, confirmed causes first. */
export function incidentSuspects(ctx: AppContext, ref: string, limit: number): IncidentSuspects {
  const db = ctx.store;
  const inc = findIncident(ctx, ref);
  const files = (
    db.prepare('SELECT DISTINCT path FROM incident_files WHERE incident_id = ? LIMIT 6').all(inc.id) as {
      path: string;
    }[]
  ).map((f) => f.path);
  const links = db
    .prepare(
      `SELECT kind, target, score, status, method, evidence FROM incident_links
       WHERE incident_id = ? AND status != 'rejected'
       ORDER BY (status = 'confirmed') DESC, score DESC, target`,
    )
    .all(inc.id) as { kind: string; target: string; score: number; status: string; method: string; evidence: string }[];

  const commitInfo = db.prepare(
    `SELECT subject, author_name AS author, author_email AS email, author_kind AS authorKind, agent, authored_at AS at
     FROM commits WHERE sha = ?`,
  );
  const modulesOf = db.prepare('SELECT DISTINCT module FROM commit_files WHERE sha = ? ORDER BY module');
  const deployOf = db.prepare(
    `SELECT d.id FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
     WHERE dc.sha = ? AND d.env = ? AND d.finished_at < ? AND d.status != 'failure' ORDER BY d.finished_at DESC LIMIT 1`,
  );
  const commitLinks = links.filter((l) => l.kind === 'commit');
  const deployLinks = links.filter((l) => l.kind === 'deploy');
  const commits: SuspectCommit[] = commitLinks.slice(0, limit).map((l) => {
    const c = commitInfo.get(l.target) as
      | { subject: string; author: string; email: string; authorKind: string; agent: string | null; at: number }
      | undefined;
    const ev = JSON.parse(l.evidence) as LinkEvidence;
    const dep = deployOf.get(l.target, inc.env, inc.startedAt) as { id: number } | undefined;
    return {
      sha: l.target.slice(0, 10),
      subject: c?.subject ?? '(commit not ingested)',
      author: c ? `${c.author} <${c.email}>` : '',
      authorKind: c?.authorKind ?? 'unknown',
      agent: c?.agent ?? null,
      authoredAt: c ? iso(c.at) : '',
      modules: (modulesOf.all(l.target) as { module: string }[]).map((m) => m.module),
      deployId: dep?.id ?? null,
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
      reasons: (JSON.parse(l.evidence) as LinkEvidence).reasons.slice(0, 4),
    };
  });

  const notes: string[] = [];
  if (links.length === 0) {
    const anyDeploy = db
      .prepare("SELECT count(*) AS n FROM deploys WHERE env = ? AND finished_at < ? AND status != 'failure'")
      .get(inc.env, inc.startedAt) as { n: number };
    notes.push(
      anyDeploy.n === 0
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
