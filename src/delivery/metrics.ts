import type { AppContext } from '../context.js';
import {
  causeLinks,
  deliveryDeploys,
  deliveryIncidents,
  existingDeploys,
  failureCommits,
  firstShippingDeploy,
  fixReferences,
  incidentFixShas,
  shippedCommits,
  type DeliveryDeploy,
  type DeliveryIncident,
  type ShippedCommit,
} from '../store/delivery.js';
import { deployRef, latestDeployBefore } from '../store/deploys.js';
import { median, percentile } from '../triage/kpis.js';
import { ATTRIBUTION_RULES, DORA_SOURCE, METRIC_DEFINITIONS, METRIC_NAMES } from './definitions.js';
import { checkDeployTarget } from '../setup-hints.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export type AuthorKind = 'human' | 'agent' | 'pair';
const KINDS: readonly AuthorKind[] = ['human', 'agent', 'pair'];

/** One window's figures; times in hours, rates as fractions, null when there is nothing to measure. */
export interface Figures {
  deploys: number;
  perWeek: number;
  changes: number;
  leadMedianH: number | null;
  leadP90H: number | null;
  failed: number;
  failRate: number | null;
  recoveryMedianH: number | null;
  recoveryP90H: number | null;
  unrecovered: number;
  rework: number;
  reworkRate: number | null;
}

/** A group's figures in the window, in the previous one, and the change (current − previous). */
export interface GroupFigures {
  key: string;
  current: Figures;
  previous: Figures;
  delta: { [K in keyof Figures]: number | null };
}

export interface DeliveryQuery {
  now: number;
  windowDays: number;
  env?: string | undefined;
  service?: string | undefined;
  /** Agents to list, most deploys first. */
  agentLimit: number;
}

export interface DeliveryMetrics {
  window: { since: string; until: string; days: number };
  previous: { since: string; until: string };
  scope: { env: string | null; service: string | null };
  overall: GroupFigures;
  byKind: GroupFigures[];
  byAgent: GroupFigures[];
  moreAgents: number;
  byTarget: GroupFigures[];
  incidents: {
    started: number;
    causedByDeploy: number;
    notCausedByDeploy: number;
    notCausedExamples: string[];
  };
  /**
   * Only when no deploy in scope finished in the window: the newest one before it, so that an all-empty answer about
   * a repository whose last release is months old says where its deploys are instead of reading as "nothing shipped".
   */
  latestDeploy?: QuietWindowHint;
  definitions: { name: string; better: 'lower' | 'higher'; definition: string }[];
  rules: string[];
  source: string;
}

export interface QuietWindowHint {
  id: number;
  ref: string | null;
  env: string;
  service: string;
  finishedAt: string;
  /** days from its finish to the window's end, rounded up: the window that would include it */
  daysBeforeEnd: number;
}

/** What every group's figures are computed from: the deploys of both windows and what was learned about them. */
interface Facts {
  /** Per deploy: the commits it shipped first. */
  commits: Map<number, ShippedCommit[]>;
  /** Failed deploys: status failure/rolled_back, or the cause of an incident. */
  failed: Set<number>;
  /** Incidents caused by each deploy. */
  incidentsOf: Map<number, DeliveryIncident[]>;
  rework: Set<number>;
  /** Per deploy, the next deploy of its env/service (in time order), for recovery without incidents. */
  next: Map<number, DeliveryDeploy | undefined>;
}

/**
 * DORA's five keys for a window ending at `now` and the one before it, overall, per author kind, per agent and per
 * env/service (see ./definitions.ts for what is counted).
 */
