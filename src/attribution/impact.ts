import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import {
  commitModulesOf,
  commitsByWindow,
  commitSubject,
  commitSubjects,
  revertsOfShas,
} from '../store/commit-facts.js';
import { resolveSha } from '../store/commits.js';
import { deploysCarrying } from '../store/deploy-shipments.js';
import { deployFailureCounts, getDeploys } from '../store/deploys.js';
import {
  linkedIncidentIds,
  listedCommits,
  revertsOfIdentity,
  partialSummaries,
  summariesFromRows,
  summaryPage,
  summaryTotals,
  type ImpactCommits,
  type ImpactIdentity,
  type ImpactSummary,
} from '../store/impact-summaries.js';
import { incidentLines } from '../store/incident-lookup.js';
import { checkDeployTarget } from '../setup-hints.js';
import { LINK_SCORE_THRESHOLD } from '../store/incidents.js';
import { commitLinkEvidences, commitLinksTo, evidenceKey } from '../store/links.js';
import { servedRepoId } from '../store/repos.js';
import type { Identity } from './whoami.js';

/**
 * A link at or above this score (or confirmed) counts as "this deploy caused an incident": the store's strong link,
 * which deploys.linked_failure (the team's figures) is kept by.
 */
export const FAILURE_LINK_SCORE = LINK_SCORE_THRESHOLD;
const MAX_SHAS = 5_000;
/** Weaker links are noise in an answer about my changes (they stay visible in incident_suspects). */
export const SHOW_LINK_SCORE = 0.3;

export interface ImpactQuery {
  identity?: Identity;
  shas?: string[];
  since: number;
  until: number;
  env?: string;
  limit: number;
  /** the key of the last deploy of the previous page: this page starts strictly after it */
  after?: ImpactKey;
}

/** Where a deploy sits in the answer's order (weight, then newest, then id; all descending). */
export type ImpactKey = [weight: number, finishedAt: number, id: number];
/** Incidents listed per deploy; the rest are counted in moreIncidents. */
const INCIDENTS_PER_DEPLOY = 3;

export interface ImpactIncident {
  id: string;
  title: string;
  severity: string | null;
  startedAt: string;
  status: string;
  linkStatus: string;
  score: number;
  commit: string;
  reasons: string[];
}

export interface ImpactDeploy {
  id: number;
  env: string;
  service: string;
  sha: string;
  finishedAt: string;
  status: string;
  rolledBackBy: number | null;
  myCommits: { sha: string; subject: string; modules: string[] }[];
  moreCommits: number;
  /** my commits this deploy carried again after an earlier deploy of its env/service shipped them first */
  shippedAgain: number;
  incidents: ImpactIncident[];
  moreIncidents: number;
}

export interface DeployImpact {
  identity: { kind: 'agent' | 'author' | 'shas'; value: string; source: string };
  window: { since: string; until: string };
  myCommits: number;
  unshippedCommits: number;
  deploys: ImpactDeploy[];
  reverts: { sha: string; subject: string; revertedBy: string; revertedAt: string }[];
  summary: {
    myDeploys: number;
    myFailedDeploys: number;
    myChangeFailureRate: number | null;
    teamDeploys: number;
    teamFailedDeploys: number;
    teamChangeFailureRate: number | null;
    linkedIncidents: number;
    verdict: string;
  };
  limit: number;
  hasMore: boolean;
  /** the key to pass as `after` for the next page, when hasMore */
  next?: ImpactKey;
}

/** Where my commits' answers come from: summaries kept at write time (an identity), or rows (named commits). */
interface Scope {
  /** my commits (commitsBy's count: at most MAX_SHAS) */
  count: number;
  commits: ImpactCommits;
  /** deploys carrying my commits summarised from rows: every one for named commits, else those `stored` lacks */
  fromRows: ImpactSummary[];
  /** the summaries kept at write time, for the other deploys (of the env asked) */
  stored?: {
    totals: { inWindow: number; failed: number; firstAny: number; firstEnv: number };
    /** the first `limit` listed deploys after `after`, in the answer's order */
    page(after: ImpactKey | null, limit: number): ImpactSummary[];
  };
  /** my commits no deploy (of the env asked) carried, given the deploys of `fromRows` of that env and their sum */
  unshipped(deploys: readonly ImpactSummary[], shipped: number): number;
  linkedIncidents: number;
  /** reverts of my commits, in the order the answer lists them */
  reverts: { sha: string; revertedBy: string; at: number }[];
  /** the subjects of `shas` (read in one statement) */
  subjects(shas: readonly string[]): Map<string, string>;
  /**
   * Which 500-commit slice of my commits (newest first) `sha` falls in: the answer's lists were read a slice at a
   * time, so equal keys keep that order.
   */
  slice(sha: string, committedAt: number): number;
}

const SLICE = 500;

