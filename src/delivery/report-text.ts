import { MAX_WINDOW_DAYS } from '../limits.js';
import type { DeliveryMetrics, Figures, GroupFigures, QuietWindowHint } from './metrics.js';

/** A group as the answers carry it: breakdown rows may leave the previous window's figures out (deltas stay). */
export type FiguresRow = Omit<GroupFigures, 'previous'> & { previous?: Figures };
export type DeliveryAnswer = Omit<DeliveryMetrics, 'overall' | 'byKind' | 'byAgent' | 'byTarget'> & {
  overall: FiguresRow;
  byKind: FiguresRow[];
  byAgent: FiguresRow[];
  byTarget: FiguresRow[];
};

/** The DORA figures as compact text: one line per group, then incidents, definitions and rules. */
export function renderDelivery(m: DeliveryAnswer, options: { definitions?: boolean } = {}): string {
  const scope = [m.scope.env ?? 'all envs', m.scope.service ?? 'all services'].join(' · ');
  const lines = [
    `DORA keys ${m.window.since.slice(0, 10)}…${m.window.until.slice(0, 10)} (${m.window.days} d, Δ vs the ` +
      `${m.window.days} d before) · ${scope}`,
    row('all', m.overall),
  ];
  if (m.overall.previous) lines.push(row('  before', { current: m.overall.previous, delta: null }));
  for (const [title, rows] of [
    ['by author kind', m.byKind],
    ['by agent', m.byAgent],
    ['by env/service', m.byTarget],
  ] as const) {
    if (rows.length === 0) continue;
    lines.push(title + (title === 'by agent' && m.moreAgents ? ` (+${m.moreAgents} more)` : ''));
    for (const r of rows) lines.push(row(`  ${r.key}`, r));
  }
  const i = m.incidents;
  lines.push(
    `incidents started: ${i.started}; caused by a deploy: ${i.causedByDeploy}; not caused by any deploy: ` +
      `${i.notCausedByDeploy}${i.notCausedExamples.length ? ` (${i.notCausedExamples.join(', ')})` : ''}`,
  );
  if (m.latestDeploy) lines.push(quietWindow(m.latestDeploy));
  if (options.definitions !== false) {
    lines.push(`definitions (${m.source}):`);
    for (const d of m.definitions) lines.push(`- ${d.name} (${d.better} is better): ${d.definition}`);
    for (const r of m.rules) lines.push(`- ${r}`);
  }
  return lines.join('\n');
}

function row(label: string, r: { current: Figures; delta: GroupFigures['delta'] | null }): string {
  const c = r.current;
  const d = r.delta;
  const parts = [
    `${c.deploys} deploy${c.deploys === 1 ? '' : 's'} (${c.perWeek}/wk${sign(d?.perWeek)})`,
    `lead ${h(c.leadMedianH)} p90 ${h(c.leadP90H)}${sign(d?.leadMedianH, 'h')} over ${c.changes} changes`,
    `fail ${pct(c.failRate)} (${c.failed})${sign(pp(d?.failRate), 'pp')}`,
    `recovery ${h(c.recoveryMedianH)} p90 ${h(c.recoveryP90H)}${c.unrecovered ? `, ${c.unrecovered} open` : ''}`,
    `rework ${pct(c.reworkRate)} (${c.rework})${sign(pp(d?.reworkRate), 'pp')}`,
  ];
  return `${label}: ${parts.join(' · ')}`;
}

const h = (v: number | null): string => (v === null ? '–' : `${v}h`);
const pct = (v: number | null): string => (v === null ? '–' : `${Math.round(v * 1000) / 10}%`);
const pp = (v: number | null | undefined): number | null | undefined =>
  v === null || v === undefined ? v : Math.round(v * 1000) / 10;
const sign = (v: number | null | undefined, unit = ''): string =>
  v === null || v === undefined ? '' : ` Δ${v > 0 ? '+' : ''}${Math.round(v * 10) / 10}${unit}`;

/** Where the deploys are when none finished in the window, and the window (or its end) that reaches them. */
function quietWindow(d: QuietWindowHint): string {
  const name = `#${d.id}${d.ref ? ` ${d.ref}` : ''} (${d.env}${d.service ? `/${d.service}` : ''})`;
  const fix =
    d.daysBeforeEnd <= MAX_WINDOW_DAYS
      ? `widen the window to ${d.daysBeforeEnd} days (window_days; CLI --window-days ${d.daysBeforeEnd})`
      : `the window is at most ${MAX_WINDOW_DAYS} days: end it at that deploy instead (CLI: HINDSIGHT_NOW=${d.finishedAt})`;
  return `no deploy finished in this window; the latest, ${name}, finished ${d.finishedAt.slice(0, 10)}, ${d.daysBeforeEnd} d before its end: ${fix}`;
}
