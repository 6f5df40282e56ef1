import type { AppContext } from '../context.js';
import { incidentSuspects, type SuspectCommit } from '../attribution/incident-view.js';
import { deliveryMetrics, type Figures, type GroupFigures } from '../delivery/metrics.js';
import { hotspots, type Hotspots } from '../history/hotspots.js';
import { incidentStarts, latestIncidents, openIncidentCount } from '../store/dashboard.js';
import { storeCounts } from '../store/counts.js';
import { triageReport, type KpiLine, type LoopState } from '../triage/report.js';

const DAY = 86_400_000;

export interface DashboardOptions {
  now: number;
  /** The span every chart covers (default 90 days). */
  windowDays: number;
  /** DORA points across the span (default 6). */
  buckets?: number;
}

/** One DORA bucket: its figures for human and agent deploys (null: no deploy of that kind). */
export interface DoraPoint {
  since: string;
  until: string;
  human: Figures | null;
  agent: Figures | null;
}

export interface IncidentSuspectsCard {
  ref: string;
  title: string;
  status: string;
  severity: string | null;
  startedAt: string;
  module: string | null;
  suspects: Pick<SuspectCommit, 'sha' | 'subject' | 'author' | 'authorKind' | 'agent' | 'score' | 'status'>[];
}

/** Everything the dashboard shows, gathered from the domain rooms; the HTML is rendered from this alone. */
export interface DashboardData {
  generatedAt: string;
  repository: string;
  window: { since: string; until: string; days: number };
  counts: { commits: number; deploys: number; incidents: number; links: number };
  /** Points per bucket for the trends; `span`: each author kind over the whole span against the span before. */
  dora: { bucketDays: number; points: DoraPoint[]; span: GroupFigures[] };
  incidents: { weeks: string[]; modules: { module: string; counts: number[] }[]; total: number };
  hotspots: { files: Hotspots; modules: Hotspots };
  triage: { window: { since: string; until: string }; kpis: KpiLine[]; loops: LoopState[]; intervention: string };
  suspects: { open: number; items: IncidentSuspectsCard[] };
}

/** Gathers the dashboard's figures for the span ending at `now`. */
export async function dashboardData(ctx: AppContext, o: DashboardOptions): Promise<DashboardData> {
  const until = o.now;
  const since = until - o.windowDays * DAY;
  const buckets = o.buckets ?? 6;
  const bucketDays = Math.max(1, Math.round(o.windowDays / buckets));
  const points: DoraPoint[] = [];
  for (let i = buckets - 1; i >= 0; i--) {
    const m = deliveryMetrics(ctx, { now: until - i * bucketDays * DAY, windowDays: bucketDays, agentLimit: 0 });
    const kind = (k: string) => {
      const f = m.byKind.find((g) => g.key === k)?.current;
      return f && f.deploys + f.changes > 0 ? f : null;
    };
    points.push({ since: m.window.since, until: m.window.until, human: kind('human'), agent: kind('agent') });
  }

  const span = deliveryMetrics(ctx, { now: until, windowDays: o.windowDays, agentLimit: 0 }).byKind;
  const [files, modules] = await Promise.all([
    hotspots(ctx, { now: until, windowDays: o.windowDays, by: 'file', limit: 10 }),
    hotspots(ctx, { now: until, windowDays: o.windowDays, by: 'module', limit: 8 }),
  ]);
  const triage = triageReport(ctx, { until });
  const open = openIncidentCount(ctx.store, until);
  return {
    generatedAt: new Date(until).toISOString(),
    repository: ctx.config.repoPath,
    window: { since: iso(since), until: iso(until), days: o.windowDays },
    counts: storeCounts(ctx.store),
    dora: { bucketDays, points, span },
    incidents: incidentsByModule(ctx, since, until),
    hotspots: { files, modules },
    triage: { window: triage.window, kpis: triage.kpis, loops: triage.loops, intervention: triage.intervention },
    suspects: {
      open,
      items: latestIncidents(ctx.store, until, 3).map(({ ref }) => suspectsCard(ctx, ref)),
    },
  };
}

/** Incidents per module per week (weeks end at `until`), busiest module first. */
function incidentsByModule(ctx: AppContext, since: number, until: number): DashboardData['incidents'] {
  const weeks = Math.ceil((until - since) / (7 * DAY));
  const start = until - weeks * 7 * DAY;
  const starts = incidentStarts(ctx.store, start, until);
  const rows = new Map<string, number[]>();
  for (const s of starts) {
    const module = s.module || '(no module)';
    const counts = rows.get(module) ?? new Array<number>(weeks).fill(0);
    const week = Math.min(weeks - 1, Math.floor((s.startedAt - start) / (7 * DAY)));
    counts[week]!++;
    rows.set(module, counts);
  }
  const total = (c: number[]) => c.reduce((a, b) => a + b, 0);
  return {
    weeks: Array.from({ length: weeks }, (_, i) => iso(start + i * 7 * DAY).slice(0, 10)),
    modules: [...rows]
      .map(([module, counts]) => ({ module, counts }))
      .sort((a, b) => total(b.counts) - total(a.counts) || a.module.localeCompare(b.module)),
    total: starts.length,
  };
}

function suspectsCard(ctx: AppContext, ref: string): IncidentSuspectsCard {
  const s = incidentSuspects(ctx, ref, 3);
  return {
    ref: s.incident.id,
    title: s.incident.title,
    status: s.incident.status,
    severity: s.incident.severity,
    startedAt: s.incident.startedAt,
    module: s.incident.module,
    suspects: s.commits.map(({ sha, subject, author, authorKind, agent, score, status }) => ({
      sha,
      subject,
      author,
      authorKind,
      agent,
      score,
      status,
    })),
  };
}

const iso = (t: number) => new Date(t).toISOString();
