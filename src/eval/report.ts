import type { EvalReport } from './run.js';
import { BACKPORT } from './truth.js';

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const num = (n: number) => n.toFixed(3);

/** The short markdown table printed after a run (the JSON report holds every pair). */
export function renderReport(r: EvalReport): string {
  const lines: string[] = [];
  const name = r.repo.path.replace(/\/+$/, '').split('/').slice(-2).join('/');
  lines.push(`### ${name} @ ${r.repo.head.slice(0, 12)} (${r.repo.headDate.slice(0, 10)})`);
  lines.push('');
  lines.push(
    `${r.repo.commits} commits, ${r.repo.releaseTags} release tags ('${r.options.tags}'); ${r.dataset.fixesFound} fix pairs, ` +
      `${r.dataset.evaluated} evaluated${r.options.sample !== null ? ` (sample ${r.options.sample})` : ''}` +
      `${r.options.since ? ` since ${r.options.since.slice(0, 10)}` : ''}` +
      (r.options.branches === 'default'
        ? `, default branch only (${r.dataset.excluded[BACKPORT] ?? 0} backports left out)`
        : ', every branch (backports included)') +
      `; ${r.dataset.fromReverts} from reverts, ` +
      `${r.dataset.multiCause} with several causes; cause shipped in a release before the fix: ${pct(r.dataset.causeShippedBefore)}; ` +
      `masking leaks found (and scrubbed): ${r.leaks.found}; ${r.seconds} s.`,
  );
  lines.push('');
  if (r.confirmed.length > 0) renderConfirmed(r, lines);
  if (r.suspects.length > 0) renderSuspects(r, lines);
  return lines.join('\n');
}

function renderConfirmed(r: EvalReport, lines: string[]): void {
  lines.push('| confirmed cause (SZZ) | precision | recall | F1 | named nothing |');
  lines.push('| --- | ---: | ---: | ---: | ---: |');
  for (const c of r.confirmed) {
    const label =
      c.role === 'reference' ? `${c.variant} (reference)` : c.role === 'ours' ? `**${c.variant}**` : c.variant;
    const m = c.metrics;
    lines.push(`| ${label} | ${num(m.precision)} | ${num(m.recall)} | ${num(m.f1)} | ${m.empty}/${m.pairs} |`);
  }
  lines.push('');
  const k = r.confirmedRanking;
  lines.push(
    `hindsight's blame candidates as a ranking: hit@1 ${pct(k.hit1)}, hit@5 ${pct(k.hit5)}, MRR ${num(k.mrr)}, ` +
      `cause among the blamed commits ${pct(k.inPool)}.`,
  );
}

function renderSuspects(r: EvalReport, lines: string[]): void {
  lines.push('');
  lines.push(
    "| suspects before a fix (incident files = the fix's files) | pairs | hit@1 | hit@5 | MRR | cause among candidates |",
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.suspects) {
    for (const [label, m] of [
      ['all pairs', s.metrics],
      ['cause shipped before the fix', s.shipped],
    ] as const) {
      lines.push(
        `| ${s.setting} — ${label} | ${m.incidents} | ${pct(m.hit1)} | ${pct(m.hit5)} | ${num(m.mrr)} | ${pct(m.inPool)} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    'Calibration of the top 5 suspects per incident (is a score the chance that this commit is a cause?): Brier score ' +
      r.suspects.map((s) => `${s.setting} ${s.calibration.brier.toFixed(4)}`).join('; ') +
      ` (always answering the base rate: ${r.suspects[0]!.calibration.brierBaseline.toFixed(4)}).`,
  );
  lines.push('');
  lines.push(`| ${r.suspects[0]!.setting}: score | suspects | mean score | observed cause rate |`);
  lines.push('| --- | ---: | ---: | ---: |');
  for (const b of r.suspects[0]!.calibration.buckets) {
    lines.push(`| ${b.from.toFixed(2)}–${b.to.toFixed(2)} | ${b.count} | ${num(b.meanScore)} | ${pct(b.hitRate)} |`);
  }
}
