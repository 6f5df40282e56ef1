import type { AppContext } from '../context.js';
import { errorMessage } from '../errors.js';
import { resolveSha } from '../store/commits.js';
import { isTestPath } from './filters.js';
import { pathsMatch } from './paths.js';
import { LOOKBACK_MS, MIN_SCORE, WEIGHTS, noisyOr, round, sizeScore, timeDecay } from './score.js';
import { maskFixMessage } from './similarity.js';
import { HINDSIGHT_SZZ, runSzz, storeFacts, type SzzResult } from './szz.js';

export { isTestPath } from './filters.js';

export type LinkStatus = 'suspect' | 'confirmed' | 'rejected';
export type LinkMethod = 'heuristic' | 'fix-blame' | 'root-cause' | 'revert' | 'rollback' | 'recurrence';

export interface LinkEvidence {
  reasons: string[];
  factors: Record<string, number>;
  /** blamed lines, as `path:line  code` samples, for fix-blame links */
  blamed?: string[];
}

export interface Link {
  kind: 'deploy' | 'commit';
  target: string;
  score: number;
  status: LinkStatus;
  method: LinkMethod;
  evidence: LinkEvidence;
}

interface IncidentFacts {
  id: number;
  externalId: string;
  title: string;
  startedAt: number;
  resolvedAt: number | null;
  env: string;
  service: string | null;
  module: string | null;
  fixSha: string | null;
  rootCauseSha: string | null;
  files: { path: string; module: string }[];
}

interface DeployFacts {
  id: number;
  sha: string;
  finishedAt: number;
  status: string;
  rolledBackBy: number | null;
  rolledBackAt: number | null;
}

interface CommitFacts {
  sha: string;
  subject: string;
  authoredAt: number;
  size: number;
  files: { path: string; module: string }[];
  deploy: DeployFacts | null;
  revertedBy: { sha: string; at: number } | null;
}

const MAX_COMMIT_LINKS = 25;
const MAX_DEPLOY_LINKS = 10;
const MAX_CANDIDATE_DEPLOYS = 30;
/** How far apart two occurrences of the same failure may be. */
const RECURRENCE_WINDOW_MS = 180 * 24 * 3600 * 1000;

/**
 * Computes and stores the links of one incident: shipped changes ranked as suspects, and confirmed
 * causes from a root-cause sha, a fix (blamed at its parent), a revert or a rollback.
 * Links a human rejected stay rejected.
 */
export async function attributeIncident(ctx: AppContext, incidentId: number): Promise<Link[]> {
  const incident = loadIncident(ctx, incidentId);
  if (!incident) return [];
  const links = await computeLinks(ctx, incident);
  storeLinks(ctx, incidentId, links);
  // A newly confirmed cause also explains the earlier occurrences of the same failure.
  if (links.some((l) => l.status === 'confirmed' && (l.method === 'fix-blame' || l.method === 'root-cause'))) {
    for (const earlier of earlierOccurrences(ctx, incident)) {
      const facts = loadIncident(ctx, earlier.id);
      if (facts) storeLinks(ctx, earlier.id, await computeLinks(ctx, facts));
    }
  }
  return links;
}

/** Re-attributes the given incidents (default: all), one at a time; failures are logged, not fatal. */
export async function refreshAttribution(
  ctx: AppContext,
  scope: { incidentIds?: number[]; startedAfter?: number } = {},
): Promise<{ incidents: number; links: number; failed: number }> {
  const ids =
    scope.incidentIds ??
    (
      ctx.store
        .prepare('SELECT id FROM incidents WHERE started_at >= ? ORDER BY started_at')
        .all(scope.startedAfter ?? 0) as { id: number }[]
    ).map((r) => r.id);
  // Incidents with a fix or root cause first: their causes are evidence for earlier occurrences.
  const known = new Set(
    (
      ctx.store.prepare('SELECT id FROM incidents WHERE fix_sha IS NOT NULL OR root_cause_sha IS NOT NULL').all() as {
        id: number;
      }[]
    ).map((r) => r.id),
  );
  ids.sort((a, b) => Number(known.has(b)) - Number(known.has(a)));
  let links = 0;
  let failed = 0;
  for (const id of ids) {
    try {
      links += (await attributeIncident(ctx, id)).length;
    } catch (err) {
      failed++;
      ctx.log(`hindsight: attribution of incident ${id} failed: ${errorMessage(err)}`);
    }
  }
  return { incidents: ids.length, links, failed };
}