export function deliveryMetrics(ctx: AppContext, q: DeliveryQuery): DeliveryMetrics {
  const db = ctx.store;
  const until = q.now;
  const since = until - q.windowDays * DAY;
  const prevSince = since - q.windowDays * DAY;
  // A misspelt env or service would read as "no deploys, nothing failed": name the known ones instead.
  checkDeployTarget(db, { env: q.env, service: q.service });
  const env = q.env ?? null;
  const service = q.service ?? null;

  const deploys = deliveryDeploys(db, { since: prevSince, until, env, service });
  const incidents = deliveryIncidents(db, { since: prevSince, until, env });
  const causes = incidentCauses(ctx, incidents);
  const facts = gatherFacts(ctx, deploys, incidents, causes);

  const inCurrent = (d: DeliveryDeploy) => d.finishedAt >= since;
  const current = deploys.filter(inCurrent);
  const previous = deploys.filter((d) => !inCurrent(d));
  // Deploy figures count the deploys `pick` selects; lead times, the `commit`s shipped by any deploy in scope (a human
  // commit in an agent's deploy is still a human change), else by the picked ones.
  const group = (
    key: string,
    pick: (d: DeliveryDeploy) => boolean,
    commit: (c: ShippedCommit) => boolean,
    leadScope: (d: DeliveryDeploy) => boolean = pick,
  ) => {
    const cur = figures(current.filter(pick), current.filter(leadScope), facts, commit, q.windowDays);
    const prev = figures(previous.filter(pick), previous.filter(leadScope), facts, commit, q.windowDays);
    return { key, current: cur, previous: prev, delta: deltas(cur, prev) };
  };

  const kindOf = new Map(deploys.map((d) => [d.id, deployKind(facts.commits.get(d.id) ?? [])]));
  const byKind = KINDS.map((k) =>
    group(
      k,
      (d) => kindOf.get(d.id) === k,
      (c) => c.kind === k,
      () => true,
    ),
  ).filter((g) => g.current.deploys + g.previous.deploys + g.current.changes + g.previous.changes > 0);

  const agentsOf = new Map<number, Set<string>>();
  const agentDeploys = new Map<string, number>();
  for (const d of deploys) {
    const agents = new Set((facts.commits.get(d.id) ?? []).flatMap((c) => (c.agent ? [c.agent] : [])));
    agentsOf.set(d.id, agents);
    if (inCurrent(d)) for (const a of agents) agentDeploys.set(a, (agentDeploys.get(a) ?? 0) + 1);
  }
  const agents = [...agentDeploys.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const byAgent = agents.slice(0, q.agentLimit).map(([agent]) =>
    group(
      agent,
      (d) => agentsOf.get(d.id)?.has(agent) ?? false,
      (c) => c.agent === agent,
      () => true,
    ),
  );

  const targets = [...new Set(deploys.map(targetKey))].sort();
  const byTarget =
    targets.length > 1
      ? targets.map((t) =>
          group(
            t,
            (d) => targetKey(d) === t,
            () => true,
          ),
        )
      : [];

  const latest = current.length === 0 ? latestDeployBefore(db, { before: since, env, service }) : undefined;
  const started = incidents.filter((i) => i.startedAt >= since);
  const notCaused = started.filter((i) => (causes.get(i.id)?.size ?? 0) === 0);
  return {
    window: { since: iso(since), until: iso(until), days: q.windowDays },
    previous: { since: iso(prevSince), until: iso(since) },
    scope: { env, service },
    overall: group(
      'all',
      () => true,
      () => true,
    ),
    byKind,
    byAgent,
    moreAgents: Math.max(0, agents.length - q.agentLimit),
    byTarget,
    incidents: {
      started: started.length,
      causedByDeploy: started.length - notCaused.length,
      notCausedByDeploy: notCaused.length,
      notCausedExamples: notCaused.slice(-3).map((i) => i.externalId),
    },
    ...(latest
      ? {
          latestDeploy: {
            id: latest.id,
            ref: deployRef(latest.source, latest.externalId),
            env: latest.env,
            service: latest.service,
            finishedAt: iso(latest.finishedAt),
            daysBeforeEnd: Math.ceil((until - latest.finishedAt) / DAY),
          },
        }
      : {}),
    definitions: METRIC_NAMES.map((name) => ({ name, ...METRIC_DEFINITIONS[name] })),
    rules: [...ATTRIBUTION_RULES],
    source: DORA_SOURCE,
  };
}

/**
 * Per incident, the deploys that caused it: those its confirmed links (and root-cause sha) lead to, else the one its
 * top failure-grade suspect leads to. A commit leads to the first deploy of the incident's env/service that shipped
 * it before the incident began. Duplicated shas or links to the same deploy collapse into one cause.
 */
export function incidentCauses(ctx: AppContext, incidents: readonly DeliveryIncident[]): Map<number, Set<number>> {
  const db = ctx.store;
  const links = causeLinks(
    db,
    incidents.map((i) => i.id),
  );
  const linksOf = new Map<number, typeof links>();
  for (const l of links) {
    const list = linksOf.get(l.incidentId);
    if (list) list.push(l);
    else linksOf.set(l.incidentId, [l]);
  }
  const deployIds = links.filter((l) => l.kind === 'deploy').map((l) => Number(l.target));
  const known = existingDeploys(db, deployIds.filter(Number.isInteger));

  const out = new Map<number, Set<number>>();
  for (const i of incidents) {
    const own = linksOf.get(i.id) ?? [];
    const confirmed: { kind: 'deploy' | 'commit'; target: string }[] = own.filter((l) => l.status === 'confirmed');
    if (i.rootCauseSha) confirmed.push({ kind: 'commit', target: i.rootCauseSha });
    const chosen = confirmed.length > 0 ? confirmed : own.slice(0, 1);
    const set = new Set<number>();
    for (const c of chosen) {
      const id =
        c.kind === 'deploy'
          ? known.get(Number(c.target))?.id
          : firstShippingDeploy(db, { sha: c.target, env: i.env, service: i.service, before: i.startedAt });
      if (id !== undefined) set.add(id);
    }
    out.set(i.id, set);
  }
  return out;
}

function gatherFacts(
  ctx: AppContext,
  deploys: readonly DeliveryDeploy[],
  incidents: readonly DeliveryIncident[],
  causes: Map<number, Set<number>>,
): Facts {
  const db = ctx.store;
  const commits = new Map<number, ShippedCommit[]>();
  for (const c of shippedCommits(
    db,
    deploys.map((d) => d.id),
  )) {
    if (!c.firstShip) continue;
    const list = commits.get(c.deployId);
    if (list) list.push(c);
    else commits.set(c.deployId, [c]);
  }

  const incidentsOf = new Map<number, DeliveryIncident[]>();
  for (const i of incidents) {
    for (const d of causes.get(i.id) ?? []) {
      const list = incidentsOf.get(d);
      if (list) list.push(i);
      else incidentsOf.set(d, [i]);
    }
  }
  const failed = new Set(deploys.filter((d) => d.status !== 'success' || incidentsOf.has(d.id)).map((d) => d.id));

  // Rework: a rollback, or a deploy first shipping an incident's fix, or a revert / Fixes: of a failure's commit.
  const shipped = [...commits.values()].flat();
  const fixes = incidentFixShas(
    db,
    shipped.map((c) => c.sha),
  );
  const refs = fixReferences(
    db,
    shipped.map((c) => c.sha),
  );
  const targetsOf = new Map<string, string[]>();
  for (const c of shipped) if (c.revertsSha) targetsOf.set(c.sha, [c.revertsSha]);
  for (const r of refs) targetsOf.set(r.sha, [...(targetsOf.get(r.sha) ?? []), r.fixedSha]);
  const culprits = failureCommits(db, [...new Set([...targetsOf.values()].flat())]);
  const rework = new Set<number>();
  for (const d of deploys) {
    const own = commits.get(d.id) ?? [];
    if (
      d.rollbackToDeployId !== null ||
      own.some((c) => fixes.has(c.sha) || (targetsOf.get(c.sha) ?? []).some((t) => culprits.has(t)))
    ) {
      rework.add(d.id);
    }
  }

  const next = new Map<number, DeliveryDeploy | undefined>();
  for (let k = 0; k < deploys.length; k++) {
    const d = deploys[k]!;
    const after = deploys[k + 1];
    next.set(d.id, after && targetKey(after) === targetKey(d) ? after : undefined);
  }
  return { commits, failed, incidentsOf, rework, next };
}

/**
 * A deploy's author kind from the commits it first shipped: agent if any is an agent's, else pair if any is a
 * pair's, else human; undefined when it shipped no new commit (a redeploy or rollback).
 */
export function deployKind(commits: readonly ShippedCommit[]): AuthorKind | undefined {
  if (commits.length === 0) return undefined;
  if (commits.some((c) => c.kind === 'agent')) return 'agent';
  if (commits.some((c) => c.kind === 'pair')) return 'pair';
  return 'human';
}

function figures(
  deploys: readonly DeliveryDeploy[],
  leadDeploys: readonly DeliveryDeploy[],
  facts: Facts,
  commit: (c: ShippedCommit) => boolean,
  days: number,
): Figures {
  const leads: number[] = [];
  for (const d of leadDeploys) {
    if (d.status === 'failure') continue;
    for (const c of facts.commits.get(d.id) ?? []) {
      if (commit(c)) leads.push(Math.max(0, d.finishedAt - c.authoredAt));
    }
  }
  const recoveries: number[] = [];
  let failed = 0;
  let unrecovered = 0;
  let rework = 0;
  for (const d of deploys) {
    if (facts.rework.has(d.id)) rework++;
    if (!facts.failed.has(d.id)) continue;
    failed++;
    const time = recovery(d, facts);
    if (time === undefined) unrecovered++;
    else recoveries.push(time);
  }
  const n = deploys.length;
  return {
    deploys: n,
    perWeek: round((n * 7) / days, 10),
    changes: leads.length,
    leadMedianH: hours(median(leads)),
    leadP90H: hours(percentile(leads, 0.9)),
    failed,
    failRate: n ? round(failed / n, 1000) : null,
    recoveryMedianH: hours(median(recoveries)),
    recoveryP90H: hours(percentile(recoveries, 0.9)),
    unrecovered,
    rework,
    reworkRate: n ? round(rework / n, 1000) : null,
  };
}

/** Recovery time of a failed deploy in ms, or undefined while it has not recovered (see the definitions). */
function recovery(d: DeliveryDeploy, facts: Facts): number | undefined {
  const incidents = facts.incidentsOf.get(d.id);
  if (incidents && incidents.length > 0) {
    if (incidents.some((i) => i.resolvedAt === null)) return undefined;
    return openTime(incidents.map((i) => [i.startedAt, i.resolvedAt!] as const));
  }
  for (let n = facts.next.get(d.id); n; n = facts.next.get(n.id)) {
    if (n.status === 'success' && !facts.failed.has(n.id)) return n.finishedAt - d.finishedAt;
  }
  return undefined;
}

/**
 * How long production was failing: the union of [start, end] spans, overlaps counted once. Incidents a deploy causes
 * again weeks later add their own time to restore, not the weeks in between.
 */
function openTime(spans: readonly (readonly [number, number])[]): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const [start, end] of sorted) {
    if (start > to) {
      if (to > from) total += to - from;
      [from, to] = [start, end];
    } else if (end > to) to = end;
  }
  return to > from ? total + to - from : total;
}

function deltas(cur: Figures, prev: Figures): GroupFigures['delta'] {
  const out = {} as GroupFigures['delta'];
  for (const k of Object.keys(cur) as (keyof Figures)[]) {
    const a = cur[k];
    const b = prev[k];
    out[k] = a === null || b === null ? null : round(a - b, 1000);
  }
  return out;
}

const targetKey = (d: DeliveryDeploy): string => (d.service ? `${d.env}/${d.service}` : d.env);
const hours = (ms: number | null): number | null => (ms === null ? null : round(ms / HOUR, 10));
const round = (n: number, scale: number): number => Math.round(n * scale) / scale;
const iso = (ms: number): string => new Date(ms).toISOString();