/**
 * What happened in production after my changes shipped: the deploys that carried my commits, the
 * incidents linked to those commits, reverts and rollbacks, and my change failure rate next to the team's.
 */
export function deployImpact(ctx: AppContext, q: ImpactQuery): DeployImpact {
  const db = ctx.store;
  // The team is the served repository's when it is stored (see myCommits).
  const repo = servedRepoId(db, ctx.config.repoPath) ?? null;
  // An env no deploy names would answer "none shipped" for every commit: say what is known instead.
  checkDeployTarget(db, { env: q.env });
  const scope = q.shas && q.shas.length > 0 ? namedScope(ctx, q.shas) : identityScope(ctx, q, repo);

  // Deploys carrying my commits (any env unless one is asked for). A commit is listed by the earliest deploy of an
  // env/service that carries it; later deploys that carry it again (a merge forward, a re-ship after a rollback)
  // say so instead of counting it twice. A failed deploy shipped nothing, so it lists every commit it tried to ship.
  const rows = scope.fromRows.filter((d) => (q.env ? d.env === q.env : true));
  const listedRows = rows.filter((d) => d.listed > 0);
  const totals = scope.stored?.totals ?? { inWindow: 0, failed: 0, firstAny: 0, firstEnv: 0 };
  const inWindow = (d: ImpactSummary) => d.finishedAt >= q.since && d.finishedAt <= q.until;
  const myDeploys = totals.inWindow + listedRows.filter(inWindow).length;
  const myFailed =
    totals.failed + listedRows.filter((d) => inWindow(d) && (d.status !== 'success' || d.failedLink > 0)).length;
  const shipped = rows.reduce(
    (n, d) => n + (q.env ? d.firstEnv : d.firstAny),
    q.env ? totals.firstEnv : totals.firstAny,
  );

  // What the agent must see first: deploys whose incidents point at my commits, strongest first, then the newest.
  // The id breaks ties, so the order is total and a page's last key says exactly where the next page starts.
  const keyOf = (d: ImpactSummary): ImpactKey => [
    Math.max(0, d.weight) + (d.status === 'success' ? 0 : 0.5),
    d.finishedAt,
    d.deployId,
  ];
  const candidates = [...(scope.stored?.page(q.after ?? null, q.limit + 1) ?? []), ...listedRows]
    .map((d) => ({ d, key: keyOf(d) }))
    .filter((x) => !q.after || byKey(q.after, x.key) < 0)
    .sort((a, b) => byKey(a.key, b.key));
  const page = candidates.slice(0, q.limit);
  const hasMore = candidates.length > q.limit;

  const team = deployFailureCounts(db, { since: q.since, until: q.until, env: q.env, repoId: repo });
  const listedReverts = scope.reverts.slice(0, 10);
  const views = deployViews(
    ctx,
    scope,
    page.map(({ d }) => d),
  );
  // One statement for every subject the answer shows (each was a statement: a round trip apiece on PostgreSQL).
  const subjects = scope.subjects([...listedReverts.map((r) => r.sha), ...views.flatMap((v) => v.shown)]);
  const subject = (sha: string) => subjects.get(sha) ?? '';
  const reverts: DeployImpact['reverts'] = listedReverts.map((r) => ({
    sha: r.sha.slice(0, 10),
    subject: subject(r.sha),
    revertedBy: r.revertedBy.slice(0, 10),
    revertedAt: iso(r.at),
  }));
  const myRate = myDeploys ? round2(myFailed / myDeploys) : null;
  const teamRate = team.deploys ? round2(team.failed / team.deploys) : null;
  const identity = q.shas
    ? { kind: 'shas' as const, value: `${q.shas.length} commit(s)`, source: 'argument' }
    : { kind: q.identity!.kind, value: q.identity!.value, source: q.identity!.source };
  return {
    identity,
    window: { since: iso(q.since), until: iso(q.until) },
    myCommits: scope.count,
    unshippedCommits: scope.unshipped(rows, shipped),
    deploys: views.map((v) => v.view(subject)),
    reverts,
    summary: {
      myDeploys,
      myFailedDeploys: myFailed,
      myChangeFailureRate: myRate,
      teamDeploys: team.deploys,
      teamFailedDeploys: team.failed,
      teamChangeFailureRate: teamRate,
      linkedIncidents: scope.linkedIncidents,
      // With no deploys recorded at all, the tool's set-up note says so and how to add them (setup-hints.ts).
      verdict: verdict(scope.count, myDeploys, myRate, teamRate, scope.linkedIncidents, scope.reverts.length),
    },
    limit: q.limit,
    hasMore,
    ...(hasMore ? { next: page.at(-1)!.key } : {}),
  };
}