function loadIncident(ctx: AppContext, id: number): IncidentFacts | undefined {
  const row = ctx.store
    .prepare(
      `SELECT id, external_id AS externalId, title, started_at AS startedAt, resolved_at AS resolvedAt, env, service,
              module, fix_sha AS fixSha, root_cause_sha AS rootCauseSha
       FROM incidents WHERE id = ?`,
    )
    .get(id) as Omit<IncidentFacts, 'files'> | undefined;
  if (!row) return undefined;
  const files = ctx.store
    .prepare(
      `SELECT DISTINCT path, module FROM incident_files WHERE incident_id = ?
       AND path NOT LIKE '%node_modules/%' AND path NOT LIKE '%site-packages/%'`,
    )
    .all(id) as { path: string; module: string }[];
  return { ...row, files };
}

/** Where to look for shipped suspects, and up to when evidence may be read. */
export interface SuspectOptions {
  /** how far back from the incident start deploys are candidates (default 30 days) */
  lookbackMs?: number;
  /** at most this many of the latest deploys before the incident (default 30) */
  maxDeploys?: number;
  /**
   * Read nothing that happened at or after this time (reverts, rollbacks). The evaluation sets it to the
   * incident start, so a suspect ranking is judged on what was known when the incident began.
   */
  asOf?: number;
  /** only commits that touched one of the incident's files (exact repository paths): for long look-backs */
  relatedOnly?: boolean;
}

/** The incident as suspect ranking sees it: when, where, and which files or frames it names. */
export type SuspectQuery = Pick<IncidentFacts, 'startedAt' | 'env' | 'service' | 'module' | 'files'>;

/** Shipped changes ranked as suspects of an incident, before any fix is known (heuristic evidence only). */
export function rankSuspects(ctx: AppContext, inc: SuspectQuery, options: SuspectOptions = {}): Link[] {
  const { commits } = gatherCandidates(ctx, inc, options);
  fillCommitFacts(ctx, commits, options.asOf);
  const history = fileHistory(inc, commits);
  return [...commits.values()].map((c) => scoreCommit(inc, c, history)).sort(byRank);
}

function gatherCandidates(
  ctx: AppContext,
  inc: SuspectQuery,
  options: SuspectOptions,
): { deploys: DeployFacts[]; commits: Map<string, CommitFacts> } {
  const db = ctx.store;
  const asOf = options.asOf ?? Number.MAX_SAFE_INTEGER;
  const deploys = (
    db
      .prepare(
        `SELECT d.id, d.sha, d.finished_at AS finishedAt, d.status, d.rolled_back_by_deploy_id AS rolledBackBy,
                r.finished_at AS rolledBackAt
         FROM deploys d LEFT JOIN deploys r ON r.id = d.rolled_back_by_deploy_id
         WHERE d.env = ? AND (? IS NULL OR d.service = '' OR d.service = ?)
           AND d.status != 'failure' AND d.finished_at < ? AND d.finished_at >= ?
         ORDER BY d.finished_at DESC, d.id DESC LIMIT ?`,
      )
      .all(
        inc.env,
        inc.service,
        inc.service,
        inc.startedAt,
        inc.startedAt - (options.lookbackMs ?? LOOKBACK_MS),
        options.maxDeploys ?? MAX_CANDIDATE_DEPLOYS,
      ) as DeployFacts[]
  ).map((d) =>
    // A rollback that had not happened yet at `asOf` is unknown.
    d.rolledBackAt !== null && d.rolledBackAt >= asOf ? { ...d, rolledBackAt: null, rolledBackBy: null } : d,
  );

  // A commit re-shipped after a rollback counts from its latest deploy before the incident.
  const commits = new Map<string, CommitFacts>();
  const paths = options.relatedOnly ? [...new Set(inc.files.map((f) => f.path))] : [];
  if (options.relatedOnly && paths.length === 0) return { deploys, commits };
  const related = options.relatedOnly
    ? `AND EXISTS (SELECT 1 FROM commit_files cf WHERE cf.sha = c.sha AND cf.path IN (${paths.map(() => '?').join(',')}))`
    : '';
  const commitsOfDeploy = db.prepare(
    `SELECT c.sha, c.subject, c.authored_at AS authoredAt, c.added + c.deleted AS size
     FROM deploy_commits dc JOIN commits c ON c.sha = dc.sha
     WHERE dc.deploy_id = ? AND c.is_merge = 0 ${related}`,
  );
  for (const d of deploys) {
    for (const c of commitsOfDeploy.all(d.id, ...paths) as Omit<CommitFacts, 'files' | 'deploy' | 'revertedBy'>[]) {
      if (!commits.has(c.sha)) commits.set(c.sha, { ...c, files: [], deploy: d, revertedBy: null });
    }
  }
  return { deploys, commits };
}

