import type { AppContext } from '../context.js';
import { kpiText } from './report-text.js';
import { triageReport, type ReportOptions } from './report.js';

const FIX_NAME = { adr: 'ADR', rule: 'rule', skill: 'skill' } as const;

/**
 * The weekly triage meeting's agenda (30 minutes, one question: what do we triage now?), filled with the
 * week's data: KPI deltas only, the top three clusters with owner and fix type, loop states, the one
 * highest-leverage intervention, and ADR/rule/skill updates shipped or awaiting review.
 */
export function weeklyAgenda(ctx: AppContext, o: ReportOptions = {}): string {
  const r = triageReport(ctx, { ...o, top: 3 });
  const day = (s: string) => s.slice(0, 10);
  const lines = [
    `# Weekly triage — 30 minutes, ${day(r.window.since)} → ${day(r.window.until)}`,
    '',
    'One question: **what do we triage now?** Decide, assign an owner, move on; details go to the issue tracker.',
    '',
    '## 1. Dashboard deltas (5 min)',
    '',
    ...r.kpis.map((k) => `- ${k.title}: ${kpiText(k)}`),
    '',
    '## 2. Top three clusters (10 min)',
    '',
  ];
  if (r.topClusters.length === 0) lines.push('No interrupts or corrections were logged this week.');
  r.topClusters.forEach((c, i) => {
    const status = c.fix ? `${c.fix.type} fix #${c.fix.id} is ${c.fix.status} (${c.fix.path})` : 'no fix yet';
    lines.push(
      `${i + 1}. **#${c.id} "${c.label}"** — ${c.category}${c.module ? ` in ${c.module}` : ''}, ${c.count} this week ` +
        `(${c.size} total). Owner: ${c.owner.name}${c.owner.basis === 'module' ? ' (module)' : ''}. ` +
        `Fix type: ${FIX_NAME[c.suggestedFix]}; ${status}.`,
    );
    for (const e of c.examples) lines.push(`   - e.g. ${e.kind} #${e.id}: ${e.summary}`);
  });
  lines.push('', '## 3. Loop states (5 min)', '');
  for (const l of r.loops) lines.push(`- ${l.loop} (${l.covers}): **${l.state}** — ${l.reason}`);
  lines.push('', '## 4. The one highest-leverage intervention (5 min)', '', r.intervention, '');
  lines.push('## 5. ADR / rule / skill updates (5 min)', '');
  if (r.fixes.shipped.length + r.fixes.awaitingReview.length === 0) lines.push('None shipped or waiting this week.');
  for (const f of r.fixes.shipped)
    lines.push(`- shipped: ${FIX_NAME[f.type as keyof typeof FIX_NAME] ?? f.type} "${f.title}" (${f.path})`);
  for (const f of r.fixes.awaitingReview) {
    lines.push(
      `- awaiting review: ${FIX_NAME[f.type as keyof typeof FIX_NAME] ?? f.type} "${f.title}" (${f.path}, ${f.status}${f.prUrl ? `, ${f.prUrl}` : ''})`,
    );
  }
  lines.push('', 'Close: read back the owners and the intervention; the next meeting starts from these numbers.');
  return lines.join('\n');
}
