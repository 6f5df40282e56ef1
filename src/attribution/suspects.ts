import type { AppContext } from '../context.js';
import { replaceLinks } from '../store/links.js';
import type { Db } from '../store/open.js';
import {
  allReverts,
  candidateDeploys,
  commitPathModules,
  commitRow,
  commitsOfDeploy,
  firstRevert,
  incidentFacts,
  incidentOwnFiles,
  latestDeployOf,
  type CommitRow,
  type DeployFactsRow,
  type IncidentFactsRow,
  type PathModule,
} from '../store/suspect-facts.js';
import { changeTestOptions, describeChange, errorRateStep } from '../history/signal-change.js';
import { confirmations, type Confirmation, type ConfirmationMethod } from './confirmations.js';
import { isTestPath } from './filters.js';
import { pathsMatch } from './paths.js';
import { FailureIndex } from './recurrence.js';
import { LOOKBACK_MS, MIN_SCORE, WEIGHTS, noisyOr, round, sizeScore, timeDecay } from './score.js';

export { isTestPath } from './filters.js';

export type LinkStatus = 'suspect' | 'confirmed' | 'rejected';
export type LinkMethod = 'heuristic' | 'rollback' | ConfirmationMethod;

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

interface IncidentFacts extends IncidentFactsRow {
  files: PathModule[];
}

type DeployFacts = DeployFactsRow;

interface CommitFacts extends CommitRow {
  files: PathModule[];
  deploy: DeployFacts | null;
  revertedBy: { sha: string; at: number } | null;
}

const MAX_COMMIT_LINKS = 25;
const MAX_DEPLOY_LINKS = 10;
const MAX_CANDIDATE_DEPLOYS = 30;
/** Entries per memo before it starts over: incidents attributed in start order share most of their candidates. */
const MEMO_LIMIT = 50_000;

/**
 * What an attribution run keeps from one incident to the next: the same-failure index, and the facts of deploys and
 * commits that do not change while it runs (neighbouring incidents share most of their candidates). Bounded.
 */
export class AttributionMemo {
  readonly failures: FailureIndex;
  private readonly deployCommits = new Map<number, CommitRow[]>();
  private readonly commitFiles = new Map<string, PathModule[]>();
  private reverts: Map<string, { sha: string; at: number }> | undefined;

  constructor(private readonly db: Db) {
    this.failures = new FailureIndex(db);
  }

  commitsOfDeploy(deployId: number): CommitRow[] {
    return remember(this.deployCommits, deployId, () => commitsOfDeploy(this.db, deployId));
  }

  filesOf(sha: string): PathModule[] {
    return remember(this.commitFiles, sha, () => commitPathModules(this.db, sha));
  }

  /** The first revert of a commit, whenever it came (attribution reads everything known). */
  revertOf(sha: string): { sha: string; at: number } | null {
    if (!this.reverts) {
      this.reverts = new Map();
      for (const r of allReverts(this.db))
        if (!this.reverts.has(r.revertedSha)) this.reverts.set(r.revertedSha, { sha: r.sha, at: r.at });
    }
    return this.reverts.get(sha) ?? null;
  }
}