/** Files and the first revert of each candidate; a revert after `asOf` is not known yet. */
function fillCommitFacts(ctx: AppContext, commits: Map<string, CommitFacts>, asOf = Number.MAX_SAFE_INTEGER): void {
  const filesOf = ctx.store.prepare('SELECT path, module FROM commit_files WHERE sha = ?');
  const revertOf = ctx.store.prepare(
    'SELECT sha, committed_at AS at FROM commits WHERE reverts_sha = ? AND committed_at < ? ORDER BY committed_at LIMIT 1',
  );
  for (const c of commits.values()) {
    c.files = filesOf.all(c.sha) as { path: string; module: string }[];
    c.revertedBy = (revertOf.get(c.sha, asOf) as { sha: string; at: number } | undefined) ?? null;
  }
}

/**
 * For each file the incident names, the candidates that changed it, newest first: the latest changes to a
 * broken file are the usual suspects, however long ago their release shipped. Cherry-picks of one change
 * (release branches) share a rank, so backports do not push older changes down the list.
 */
function fileHistory(inc: SuspectQuery, commits: Map<string, CommitFacts>): Map<string, number> {
  const rank = new Map<string, number>();
  for (const f of inc.files) {
    const touching = [...commits.values()]
      .filter((c) => c.files.some((cf) => pathsMatch(cf.path, f.path)))
      .sort((a, b) => b.authoredAt - a.authoredAt);
    const changes: string[] = [];
    for (const c of touching) {
      const key = changeKey(c);
      if (changes[changes.length - 1] !== key && !changes.includes(key)) changes.push(key);
      rank.set(c.sha, Math.min(rank.get(c.sha) ?? Infinity, changes.indexOf(key)));
    }
  }
  return rank;
}

/** One change, whatever branch it was cherry-picked to: same author date and subject. */
export function changeKey(c: { authoredAt: number; subject: string }): string {
  return `${c.authoredAt}\0${c.subject}`;
}

