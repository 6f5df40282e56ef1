import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { commitModules, commitsBy, commitSubject, revertsOfShas } from '../store/commit-facts.js';
import { resolveSha } from '../store/commits.js';
import { deploysCarrying } from '../store/deploy-shipments.js';
import { deployFailureCounts, getDeploys } from '../store/deploys.js';
import { incidentLines, type IncidentLine } from '../store/incident-lookup.js';
import { checkDeployTarget } from '../setup-hints.js';
import { LINK_SCORE_THRESHOLD } from '../store/incidents.js';
import { commitLinkEvidence, commitLinksTo } from '../store/links.js';
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

interface MyCommit {
  sha: string;
  subject: string;
}

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
  const mine = myCommits(ctx, q, repo);
  const shaList = mine.map((c) => c.sha);
  const mySet = new Set(shaList);
  const subjects = new Map(mine.map((c) => [c.sha, c.subject]));

  // Deploys carrying my commits (any env unless one is asked for), newest first.
  const deployOf = new Map<number, string[]>();
  for (const r of deploysCarrying(db, shaList)) {
    const list = deployOf.get(r.id);
    if (list) list.push(r.sha);
    else deployOf.set(r.id, [r.sha]);
  }
  const deployRows = getDeploys(db, [...deployOf.keys()])
    .filter((d) => (q.env ? d.env === q.env : true))
    .sort((a, b) => b.finishedAt - a.finishedAt || b.id - a.id);

  // Incidents linked to my commits: only links shown or counted (weaker ones are never used below), and without their
  // evidence, read only for the deploys the answer lists (an agent's 5,000 commits have ~1,000 links).
  const linkRows = commitLinksTo(db, shaList, SHOW_LINK_SCORE);
  const incidentRows = incidentLines(db, [...new Set(linkRows.map((l) => l.incidentId))]);
  const incident = (id: number): IncidentLine => incidentRows.get(id)!;
  const countsAsFailure = (l: { score: number; status: string }) =>
    l.status === 'confirmed' || l.score >= FAILURE_LINK_SCORE;

  // Links by commit, so each deploy reads only its own (an agent's 5,000 commits span thousands of deploys).
  const linksOf = new Map<string, typeof linkRows>();
  const order = new Map(linkRows.map((l, i) => [l, i]));
  for (const l of linkRows) {
    const list = linksOf.get(l.target);
    if (list) list.push(l);
    else linksOf.set(l.target, [l]);
  }

  // A commit is first shipped by the earliest deploy of an env/service that carries it; later deploys that carry it
  // again (a merge forward, a re-ship after a rollback) say so instead of counting it twice. A failed deploy shipped
  // nothing, so it keeps every commit it tried to ship.
  const firstShipped = new Map<string, number>();
  const shipKey = (d: { env: string; service: string }, sha: string) => `${d.env}\0${d.service}\0${sha}`;
  for (const d of [...deployRows].sort((a, b) => a.finishedAt - b.finishedAt || a.id - b.id)) {
    if (d.status === 'failure') continue;
    for (const s of deployOf.get(d.id) ?? [])
      if (!firstShipped.has(shipKey(d, s))) firstShipped.set(shipKey(d, s), d.id);
  }

  const shippedShas = new Set<string>();
  // The link behind each listed incident, to read its evidence for the deploys the answer lists.
  const linkOf = new Map<ImpactIncident, { incidentId: number; target: string }>();
  const deploys: ImpactDeploy[] = deployRows.flatMap((d) => {
    const carried = deployOf.get(d.id) ?? [];
    carried.forEach((s) => shippedShas.add(s));
    const shas = carried.filter((s) => d.status === 'failure' || firstShipped.get(shipKey(d, s)) === d.id);
    if (shas.length === 0) return [];
    const incidents = shas
      .flatMap((s) => linksOf.get(s) ?? [])
      .sort((a, b) => order.get(a)! - order.get(b)!) // the query's order, so equal scores rank as before
      .map((l) => {
        const inc = incident(l.incidentId);
        return {
          env: inc.env,
          id: inc.id,
          title: inc.title,
          severity: inc.severity,
          startedAt: iso(inc.startedAt),
          status: inc.status,
          linkStatus: l.status,
          score: l.score,
          commit: l.target.slice(0, 10),
          // Filled below, only for the deploys the answer lists.
          reasons: [] as string[],
          link: l,
          startedMs: inc.startedAt,
        };
      })
      // An incident is only "after my deploy" if it began after this deploy finished.
      .filter(
        (i) =>
          i.startedMs > d.finishedAt && i.env === d.env && (i.linkStatus === 'confirmed' || i.score >= SHOW_LINK_SCORE),
      )
      .sort((a, b) => Number(b.linkStatus === 'confirmed') - Number(a.linkStatus === 'confirmed') || b.score - a.score)
      .map(({ startedMs: _s, env: _e, link, ...rest }) => {
        linkOf.set(rest, link);
        return rest;
      });
    return {
      id: d.id,
      env: d.env,
      service: d.service,
      sha: d.sha.slice(0, 10),
      finishedAt: iso(d.finishedAt),
      status: d.status,
      rolledBackBy: d.rolledBackByDeployId,
      // Modules are read below, only for the deploys the answer lists.
      myCommits: shas.slice(0, 5).map((s) => ({ sha: s, subject: subjects.get(s) ?? '', modules: [] })),
      moreCommits: Math.max(0, shas.length - 5),
      shippedAgain: carried.length - shas.length,
      incidents,
      moreIncidents: 0,
    };
  });

  // What the agent must see first: deploys whose incidents point at my commits, strongest first, then the newest.
  const weight = (d: ImpactDeploy) =>
    Math.max(0, ...d.incidents.map((i) => (i.linkStatus === 'confirmed' ? 2 : 0) + i.score)) +
    (d.status === 'success' ? 0 : 0.5);
  // The id breaks ties, so the order is total and a page's last key says exactly where the next page starts.
  const keys = new Map(deploys.map((d) => [d, [weight(d), Date.parse(d.finishedAt), d.id] as ImpactKey]));
  deploys.sort((a, b) => byKey(keys.get(a)!, keys.get(b)!));
  const start = q.after ? deploys.findIndex((d) => byKey(q.after!, keys.get(d)!) < 0) : 0;
  const page = start < 0 ? [] : deploys.slice(start, start + q.limit);
  const hasMore = start >= 0 && start + q.limit < deploys.length;
  const failed = (d: ImpactDeploy) =>
    d.status !== 'success' || d.incidents.some((i) => i.linkStatus === 'confirmed' || i.score >= FAILURE_LINK_SCORE);
  const inWindow = deploys.filter((d) => Date.parse(d.finishedAt) >= q.since && Date.parse(d.finishedAt) <= q.until);
  const myFailed = inWindow.filter(failed).length;

  const team = deployFailureCounts(db, { since: q.since, until: q.until, env: q.env, repoId: repo });

  const reverts: DeployImpact['reverts'] = revertsOfShas(db, shaList).map((r) => ({
    sha: r.sha.slice(0, 10),
    subject: subjects.get(r.sha) ?? '',
    revertedBy: r.revertedBy.slice(0, 10),
    revertedAt: iso(r.at),
  }));

  const linkedIncidents = new Set(linkRows.filter(countsAsFailure).map((l) => l.incidentId)).size;
  const myRate = inWindow.length ? round2(myFailed / inWindow.length) : null;
  const teamRate = team.deploys ? round2(team.failed / team.deploys) : null;
  const identity = q.shas
    ? { kind: 'shas' as const, value: `${q.shas.length} commit(s)`, source: 'argument' }
    : { kind: q.identity!.kind, value: q.identity!.value, source: q.identity!.source };
  return {
    identity,
    window: { since: iso(q.since), until: iso(q.until) },
    myCommits: mine.length,
    unshippedCommits: mine.filter((c) => !shippedShas.has(c.sha)).length,
    deploys: page.map((d) => ({
      ...d,
      myCommits: d.myCommits.map((c) => ({
        ...c,
        sha: c.sha.slice(0, 10),
        modules: commitModules(db, c.sha),
      })),
      incidents: d.incidents.slice(0, INCIDENTS_PER_DEPLOY).map((i) => {
        const l = linkOf.get(i);
        const e = l ? commitLinkEvidence(db, l.incidentId, l.target) : undefined;
        return { ...i, reasons: (e?.reasons ?? []).slice(0, 3) };
      }),
      moreIncidents: Math.max(0, d.incidents.length - INCIDENTS_PER_DEPLOY),
    })),
    reverts: reverts.slice(0, 10),
    summary: {
      myDeploys: inWindow.length,
      myFailedDeploys: myFailed,
      myChangeFailureRate: myRate,
      teamDeploys: team.deploys,
      teamFailedDeploys: team.failed,
      teamChangeFailureRate: teamRate,
      linkedIncidents,
      // With no deploys recorded at all, the tool's set-up note says so and how to add them (setup-hints.ts).
      verdict: verdict(mine.length, inWindow.length, myRate, teamRate, linkedIncidents, reverts.length, mySet.size),
    },
    limit: q.limit,
    hasMore,
    ...(hasMore ? { next: keys.get(page.at(-1)!)! } : {}),
  };
}

/** Descending by weight, then time, then id. */
function byKey(a: ImpactKey, b: ImpactKey): number {
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
}

function myCommits(ctx: AppContext, q: ImpactQuery, repo: number | null): MyCommit[] {
  const db = ctx.store;
  if (q.shas && q.shas.length > 0) {
    return q.shas.map((ref, i) => {
      const sha = resolveSha(db, ref, `shas[${i}]`);
      if (!sha)
        throw new UserInputError(
          `shas[${i}] '${ref}' is not an ingested commit; run 'hindsight ingest git' or check the sha`,
          `shas[${i}]`,
        );
      return commitSubject(db, sha)!;
    });
  }
  const id = q.identity!;
  // "My changes shipped here": in a database that holds a whole organisation, only the served repository's commits
  // (every repository's when it was not ingested, e.g. a server started outside any of them). Named shas are not.
  const kind = id.kind === 'agent' ? 'agent' : id.value.includes('@') ? 'email' : 'name';
  return commitsBy(db, { kind, value: id.value }, { since: q.since, until: q.until, repoId: repo, limit: MAX_SHAS });
}

function verdict(
  commits: number,
  deploys: number,
  mine: number | null,
  team: number | null,
  incidents: number,
  reverts: number,
  _n: number,
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
