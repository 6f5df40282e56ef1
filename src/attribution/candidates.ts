import type { AppContext } from '../context.js';
import {
  candidateDeploys,
  commitPathModulesOf,
  commitRow,
  commitsOfDeploy,
  firstRevertsOf,
  incidentFacts,
  incidentOwnFiles,
  latestDeployOf,
  liveSinceDeploysOf,
  shippedChangesTo,
  type CommitFile,
  type CommitRow,
  type DeployFactsRow,
  type IncidentFactsRow,
  type PathModule,
} from '../store/suspect-facts.js';
import type { AttributionMemo } from './memo.js';
import { LOOKBACK_MS } from './score.js';

// Loading the evidence attribution weighs: the incident, the deploys shipped before it, the commits they carried,
// and each commit's files, deploy and first revert.

export interface IncidentFacts extends IncidentFactsRow {
  files: PathModule[];
}

export type DeployFacts = DeployFactsRow;

export interface CommitFacts extends CommitRow {
  /** the files it changed, with the lines changed in each when known */
  files: (PathModule & Partial<Pick<CommitFile, 'lines'>>)[];
  deploy: DeployFacts | null;
  revertedBy: { sha: string; at: number } | null;
}

const MAX_CANDIDATE_DEPLOYS = 30;
/**
 * Latest shipped changes per file the incident names, however old (issue 16: the cause had shipped before the
 * 30-day window for 64–81 % of incidents on real repositories). Bounded so candidate generation stays a few index
 * reads per file.
 */
const CHANGES_PER_FILE = 50;
/** at most this many of the incident's files and frames are looked up */
const MAX_FILES = 12;

/** The incident with the files and frames it names (vendored code left out); undefined when it does not exist. */
export function loadIncident(ctx: AppContext, id: number): IncidentFacts | undefined {
  const row = incidentFacts(ctx.store, id);
  return row && { ...row, files: incidentOwnFiles(ctx.store, id) };
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
  /**
   * the latest shipped changes to each file the incident names (or to its module when it names no file),
   * whenever they shipped (default 50; 0: only the commits of the recent deploys, the rule before issue 16)
   */
  changesPerFile?: number;
  /** map the model's scores to chances fitted on the repository's earlier confirmed incidents (default true) */
  calibrate?: boolean;
}

/** The incident as suspect ranking sees it: when, where, and which files or frames it names. */
export type SuspectQuery = Pick<IncidentFacts, 'startedAt' | 'env' | 'service' | 'module' | 'files'>;

/** The deploys shipped to the incident's environment before it began, and the commits they carried. */
export function gatherCandidates(
  ctx: AppContext,
  inc: SuspectQuery,
  options: SuspectOptions,
  memo?: AttributionMemo,
): { deploys: DeployFacts[]; commits: Map<string, CommitFacts> } {
  const asOf = options.asOf ?? Number.MAX_SAFE_INTEGER;
  const deploys = candidateDeploys(ctx.store, {
    env: inc.env,
    service: inc.service,
    before: inc.startedAt,
    from: inc.startedAt - (options.lookbackMs ?? LOOKBACK_MS),
    limit: options.maxDeploys ?? MAX_CANDIDATE_DEPLOYS,
  }).map((d) =>
    // A rollback that had not happened yet at `asOf` is unknown.
    d.rolledBackAt !== null && d.rolledBackAt >= asOf ? { ...d, rolledBackAt: null, rolledBackBy: null } : d,
  );

  // A commit re-shipped after a rollback counts from its latest deploy before the incident.
  const commits = new Map<string, CommitFacts>();
  const paths = options.relatedOnly ? [...new Set(inc.files.map((f) => f.path))] : [];
  if (options.relatedOnly && paths.length === 0) return { deploys, commits };
  for (const d of deploys) {
    const shipped = memo && !options.relatedOnly ? memo.commitsOfDeploy(d.id) : commitsOfDeploy(ctx.store, d.id, paths);
    for (const c of shipped) {
      if (!commits.has(c.sha)) commits.set(c.sha, { ...c, files: [], deploy: d, revertedBy: null });
    }
  }
  addFileHistory(ctx, inc, options.changesPerFile ?? CHANGES_PER_FILE, asOf, commits);
  return { deploys, commits };
}

