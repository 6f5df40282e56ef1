import { duration, type KpiLine, type ReportCluster, type TriageReport } from './report.js';

/** The triage report as compact text (the MCP text content and `hindsight triage` without --json). */
export function renderReport(r: TriageReport, options: { definitions?: boolean } = {}): string {
  const day = (s: string) => s.slice(0, 16).replace('T', ' ');
  const lines = [
    `Triage ${day(r.window.since)} → ${day(r.window.until)} (compared with ${day(r.previous.since)} → ${day(r.previous.until)})`,
    '',
    'KPIs',
  ];
  for (const k of r.kpis) lines.push(`  ${k.title.padEnd(28)} ${kpiText(k)}${kpiBasis(k, r)}`);
  lines.push('', 'Top clusters');
  if (r.topClusters.length === 0) lines.push('  (no interrupts or corrections in the window)');
  for (const c of r.topClusters) lines.push(...clusterLines(c));
  lines.push('', `Recurring without a fix (≥ ${r.recurrence.minEntries} entries in ${r.recurrence.windowDays} days)`);
  if (r.recurringWithoutFix.items.length === 0) lines.push('  none');
  for (const c of r.recurringWithoutFix.items) {
    lines.push(
      `  #${c.id} ${scope(c)} "${c.label}": ${c.count} entries, first seen ${c.uncoveredDays} d ago → ` +
        (c.existingDoc
          ? `${c.existingDoc.ref} ${c.existingDoc.path} answers it but is not loaded`
          : `propose ${c.suggestedFix}`),
    );
  }
  if (r.recurringWithoutFix.hasMore) lines.push(`  (more: raise limit above ${r.recurringWithoutFix.limit})`);
  lines.push('', 'Loops');
  for (const l of r.loops) lines.push(`  ${l.loop.padEnd(8)} ${l.state.padEnd(9)} ${l.reason}`);
  lines.push('', `Highest-leverage intervention: ${r.intervention}`);
  const fixes = [
    ...r.fixes.shipped.map(
      (f) => `  shipped: ${f.type} #${f.id} "${f.title}" ${f.path} (merged ${f.mergedAt!.slice(0, 10)})`,
    ),
    ...r.fixes.awaitingReview.map(
      (f) =>
        `  awaiting review: ${f.type} #${f.id} "${f.title}" ${f.path} (${f.status}${f.prUrl ? `, ${f.prUrl}` : ''})`,
    ),
  ];
  if (fixes.length > 0) lines.push('', 'Fixes', ...fixes);
  if (options.definitions !== false) {
    lines.push('', 'Definitions');
    for (const k of r.kpis) lines.push(`  ${k.title}: ${k.definition}`);
  }
  return lines.join('\n');
}

/** "0.45 (prev 0.60, −0.15, better)"; times as durations, rates as percentages. */
export function kpiText(k: KpiLine): string {
  const fmt = (v: number | null) =>
    v === null
      ? 'n/a'
      : k.unit === 'ms'
        ? duration(v)
        : k.name === 'interruptRate'
          ? v.toFixed(2)
          : `${Math.round(v * 100)}%`;
  let now = fmt(k.current);
  if (k.p90) now = `median ${now}, p90 ${fmt(k.p90.current)}`;
  if (k.delta === null) return `${now} (prev ${fmt(k.previous)})`;
  const sign = k.delta > 0 ? '+' : k.delta < 0 ? '−' : '±';
  const magnitude = Math.abs(k.delta);
  const d =
    k.unit === 'ms'
      ? duration(magnitude)
      : k.name === 'interruptRate'
        ? magnitude.toFixed(2)
        : `${Math.round(magnitude * 100)} pts`;
  return `${now} (prev ${fmt(k.previous)}, ${sign}${d}, ${k.trend})`;
}

function kpiBasis(k: KpiLine, r: TriageReport): string {
  const c = r.counts;
  switch (k.name) {
    case 'interruptRate':
      return ` — ${c.interrupts} interrupts, ${c.corrections} corrections, ${c.tasksStarted} tasks`;
    case 'autonomousCompletionRate':
      return ` — ${c.tasksAutonomous} of ${c.tasksFinished} finished tasks`;
    case 'meanTimeToCorrect':
      return ` — ${c.answered} answered, ${c.waiting} waiting`;
    case 'contextCoverage':
      return ` — ${c.recurringCovered} of ${c.recurringClusters} recurring clusters`;
    case 'feedbackToDemo':
      return ` — ${c.feedbackSamples} correction(s) with a merged fix`;
  }
}

function scope(c: { category: string; module: string }): string {
  return c.module ? `${c.category}/${c.module}` : c.category;
}

function clusterLines(c: ReportCluster): string[] {
  const fix = c.fix
    ? `covered by ${c.fix.type} fix #${c.fix.id} (${c.fix.status}) ${c.fix.path}`
    : `no fix → propose ${c.suggestedFix}`;
  return [
    `  #${c.id} ${scope(c)} "${c.label}": ${c.count} in window (${c.size} total), owner ${c.owner.name}; ${fix}`,
    ...c.examples.map((e) => `     e.g. #${e.id} ${e.kind}: ${e.summary}`),
  ];
}