async function computeLinks(ctx: AppContext, inc: IncidentFacts): Promise<Link[]> {
  const { deploys, commits } = gatherCandidates(ctx, inc, {});
  const links = new Map<string, Link>();
  const key = (l: Pick<Link, 'kind' | 'target'>) => `${l.kind}:${l.target}`;
  const confirmed = await confirmations(ctx, inc);
  for (const c of confirmed.commits) {
    if (!commits.has(c.sha)) {
      const facts = commitFacts(ctx, c.sha, inc);
      if (facts) commits.set(c.sha, facts);
    }
  }

  fillCommitFacts(ctx, commits);
  const history = fileHistory(inc, commits);
  for (const c of commits.values()) {
    const link = scoreCommit(inc, c, history);
    const conf = confirmed.commits.find((x) => x.sha === c.sha);
    if (conf?.confirmed) {
      link.status = 'confirmed';
      link.method = conf.method;
      link.score = round(Math.max(link.score, conf.score));
      link.evidence.reasons.unshift(...conf.reasons);
      link.evidence.factors['confirmation'] = round(conf.score);
      if (conf.blamed) link.evidence.blamed = conf.blamed;
    } else if (conf) {
      // Weak blame evidence (only lines next to an addition, or a small share) raises suspicion, no more.
      link.score = round(noisyOr([link.score, conf.score]));
      link.evidence.reasons.unshift(...conf.reasons);
      link.evidence.factors['blame'] = round(conf.score);
      if (conf.blamed) link.evidence.blamed = conf.blamed;
    }
    if (link.score >= MIN_SCORE || link.status === 'confirmed') links.set(key(link), link);
  }

  const commitLinks = [...links.values()].sort(byRank).slice(0, MAX_COMMIT_LINKS);
  // The deploy that shipped a confirmed cause is a link too, however long before the incident it was.
  for (const l of commitLinks) {
    const d = l.status === 'confirmed' ? commits.get(l.target)?.deploy : undefined;
    if (d && !deploys.some((x) => x.id === d.id)) deploys.push(d);
  }
  const deployLinks = deploys
    .map((d) => scoreDeploy(inc, d, commitLinks, commits))
    .filter((l) => l.score >= MIN_SCORE || l.status === 'confirmed')
    .sort(byRank)
    .slice(0, MAX_DEPLOY_LINKS);
  const notes = confirmed.notes;
  if (notes.length > 0 && commitLinks[0]) commitLinks[0].evidence.reasons.push(...notes.map((n) => `note: ${n}`));
  return [...commitLinks, ...deployLinks];
}

function commitFacts(ctx: AppContext, sha: string, inc: IncidentFacts): CommitFacts | undefined {
  const c = ctx.store
    .prepare(`SELECT sha, subject, authored_at AS authoredAt, added + deleted AS size FROM commits WHERE sha = ?`)
    .get(sha) as Omit<CommitFacts, 'files' | 'deploy' | 'revertedBy'> | undefined;
  if (!c) return undefined;
  const deploy = ctx.store
    .prepare(
      `SELECT d.id, d.sha, d.finished_at AS finishedAt, d.status, d.rolled_back_by_deploy_id AS rolledBackBy,
              r.finished_at AS rolledBackAt
       FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
       LEFT JOIN deploys r ON r.id = d.rolled_back_by_deploy_id
       WHERE dc.sha = ? AND d.env = ? AND d.status != 'failure' AND d.finished_at < ?
       ORDER BY d.finished_at DESC LIMIT 1`,
    )
    .get(sha, inc.env, inc.startedAt) as DeployFacts | undefined;
  return { ...c, files: [], deploy: deploy ?? null, revertedBy: null };
}