/**
 * Older shipped changes to what the incident names, found by the (path, time) and (module, time) indexes: time is
 * then one piece of evidence in the score, not a wall. Each counts from the deploy that put it live.
 */
function addFileHistory(
  ctx: AppContext,
  inc: SuspectQuery,
  perFile: number,
  asOf: number,
  commits: Map<string, CommitFacts>,
): void {
  if (perFile <= 0) return;
  const q = { env: inc.env, service: inc.service, before: inc.startedAt, limit: perFile };
  const found: CommitRow[] = [];
  const paths = [...new Set(inc.files.map((f) => f.path))].slice(0, MAX_FILES);
  for (const path of paths) {
    for (const p of repositoryPaths(path)) {
      const rows = shippedChangesTo(ctx.store, 'path', p, q);
      found.push(...rows);
      if (rows.length > 0) break;
    }
  }
  if (paths.length === 0 && inc.module) found.push(...shippedChangesTo(ctx.store, 'module', inc.module, q));
  const fresh = found.filter((c) => !commits.has(c.sha));
  const lives = liveSinceDeploysOf(
    ctx.store,
    fresh.map((c) => c.sha),
    { env: inc.env, service: inc.service, before: inc.startedAt },
  );
  for (const c of fresh) {
    const live = lives.get(c.sha);
    if (!live || commits.has(c.sha)) continue;
    const deploy =
      live.rolledBackAt !== null && live.rolledBackAt >= asOf
        ? { ...live, rolledBackAt: null, rolledBackBy: null }
        : live;
    commits.set(c.sha, { ...c, files: [], deploy, revertedBy: null });
  }
}

/**
 * The repository paths a named file may be, longest first: a stack frame's `/app/src/pay/gateway.ts` is looked up
 * as itself, then `src/pay/gateway.ts`, `pay/gateway.ts` (each an exact index read; the first that has history wins).
 */
function repositoryPaths(path: string): string[] {
  const parts = path.replace(/^\/+/, '').split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length - 1 && out.length < 6; i++) out.push(parts.slice(i).join('/'));
  if (out.length === 0) out.push(parts.join('/'));
  return out;
}

/** Files and the first revert of each candidate; a revert after `asOf` is not known yet. */
export function fillCommitFacts(
  ctx: AppContext,
  commits: Map<string, CommitFacts>,
  asOf = Number.MAX_SAFE_INTEGER,
  memo?: AttributionMemo,
): void {
  if (memo && asOf === Number.MAX_SAFE_INTEGER) {
    const files = memo.filesOf([...commits.keys()]);
    for (const c of commits.values()) {
      c.files = files.get(c.sha) ?? [];
      c.revertedBy = memo.revertOf(c.sha);
    }
    return;
  }
  const shas = [...commits.keys()];
  const files = commitPathModulesOf(ctx.store, shas);
  const reverts = firstRevertsOf(ctx.store, shas, asOf);
  for (const c of commits.values()) {
    c.files = files.get(c.sha) ?? [];
    c.revertedBy = reverts.get(c.sha) ?? null;
  }
}

/** A commit outside the candidates (a confirmed cause shipped long ago), with its latest deploy before the incident. */
export function commitFacts(ctx: AppContext, sha: string, inc: IncidentFacts): CommitFacts | undefined {
  const c = commitRow(ctx.store, sha);
  if (!c) return undefined;
  const deploy = latestDeployOf(ctx.store, sha, inc.env, inc.startedAt);
  return { ...c, files: [], deploy: deploy ?? null, revertedBy: null };
}
