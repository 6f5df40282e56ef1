import type { Hotspots } from './hotspots.js';

const n = (v: number) => v.toLocaleString('en-US');

/** The text rendering of `hindsight hotspots`: the ranking, the couples, and what each figure means. */
export function renderHotspots(h: Hotspots): string {
  const what = h.by === 'file' ? 'files' : 'modules';
  const lines = [
    `hotspots by ${h.by}, ${h.window.since.slice(0, 10)} → ${h.window.until.slice(0, 10)} (${h.window.days} days): ` +
      `${h.changed} ${what} changed, ${h.ranked} with a size at HEAD${h.head ? ` ${h.head.slice(0, 10)}` : ''}`,
  ];
  for (const i of h.items) {
    lines.push(
      `${String(i.rank ?? '-').padStart(4)}  ${i.name}${i.module && i.module !== i.name ? ` [${i.module}]` : ''}: ` +
        `${i.revisions} revisions × ${i.lines === null ? 'no size' : `${n(i.lines)} lines`}` +
        `${i.score === null ? '' : ` = ${n(i.score)}`}; ${i.authors} author${i.authors === 1 ? '' : 's'}, +${n(i.added)} −${n(i.deleted)}`,
    );
  }
  if (h.hasMore) lines.push('   … (--limit for more)');
  const t = h.coupling.thresholds;
  lines.push(
    `\nchange coupling (min ${t.minRevs} revisions, ${t.minSharedRevs} shared, degree ≥ ${t.minCoupling}%, ` +
      `change sets ≤ ${t.maxChangesetSize} files):`,
  );
  if (h.coupling.items.length === 0) lines.push('  none above the thresholds');
  for (const c of h.coupling.items) {
    lines.push(`  ${c.degree}%  ${c.entity} ↔ ${c.coupled} (${c.sharedRevs} shared of ~${c.averageRevs} revisions)`);
  }
  for (const note of h.notes) lines.push(`note: ${note}`);
  lines.push('', ...h.definitions.map((d) => `· ${d}`));
  return lines.join('\n');
}