function scoreCommit(inc: SuspectQuery, c: CommitFacts, history: Map<string, number>): Link {
  const reasons: string[] = [];
  const factors: Record<string, number> = {};
  const parts: number[] = [];

  if (c.deploy) {
    const hours = (inc.startedAt - c.deploy.finishedAt) / 3_600_000;
    const t = timeDecay(hours);
    factors['time'] = round(t);
    parts.push(WEIGHTS.time * t);
    reasons.push(`shipped in deploy #${c.deploy.id} ${formatHours(hours)} before the incident began`);
  } else {
    reasons.push('no shipped deploy of this commit found before the incident in this environment');
  }

  const matched = inc.files.filter((f) => c.files.some((cf) => pathsMatch(cf.path, f.path)));
  if (inc.files.length > 0) {
    const overlap = matched.length / inc.files.length;
    factors['fileOverlap'] = round(overlap);
    if (matched.length > 0) {
      parts.push(WEIGHTS.fileMatch + WEIGHTS.fileOverlap * overlap);
      const names = [...new Set(matched.map((f) => f.path))];
      reasons.push(
        `changed ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` (+${names.length - 3})` : ''} named by the incident`,
      );
    }
    const rank = history.get(c.sha);
    if (rank !== undefined) {
      const recent = 1 / (1 + rank);
      factors['fileHistory'] = round(recent);
      parts.push(WEIGHTS.fileHistory * recent);
      if (rank === 0) reasons.push('the most recent shipped change to a file the incident names');
      else if (rank < 5) reasons.push(`among the ${rank + 1} most recent shipped changes to a file the incident names`);
    }
  }
  const incidentModules = new Set([...(inc.module ? [inc.module] : []), ...inc.files.map((f) => f.module)]);
  const sharedModules = [...new Set(c.files.map((f) => f.module))].filter((m) => incidentModules.has(m));
  if (sharedModules.length > 0 && matched.length === 0) {
    factors['module'] = 1;
    parts.push(WEIGHTS.module);
    reasons.push(`touched the incident's module ${sharedModules.join(', ')}`);
  } else if (sharedModules.length > 0) {
    factors['module'] = 1;
  }

  const size = sizeScore(c.size);
  factors['size'] = round(size);
  parts.push(WEIGHTS.size * size);
  if (c.size >= 200) reasons.push(`large change (${c.size} lines)`);

  const revertedBefore = c.revertedBy !== null && c.revertedBy.at < inc.startedAt;
  if (c.revertedBy) {
    const after = !revertedBefore;
    factors['reverted'] = after ? 1 : 0;
    if (after) parts.push(WEIGHTS.revertedAfterStart);
    reasons.push(
      `reverted by ${c.revertedBy.sha.slice(0, 7)} ${after ? 'after' : 'before'} the incident began (${formatHours(
        Math.abs(c.revertedBy.at - inc.startedAt) / 3_600_000,
      )} ${after ? 'later' : 'earlier'})`,
    );
  }
  if (c.deploy?.rolledBackAt && c.deploy.rolledBackAt >= inc.startedAt) {
    factors['rolledBack'] = 1;
    parts.push(WEIGHTS.rolledBack);
    reasons.push(`its deploy #${c.deploy.id} was rolled back after the incident began`);
  }

  // Nothing ties the change to the incident beyond timing: keep it, but well below related changes.
  const related = matched.length > 0 || sharedModules.length > 0 || c.revertedBy !== null;
  const hasLocation = inc.files.length > 0 || inc.module !== null;
  let score = noisyOr(parts);
  if (c.files.length > WEIGHTS.sweepingFiles) {
    score *= WEIGHTS.sweepingFactor;
    reasons.push(`sweeping change (${c.files.length} files): imports and reformats rarely carry the bug`);
  }
  if (c.files.length > 0 && c.files.every((f) => isTestPath(f.path))) {
    score *= WEIGHTS.testOnlyFactor;
    reasons.push('changes only tests');
  }
  if (revertedBefore) {
    // Its change was no longer live when the incident began.
    score *= WEIGHTS.revertedBeforeFactor;
  }
  if (!related && hasLocation) {
    score *= 0.5;
    reasons.push('touches none of the files or modules the incident names');
  }
  return {
    kind: 'commit',
    target: c.sha,
    score: round(score),
    status: 'suspect',
    method: 'heuristic',
    evidence: { reasons, factors },
  };
}

function scoreDeploy(inc: IncidentFacts, d: DeployFacts, commitLinks: Link[], commits: Map<string, CommitFacts>): Link {
  const own = commitLinks.filter((l) => commits.get(l.target)?.deploy?.id === d.id);
  const best = own[0];
  const hours = (inc.startedAt - d.finishedAt) / 3_600_000;
  const reasons = [`finished ${formatHours(hours)} before the incident began`];
  const factors: Record<string, number> = { time: round(timeDecay(hours)) };
  let score = best ? best.score : WEIGHTS.time * timeDecay(hours) * 0.5;
  let status: LinkStatus = 'suspect';
  let method: LinkMethod = 'heuristic';
  if (best)
    reasons.push(
      `contains ${best.status === 'confirmed' ? 'confirmed cause' : 'top suspect'} ${best.target.slice(0, 7)} (${best.score})`,
    );
  if (own.some((l) => l.status === 'confirmed')) {
    status = 'confirmed';
    method = own.find((l) => l.status === 'confirmed')!.method;
  }
  if (
    d.rolledBackAt !== null &&
    d.rolledBackAt >= inc.startedAt &&
    (inc.resolvedAt === null || d.rolledBackAt <= inc.resolvedAt + 3_600_000)
  ) {
    reasons.push(
      `rolled back by deploy #${d.rolledBackBy} ${formatHours((d.rolledBackAt - inc.startedAt) / 3_600_000)} after the incident began`,
    );
    factors['rolledBack'] = 1;
    score = noisyOr([score, 0.8]);
    if (status !== 'confirmed') {
      status = 'confirmed';
      method = 'rollback';
    }
  }
  return { kind: 'deploy', target: String(d.id), score: round(score), status, method, evidence: { reasons, factors } };
}