function remember<K, V>(memo: Map<K, V>, key: K, load: () => V): V {
  if (memo.has(key)) return memo.get(key)!;
  const value = load();
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * Computes and stores the links of one incident: shipped changes ranked as suspects, and confirmed causes from a
 * root-cause sha, a fix (blamed at its parent), a revert, a rollback or a recurrence. Links a human rejected stay
 * rejected. A newly confirmed cause also explains the earlier occurrences of the same failure: they are marked
 * pending in the same transaction, for refreshAttribution to pick up.
 */
export async function attributeIncident(
  ctx: AppContext,
  incidentId: number,
  memo = new AttributionMemo(ctx.store),
): Promise<Link[]> {
  const incident = loadIncident(ctx, incidentId);
  if (!incident) return [];
  const links = await computeLinks(ctx, incident, memo);
  const explains = links.some(
    (l) => l.status === 'confirmed' && (l.method === 'fix-blame' || l.method === 'root-cause'),
  );
  const earlier = explains ? memo.failures.earlierOccurrences(incident).map((r) => r.id) : [];
  replaceLinks(ctx.store, incidentId, links, ctx.clock(), earlier);
  memo.failures.linksChanged(incidentId);
  return links;
}

function loadIncident(ctx: AppContext, id: number): IncidentFacts | undefined {
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
  return { deploys, commits };
}

/** Files and the first revert of each candidate; a revert after `asOf` is not known yet. */
function fillCommitFacts(
  ctx: AppContext,
  commits: Map<string, CommitFacts>,
  asOf = Number.MAX_SAFE_INTEGER,
  memo?: AttributionMemo,
): void {
  for (const c of commits.values()) {
    if (memo && asOf === Number.MAX_SAFE_INTEGER) {
      c.files = memo.filesOf(c.sha);
      c.revertedBy = memo.revertOf(c.sha);
    } else {
      c.files = commitPathModules(ctx.store, c.sha);
      c.revertedBy = firstRevert(ctx.store, c.sha, asOf) ?? null;
    }
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

async function computeLinks(ctx: AppContext, inc: IncidentFacts, memo: AttributionMemo): Promise<Link[]> {
  const { deploys, commits } = gatherCandidates(ctx, inc, {}, memo);
  const links = new Map<string, Link>();
  const key = (l: Pick<Link, 'kind' | 'target'>) => `${l.kind}:${l.target}`;
  const confirmed = await confirmations(ctx, inc, memo.failures);
  const bySha = new Map<string, Confirmation>();
  for (const c of confirmed.commits) if (!bySha.has(c.sha)) bySha.set(c.sha, c);
  for (const c of confirmed.commits) {
    if (!commits.has(c.sha)) {
      const facts = commitFacts(ctx, c.sha, inc);
      if (facts) commits.set(c.sha, facts);
    }
  }

  fillCommitFacts(ctx, commits, undefined, memo);
  const history = fileHistory(inc, commits);
  for (const c of commits.values()) {
    const link = scoreCommit(inc, c, history);
    const conf = bySha.get(c.sha);
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
    .map((d) =>
      scoreDeploy(
        inc,
        d,
        commitLinks,
        commits,
        errorRateStep(ctx.store, { ...inc, at: d.finishedAt }, changeTestOptions(ctx.config)),
      ),
    )
    .filter((l) => l.score >= MIN_SCORE || l.status === 'confirmed')
    .sort(byRank)
    .slice(0, MAX_DEPLOY_LINKS);
  const notes = confirmed.notes;
  if (notes.length > 0 && commitLinks[0]) commitLinks[0].evidence.reasons.push(...notes.map((n) => `note: ${n}`));
  return [...commitLinks, ...deployLinks];
}

function commitFacts(ctx: AppContext, sha: string, inc: IncidentFacts): CommitFacts | undefined {
  const c = commitRow(ctx.store, sha);
  if (!c) return undefined;
  const deploy = latestDeployOf(ctx.store, sha, inc.env, inc.startedAt);
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

function scoreDeploy(
  inc: IncidentFacts,
  d: DeployFacts,
  commitLinks: Link[],
  commits: Map<string, CommitFacts>,
  step?: ReturnType<typeof errorRateStep>,
): Link {
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
  // Production said so too: the error rate stepped up when this deploy finished. Weighed like the time evidence:
  // a step long before the incident says less about it.
  if (step) {
    const strength = Math.min(1, step.verdict.robustZ / WEIGHTS.errorStepFullZ) * timeDecay(hours);
    score = noisyOr([score, WEIGHTS.errorStep * strength]);
    factors['errorStep'] = round(strength);
    reasons.push(describeChange(step, step.windowMs));
  }
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

function byRank(a: Link, b: Link): number {
  const conf = Number(b.status === 'confirmed') - Number(a.status === 'confirmed');
  return conf !== 0 ? conf : b.score - a.score || a.target.localeCompare(b.target);
}

export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}
