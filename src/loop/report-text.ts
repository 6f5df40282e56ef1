import type { LoopItem, LoopResult } from './run.js';

/** A run as text: per cluster what happened (or would), the branch, the PR; a dry run adds the files and body. */
export function renderLoopResult(r: LoopResult): string {
  const lines = [
    r.dryRun
      ? 'hindsight loop --dry-run: the plan — nothing was committed, pushed, opened or recorded'
      : 'hindsight loop',
    `repository ${r.repo ?? '(unknown: see the notes)'}, base ${r.base} (${r.baseSha.slice(0, 12)}), remote ${r.remote}; ` +
      `clusters with ≥ ${r.window.minEntries} entries in the ${r.window.days} days to ${r.window.until.slice(0, 16).replace('T', ' ')}, ` +
      `at most ${r.maxFixes} per run`,
  ];
  for (const s of r.settled)
    lines.push(`fix #${s.fixId}: PR #${s.prNumber} was ${s.status === 'merged' ? 'merged' : 'closed unmerged'}`);
  r.items.forEach((item, i) => lines.push('', ...itemLines(item, i + 1, r.dryRun)));
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}

const VERB: Record<LoopItem['action'], string> = {
  opened: 'opened draft PR',
  updated: 'updated PR',
  would_open: 'would open a draft PR',
  would_update: 'would update PR',
  skipped: 'skipped',
  left_alone: 'left alone',
};

function itemLines(item: LoopItem, n: number, dryRun: boolean): string[] {
  const c = item.cluster;
  const head = `${n}. cluster #${c.id} "${c.label}" (${c.category}${c.module ? `, ${c.module}` : ''}): ${c.count} entries → ${item.type}`;
  if (item.action === 'skipped' || item.action === 'left_alone')
    return [head, `   ${VERB[item.action]}: ${item.note ?? ''}`];
  const pr = item.pr ? ` #${item.pr.number} ${item.pr.url}` : '';
  const lines = [
    head,
    `   ${VERB[item.action]}${pr}: ${item.title}`,
    `   branch ${item.branch}${item.commit ? ` at ${item.commit.slice(0, 12)}${item.pushed ? ' (pushed)' : ' (unchanged, not pushed)'}` : ''}`,
    ...item.files.map((f) => `   file   ${f.path} (${f.action})`),
  ];
  if (item.fixId !== null && !dryRun) lines.push(`   recorded as fix #${item.fixId} (open_pr)`);
  if (!dryRun) return lines;
  for (const f of item.files) {
    lines.push(
      '',
      `   ── ${f.path} (${f.action}${f.action === 'appended' ? ': the block added' : ''})`,
      indent(f.content),
    );
  }
  lines.push('', `   ── commit message`, indent(`${item.title}\n\n${item.commitBody}`));
  lines.push('', `   ── pull request body`, indent(item.body));
  return lines;
}

function indent(text: string): string {
  return text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l ? `   │ ${l}` : '   │'))
    .join('\n');
}