interface Confirmation {
  sha: string;
  /** false: the evidence points at this commit but is too weak to call it the cause */
  confirmed: boolean;
  method: LinkMethod;
  score: number;
  reasons: string[];
  blamed?: string[];
}

/** Turns a root-cause sha, a fix (SZZ blame) or a revert into confirmed causes. */
async function confirmations(
  ctx: AppContext,
  inc: IncidentFacts,
): Promise<{ commits: Confirmation[]; notes: string[] }> {
  const out: Confirmation[] = [];
  const notes: string[] = [];
  const resolve = (ref: string): string | undefined => {
    try {
      return resolveSha(ctx.store, ref);
    } catch {
      return undefined; // ambiguous prefix: treated as unknown, and said so below
    }
  };

  if (inc.rootCauseSha) {
    const sha = resolve(inc.rootCauseSha);
    if (sha)
      out.push({
        sha,
        confirmed: true,
        method: 'root-cause',
        score: 1,
        reasons: ['named as the root cause by the incident record'],
      });
    else notes.push(`root cause ${inc.rootCauseSha} is not an ingested commit; run 'hindsight ingest git'`);
  }

  if (inc.fixSha) {
    const fix = resolve(inc.fixSha);
    if (!fix) {
      notes.push(
        `fix ${inc.fixSha} is not an ingested commit yet; its blame will be added after 'hindsight ingest git'`,
      );
    } else {
      out.push(...namedByFix(ctx, fix));
      let result: SzzResult | undefined;
      try {
        result = await blameTheFix(ctx, inc, fix);
      } catch (err) {
        notes.push(`could not blame fix ${fix.slice(0, 7)}: ${errorMessage(err)}`);
      }
      for (const c of result ? fromSzz(result, notes) : []) {
        // Named by the fix and found by blame: one confirmation, with both pieces of evidence.
        const named = out.find((o) => o.sha === c.sha);
        if (!named) out.push(c);
        else {
          named.reasons.push(...c.reasons);
          if (c.blamed) named.blamed = c.blamed;
        }
      }
    }
  }

  // A revert that landed after the incident began is the team saying "this change did it".
  const reverts = ctx.store
    .prepare(
      `SELECT r.sha AS revertSha, r.reverts_sha AS sha, r.committed_at AS at FROM commits r
       WHERE r.reverts_sha IS NOT NULL AND r.committed_at >= ? AND r.committed_at <= ?`,
    )
    .all(inc.startedAt, (inc.resolvedAt ?? inc.startedAt) + 24 * 3_600_000) as {
    revertSha: string;
    sha: string;
    at: number;
  }[];
  for (const r of reverts) {
    const touched = ctx.store.prepare('SELECT path, module FROM commit_files WHERE sha = ?').all(r.sha) as {
      path: string;
      module: string;
    }[];
    const related =
      (inc.files.length === 0 && inc.module === null) ||
      touched.some(
        (t) =>
          inc.files.some((f) => pathsMatch(t.path, f.path)) ||
          t.module === inc.module ||
          inc.files.some((f) => f.module === t.module),
      );
    if (!related) continue;
    if (!out.some((o) => o.sha === r.sha)) {
      out.push({
        sha: r.sha,
        confirmed: true,
        method: 'revert',
        score: 0.85,
        reasons: [`reverted by ${r.revertSha.slice(0, 7)} while the incident was open, in the incident's area`],
      });
    }
  }
  for (const r of recurrenceConfirmations(ctx, inc)) if (!out.some((o) => o.sha === r.sha)) out.push(r);
  return { commits: out, notes };
}

