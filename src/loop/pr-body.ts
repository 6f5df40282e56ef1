import type { AppContext } from '../context.js';
import { evidenceLines, oneLine } from '../decisions/fixes.js';
import { computeKpis, KPI_DEFINITIONS, type KpiName, type KpiValues } from '../triage/kpis.js';
import { duration } from '../triage/report.js';
import type { PlannedFix, Selection } from './plan.js';

const DAY = 86_400_000;

/** The marker a loop PR body starts with (the cluster it is for). */
export function bodyMarker(clusterId: number): string {
  return `<!-- hindsight-loop cluster:${clusterId} -->`;
}

/**
 * The KPIs a fix is meant to move: every fix raises Context Coverage; an ADR or a skill should cut the
 * interrupts agents raise, a rule the corrections humans make (so more tasks finish without one); where
 * corrections are in the evidence, Feedback-to-Demo measures how fast this fix lands.
 */
export function kpisToMove(p: PlannedFix): KpiName[] {
  const out: KpiName[] = ['contextCoverage'];
  out.push(p.draft.type === 'rule' ? 'autonomousCompletionRate' : 'interruptRate');
  if (p.entries.some((e) => e.kind === 'correction')) out.push('feedbackToDemo');
  return out;
}

function kpiNow(name: KpiName, k: KpiValues): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)}%`);
  const c = k.counts;
  switch (name) {
    case 'contextCoverage':
      return `${pct(k.contextCoverage)} now (${c.recurringCovered} of ${c.recurringClusters} recurring clusters covered); merging this covers one more`;
    case 'interruptRate':
      return `${k.interruptRate === null ? 'n/a' : k.interruptRate.toFixed(2)} now (${c.interrupts} interrupts, ${c.tasksStarted} tasks); agents should stop asking about this`;
    case 'autonomousCompletionRate':
      return `${pct(k.autonomousCompletionRate)} now (${c.tasksAutonomous} of ${c.tasksFinished} finished tasks); fewer corrections of this kind`;
    case 'feedbackToDemo':
      return `${k.feedbackToDemoMedianMs === null ? 'n/a' : `median ${duration(k.feedbackToDemoMedianMs)}`} now; measured for this fix from each correction to this PR's merge`;
    case 'meanTimeToCorrect':
      return `${k.mttcMedianMs === null ? 'n/a' : `median ${duration(k.mttcMedianMs)}`} now`;
  }
}

/** The pull request's body: why (the cluster), the evidence, the files, and the KPIs it should move. */
export function renderPrBody(
  ctx: AppContext,
  s: Selection,
  p: PlannedFix,
  files: readonly { path: string; action: string }[],
  answeredBy?: { ref: string; path: string },
): string {
  const c = p.cluster;
  const kinds = p.entries.some((e) => e.kind === 'correction') ? 'interrupts and corrections' : 'interrupts';
  const kpis = computeKpis(ctx.store, s.now - s.windowDays * DAY, s.now, s.minEntries);
  const kind = { adr: 'an ADR (status proposed)', rule: 'a rule for the agents', skill: 'an agent skill' }[
    p.draft.type
  ];
  const lines = [
    bodyMarker(c.id),
    '## Why',
    '',
    `Cluster #${c.id} "${oneLine(c.label)}" (${c.category}${c.module ? `, module ${c.module}` : ''}) recurred: ` +
      `${c.count} ${kinds} in the last ${s.windowDays} days (${c.size} in all). This PR proposes ${kind} so ` +
      'agents find the answer instead of stopping or being corrected.',
    '',
    ...(answeredBy
      ? [
          `> ${answeredBy.ref} (\`${answeredBy.path}\`) already seems to answer this, yet it keeps coming up: agents ` +
            'are not reading it. Consider pointing them at it (a rule, or a link from this record) — or close this PR.',
          '',
        ]
      : []),
    '## Evidence',
    '',
    ...evidenceLines({ entries: p.entries, clusters: [c], incidents: p.incidents }),
    '',
    '## Files',
    '',
    ...files.map((f) => `- \`${f.path}\` (${f.action})`),
    '',
    '**Before merging:** replace the TODO in the draft with the actual decision, rule or steps.',
    '',
    '## KPIs it should move',
    '',
    ...kpisToMove(p).map(
      (k) => `- **${KPI_DEFINITIONS[k].title}** (${KPI_DEFINITIONS[k].better} is better): ${kpiNow(k, kpis)}`,
    ),
    '',
    '---',
    `Opened by \`hindsight loop\` (window ${s.windowDays} days, ≥ ${s.minEntries} entries). A later run updates this PR ` +
      'with fresh evidence instead of opening another; close it to turn the fix down.',
  ];
  return lines.join('\n');
}