/**
 * The listed deploys as the answer shows them: their first commits of mine and their incidents, read from rows in
 * one statement per kind for the whole page (each deploy, commit and link was a statement of its own: ~45 round
 * trips a call on PostgreSQL). `shown` are the commits whose subjects the view needs.
 */
function deployViews(
  ctx: AppContext,
  scope: Scope,
  page: readonly ImpactSummary[],
): { shown: string[]; view(subject: (sha: string) => string): ImpactDeploy }[] {
  const db = ctx.store;
  const ids = page.map((s) => s.deployId);
  const deploys = new Map(getDeploys(db, ids).map((d) => [d.id, d]));
  const listed = listedCommits(db, ids, scope.commits);
  const links = commitLinksTo(db, [...new Set(listed.map((c) => c.sha))], SHOW_LINK_SCORE);
  const lines = incidentLines(db, [...new Set(links.map((l) => l.incidentId))]);
  const parts = page.map((s) => {
    const d = deploys.get(s.deployId)!;
    const mine = listed.filter((c) => c.deployId === s.deployId);
    const sliceOf = new Map(mine.map((c) => [c.sha, scope.slice(c.sha, c.committedAt)]));
    const shas = mine
      .map((c) => c.sha)
      .sort((a, b) => sliceOf.get(a)! - sliceOf.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
    // Incidents linked to those commits that began after this deploy finished, in its env; weaker links are noise in
    // an answer about my changes (they stay visible in incident_suspects). Equal scores keep the order links were
    // read in: by slice, then commit, then incident.
    const incidents = links
      .filter((l) => sliceOf.has(l.target))
      .sort(
        (a, b) =>
          sliceOf.get(a.target)! - sliceOf.get(b.target)! ||
          (a.target < b.target ? -1 : a.target > b.target ? 1 : 0) ||
          a.incidentId - b.incidentId,
      )
      .map((l) => ({ l, inc: lines.get(l.incidentId)! }))
      .filter(({ inc }) => inc.startedAt > d.finishedAt && inc.env === d.env)
      .sort((a, b) => Number(b.l.status === 'confirmed') - Number(a.l.status === 'confirmed') || b.l.score - a.l.score);
    return { s, d, shas, incidents, shown: shas.slice(0, 5), told: incidents.slice(0, INCIDENTS_PER_DEPLOY) };
  });
  const modules = commitModulesOf(db, [...new Set(parts.flatMap((p) => p.shown))]);
  const evidence = commitLinkEvidences(
    db,
    parts.flatMap((p) => p.told.map(({ l }) => ({ incidentId: l.incidentId, sha: l.target }))),
  );
  return parts.map(({ s, d, shas, incidents, shown, told }) => ({
    shown,
    view: (subject) => ({
      id: d.id,
      env: d.env,
      service: d.service,
      sha: d.sha.slice(0, 10),
      finishedAt: iso(d.finishedAt),
      status: d.status,
      rolledBackBy: d.rolledBackByDeployId,
      myCommits: shown.map((sha) => ({
        sha: sha.slice(0, 10),
        subject: subject(sha),
        modules: modules.get(sha) ?? [],
      })),
      moreCommits: Math.max(0, shas.length - 5),
      shippedAgain: s.carried - s.listed,
      incidents: told.map(({ l, inc }) => ({
        id: inc.id,
        title: inc.title,
        severity: inc.severity,
        startedAt: iso(inc.startedAt),
        status: inc.status,
        linkStatus: l.status,
        score: l.score,
        commit: l.target.slice(0, 10),
        reasons: (evidence.get(evidenceKey(l.incidentId, l.target))?.reasons ?? []).slice(0, 3),
      })),
      moreIncidents: Math.max(0, incidents.length - INCIDENTS_PER_DEPLOY),
    }),
  }));
}

const countsAsFailure = (l: { score: number; status: string }) =>
  l.status === 'confirmed' || l.score >= FAILURE_LINK_SCORE;

/** Commits named by the caller (at most 200): everything from rows. */
function namedScope(ctx: AppContext, refs: readonly string[]): Scope {
  const db = ctx.store;
  const mine = refs.map((ref, i) => {
    const sha = resolveSha(db, ref, `shas[${i}]`);
    if (!sha)
      throw new UserInputError(
        `shas[${i}] '${ref}' is not an ingested commit; run 'hindsight ingest git' or check the sha`,
        `shas[${i}]`,
      );
    return commitSubject(db, sha)!;
  });
  const shas = mine.map((c) => c.sha);
  const subjects = new Map(mine.map((c) => [c.sha, c.subject]));
  const carriers = deploysCarrying(db, shas);
  const commits: ImpactCommits = { shas };
  return {
    count: mine.length,
    commits,
    fromRows: summariesFromRows(db, [...new Set(carriers.map((c) => c.id))], commits),
    unshipped(deploys) {
      const ids = new Set(deploys.map((d) => d.deployId));
      const shipped = new Set(carriers.filter((c) => ids.has(c.id)).map((c) => c.sha));
      return mine.filter((c) => !shipped.has(c.sha)).length;
    },
    linkedIncidents: new Set(
      commitLinksTo(db, shas, SHOW_LINK_SCORE)
        .filter(countsAsFailure)
        .map((l) => l.incidentId),
    ).size,
    reverts: revertsOfShas(db, shas),
    subjects: (wanted) => new Map(wanted.flatMap((sha) => (subjects.has(sha) ? [[sha, subjects.get(sha)!]] : []))),
    slice: () => 0,
  };
}

/**
 * An identity's commits in the window (at most MAX_SHAS, newest first): its deploys from the summaries kept at
 * write time (store/impact-summaries.ts); from rows only the deploys a writer changed since, those that also carry
 * commits outside the window, and those carrying commits at the MAX_SHAS cut.
 */
function identityScope(ctx: AppContext, q: ImpactQuery, repo: number | null): Scope {
  const db = ctx.store;
  const id = q.identity!;
  // "My changes shipped here": in a database that holds a whole organisation, only the served repository's commits
  // (every repository's when it was not ingested, e.g. a server started outside any of them). Named shas are not.
  const kind: ImpactIdentity['kind'] = id.kind === 'agent' ? 'agent' : id.value.includes('@') ? 'email' : 'name';
  const who = { kind, value: id.value };
  const window = commitsByWindow(db, who, { since: q.since, until: q.until, repoId: repo, limit: MAX_SHAS });
  const times = window.times;
  const lo = window.cut ? window.cut.after + 1 : q.since;
  const edge = window.cut?.edge ?? [];
  const owner = { kind, value: id.value, repoId: repo };
  const commits: ImpactCommits = { who: owner, lo, hi: q.until, edge };

  // From rows: deploys a writer changed since (not yet recomputed), deploys that also carry commits outside the
  // window, and those carrying commits at the cut.
  const fromRows = [
    ...new Set([...partialSummaries(db, owner, lo, q.until), ...deploysCarrying(db, edge).map((r) => r.id)]),
  ];
  const part = { lo, hi: q.until, env: q.env ?? null, excluded: fromRows };
  const edgeLinks = commitLinksTo(db, edge, SHOW_LINK_SCORE).filter(countsAsFailure);
  const linked = new Set([...linkedIncidentIds(db, owner, lo, q.until), ...edgeLinks.map((l) => l.incidentId)]);
  // My commits committed after t: the first index of a time not after t in the newest-first list.
  const slice = (_sha: string, t: number) => {
    let [from, to] = [0, times.length];
    while (from < to) {
      const mid = (from + to) >> 1;
      if (times[mid]! > t) from = mid + 1;
      else to = mid;
    }
    return Math.floor(from / SLICE);
  };
  const reverts = [
    ...revertsOfIdentity(db, owner, lo, q.until),
    ...revertsOfShas(db, edge).map((r) => ({ ...r, committedAt: window.cut!.after })),
  ]
    .map((r) => ({ r, slice: slice(r.sha, r.committedAt) }))
    .sort((a, b) => a.slice - b.slice || b.r.at - a.r.at)
    .map(({ r }) => ({ sha: r.sha, revertedBy: r.revertedBy, at: r.at }));
  return {
    count: times.length,
    commits,
    fromRows: summariesFromRows(db, fromRows, commits),
    stored: {
      totals: summaryTotals(db, owner, { ...part, since: q.since, until: q.until }),
      page: (after, limit) => summaryPage(db, owner, { ...part, after, limit }),
    },
    unshipped: (_deploys, shipped) => times.length - shipped,
    linkedIncidents: linked.size,
    reverts,
    subjects: (shas) => commitSubjects(db, [...new Set(shas)]),
    slice,
  };
}

/** Descending by weight, then time, then id. */
function byKey(a: ImpactKey, b: ImpactKey): number {
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
}

function verdict(
  commits: number,
  deploys: number,
  mine: number | null,
  team: number | null,
  incidents: number,
  reverts: number,
): string {
  if (commits === 0) return 'No commits of yours in this window.';
  if (deploys === 0) return `${commits} commit(s), none shipped in a deploy in this window yet.`;
  const parts = [`${commits} commit(s) shipped in ${deploys} deploy(s)`];
  if (incidents > 0) parts.push(`${incidents} incident(s) linked to your changes`);
  if (reverts > 0) parts.push(`${reverts} revert(s) of your commits`);
  if (mine !== null && team !== null) {
    parts.push(
      mine > team
        ? `your change failure rate ${pct(mine)} is above the team's ${pct(team)}`
        : `your change failure rate ${pct(mine)} vs the team's ${pct(team)}`,
    );
  }
  return `${parts.join('; ')}.`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