interface Sibling {
  id: number;
  externalId: string;
  title: string;
  module: string | null;
  startedAt: number;
}

/** Normalised title: the same failure is often filed again with a different number or date in its title. */
function titleKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/[0-9]+/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

interface FailureShape {
  title: string;
  module: string | null;
  files: { path: string }[];
}

/** Same failure: the same title once numbers are dropped, or the same module with most files in common. */
function sameFailure(a: FailureShape, b: FailureShape): boolean {
  const key = titleKey(a.title);
  if (key.length > 0 && key === titleKey(b.title)) return true;
  if (!a.module || a.module !== b.module || a.files.length === 0 || b.files.length === 0) return false;
  const shared = a.files.filter((f) => b.files.some((g) => pathsMatch(f.path, g.path))).length;
  return shared / a.files.length >= 0.5;
}

function shapeOf(ctx: AppContext, s: Sibling): FailureShape {
  const files = ctx.store.prepare('SELECT path FROM incident_files WHERE incident_id = ?').all(s.id) as {
    path: string;
  }[];
  return { title: s.title, module: s.module, files };
}

/** Earlier incidents of the same failure without a fix of their own, in the same environment. */
function earlierOccurrences(ctx: AppContext, inc: IncidentFacts): Sibling[] {
  const rows = ctx.store
    .prepare(
      `SELECT id, external_id AS externalId, title, module, started_at AS startedAt FROM incidents
       WHERE id != ? AND env = ? AND started_at < ? AND started_at >= ? AND fix_sha IS NULL AND root_cause_sha IS NULL`,
    )
    .all(inc.id, inc.env, inc.startedAt, inc.startedAt - RECURRENCE_WINDOW_MS) as Sibling[];
  return rows.filter((r) => sameFailure(inc, shapeOf(ctx, r)));
}

/**
 * A later occurrence of the same failure whose fix confirmed a cause: if that cause had shipped before this
 * incident began, it explains this one too (the failure recurred until the fix shipped).
 */
function recurrenceConfirmations(ctx: AppContext, inc: IncidentFacts): Confirmation[] {
  const later = ctx.store
    .prepare(
      `SELECT id, external_id AS externalId, title, module, started_at AS startedAt FROM incidents
       WHERE id != ? AND env = ? AND started_at > ? AND started_at <= ?
         AND (fix_sha IS NOT NULL OR root_cause_sha IS NOT NULL)
       ORDER BY started_at`,
    )
    .all(inc.id, inc.env, inc.startedAt, inc.startedAt + RECURRENCE_WINDOW_MS) as Sibling[];
  const causes = ctx.store.prepare(
    `SELECT l.target AS sha, l.score, c.authored_at AS authoredAt FROM incident_links l JOIN commits c ON c.sha = l.target
     WHERE l.incident_id = ? AND l.kind = 'commit' AND l.status = 'confirmed' AND l.method IN ('fix-blame', 'root-cause')`,
  );
  const shipped = ctx.store.prepare(
    `SELECT 1 FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
     WHERE dc.sha = ? AND d.env = ? AND d.status != 'failure' AND d.finished_at < ? LIMIT 1`,
  );
  const out: Confirmation[] = [];
  for (const s of later) {
    if (!sameFailure(inc, shapeOf(ctx, s))) continue;
    for (const c of causes.all(s.id) as { sha: string; score: number; authoredAt: number }[]) {
      if (c.authoredAt > inc.startedAt || !shipped.get(c.sha, inc.env, inc.startedAt)) continue;
      if (out.some((o) => o.sha === c.sha)) continue;
      out.push({
        sha: c.sha,
        confirmed: true,
        method: 'recurrence',
        score: round(c.score * 0.95),
        reasons: [
          `same failure as ${s.externalId} ("${s.title.slice(0, 60)}"), whose fix confirmed this commit; it recurred until that fix shipped`,
        ],
      });
    }
  }
  return out;
}

