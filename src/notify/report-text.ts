import type { NotifyAction, NotifyResult } from './run.js';

/** The run as text: one line per thread, and in a dry run each body exactly as it would be written. */
export function renderNotifyResult(r: NotifyResult, o: { timing?: boolean } = {}): string {
  const c = r.counts;
  const lines = [
    `notify${r.dryRun ? ' (dry run: nothing written)' : ''}: ${r.incidents} incident(s); ` +
      `${c.create} to post, ${c.update} to edit, ${c.withdraw} to withdraw, ${c.unchanged} unchanged, ${c.skip} skipped` +
      (o.timing === false ? '' : ` in ${r.ms} ms`),
  ];
  if (!r.dryRun)
    lines[0] = lines[0]!.replace('to post', 'posted').replace('to edit', 'edited').replace('to withdraw', 'withdrawn');
  for (const a of r.actions) {
    lines.push(
      `  ${a.kind.padEnd(9)} ${where(a)} ${a.incident}${a.sha ? ` ${a.sha.slice(0, 10)}` : ''}` +
        `${a.note ? ` — ${a.note}` : ''}${a.url ? ` ${a.url}` : ''}`,
    );
  }
  if (r.dryRun) {
    for (const a of r.actions.filter((x) => x.body !== '')) {
      lines.push('', `──── ${a.kind} on ${where(a)} ────`, a.body);
    }
  }
  return lines.join('\n');
}

function where(a: NotifyAction): string {
  const thread = a.target === 'pull' ? 'pull' : 'issue';
  return a.repo && a.number !== null ? `${thread} ${a.repo}#${a.number}` : `${thread} (unknown)`;
}