/** The fix's own `Fixes: <sha>` trailers: the team wrote down the cause. */
function namedByFix(ctx: AppContext, fix: string): Confirmation[] {
  const rows = ctx.store
    .prepare('SELECT fixed_ref AS ref, fixed_sha AS sha FROM commit_fixes WHERE sha = ? AND fixed_sha IS NOT NULL')
    .all(fix) as { ref: string; sha: string }[];
  return rows.map((r) => ({
    sha: r.sha,
    confirmed: true,
    method: 'root-cause' as const,
    score: 1,
    reasons: [`named by the fix ${fix.slice(0, 7)} itself (Fixes: ${r.ref})`],
  }));
}

/** SZZ on the incident's fix, with the fix's message masked so similarity never reads a named sha. */
async function blameTheFix(ctx: AppContext, inc: IncidentFacts, fix: string): Promise<SzzResult> {
  const msg = ctx.store.prepare('SELECT subject, body FROM commits WHERE sha = ?').get(fix) as
    { subject: string; body: string } | undefined;
  const maskedMessage = maskFixMessage(msg ? `${msg.subject}\n\n${msg.body}` : '');
  return runSzz(
    ctx.config.repoPath,
    { sha: fix, startedAt: inc.startedAt, maskedMessage },
    HINDSIGHT_SZZ,
    storeFacts(ctx.store),
  );
}

/** The SZZ pick becomes confirmed causes; other commits that wrote changed lines stay suspects. */
function fromSzz(result: SzzResult, notes: string[]): Confirmation[] {
  const fix = result.fixSha.slice(0, 7);
  notes.push(...result.notes.slice(0, 3));
  if (result.candidates.length === 0) {
    notes.push(`blaming fix ${fix} found no earlier line to blame`);
    return [];
  }
  const out: Confirmation[] = [];
  for (const c of result.candidates) {
    const confirmed = result.chosen.includes(c.sha);
    const changed = c.lines.filter((l) => l.via === 'changed').length;
    if (!confirmed && changed === 0) continue;
    // The same weighted share the ranking used: a changed line counts 1, a neighbour of an addition less.
    const share = Math.round(c.features.share * 100);
    const what =
      changed > 0
        ? `last changed ${changed} line(s) that fix ${fix} changed`
        : `wrote ${c.lines.length} line(s) around where fix ${fix} added code`;
    const reasons = [`${what} (${share}% of the blamed lines)`];
    if (confirmed && c === result.candidates[0] && result.why) reasons.push(`why this one: ${result.why}`);
    const ordered = [...c.lines].sort((a, b) => Number(b.via === 'changed') - Number(a.via === 'changed'));
    out.push({
      sha: c.sha,
      confirmed,
      method: 'fix-blame',
      score: round(confirmed ? noisyOr([WEIGHTS.blame * c.score, 0.5]) : 0.5 * WEIGHTS.blame * c.score),
      reasons,
      blamed: ordered.slice(0, 5).map((l) => `${l.path}:${l.line}  ${l.text.trim().slice(0, 100)}`),
    });
  }
  return out;
}

function byRank(a: Link, b: Link): number {
  const conf = Number(b.status === 'confirmed') - Number(a.status === 'confirmed');
  return conf !== 0 ? conf : b.score - a.score || a.target.localeCompare(b.target);
}

function storeLinks(ctx: AppContext, incidentId: number, links: Link[]): void {
  const db = ctx.store;
  const now = ctx.clock();
  db.transaction(() => {
    const rejected = new Set(
      (
        db
          .prepare(
            "SELECT kind || ':' || target AS k FROM incident_links WHERE incident_id = ? AND status = 'rejected'",
          )
          .all(incidentId) as { k: string }[]
      ).map((r) => r.k),
    );
    db.prepare("DELETE FROM incident_links WHERE incident_id = ? AND status != 'rejected'").run(incidentId);
    const insert = db.prepare(
      `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of links) {
      if (rejected.has(`${l.kind}:${l.target}`)) continue;
      insert.run(incidentId, l.kind, l.target, l.score, l.status, l.method, JSON.stringify(l.evidence), now);
    }
  }).immediate(); // takes the write lock before reading: a read that turned into a write could fail at once
}

export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}
