import type { Command } from 'commander';
import type { AppContext } from '../../context.js';
import type { DraftedFix } from '../../decisions/draft.js';
import { UserInputError } from '../../errors.js';
import { renderReport } from '../../triage/report-text.js';
import { triageReport } from '../../triage/report.js';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';
import { parseWhen } from '../parse.js';

const DAY = 86_400_000;

interface TriageFlags {
  since?: string;
  until?: string;
  json?: boolean;
  draftFixes?: boolean;
  minEntries?: string;
  recurDays?: string;
}

export function registerTriage(program: Command, makeContext: ContextFactory): void {
  program
    .command('triage')
    .description(
      'The triage report: five KPIs with deltas, top clusters, recurring clusters without a fix, loop states',
    )
    .option('--since <iso>', 'window start (default 7 days before --until)')
    .option('--until <iso>', 'window end (default now, or HINDSIGHT_NOW)')
    .option('--json', 'print the structured report')
    .option('--draft-fixes', 'first write proposed ADR/rule/skill stubs for recurring clusters without a fix')
    .option('--min-entries <n>', 'entries that make a cluster recur (default 2)')
    .option('--recur-days <n>', 'days those entries must fall within (default 7)')
    .action(async (o: TriageFlags) => {
      const ctx = makeContext();
      try {
        const until = o.until ? parseWhen(o.until, '--until') : ctx.clock();
        const since = o.since ? parseWhen(o.since, '--since') : until - 7 * DAY;
        const recurrence = {
          minEntries: count(o.minEntries, '--min-entries', 2),
          windowDays: count(o.recurDays, '--recur-days', 7),
        };
        const drafted = o.draftFixes ? await draft(ctx, until, recurrence) : undefined;
        const report = triageReport(ctx, { since, until, recurrence });
        if (o.json) {
          outJson(drafted ? { ...report, drafted } : report);
        } else {
          const lines = drafted ? [...draftLines(drafted), ''] : [];
          out([...lines, renderReport(report)].join('\n'));
        }
      } finally {
        ctx.store.close();
      }
    });
}

// Loaded on demand: the proposal writers are only needed with --draft-fixes.
async function draft(
  ctx: AppContext,
  now: number,
  r: { minEntries: number; windowDays: number },
): Promise<DraftedFix[]> {
  const { draftFixes } = await import('../../decisions/draft.js');
  return draftFixes(ctx, { now, windowDays: r.windowDays, minEntries: r.minEntries });
}

function draftLines(drafted: DraftedFix[]): string[] {
  if (drafted.length === 0) return ['--draft-fixes: no recurring cluster without a fix; nothing drafted'];
  return [
    `--draft-fixes: ${drafted.length} stub(s), status proposed:`,
    ...drafted.map(
      (d) =>
        `  ${d.type} ${d.path} for cluster #${d.clusterId}${d.written ? '' : ' (already there, not rewritten)'}${d.fixId ? ` (fix #${d.fixId})` : ''}`,
    ),
  ];
}

function count(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new UserInputError(`${flag} '${value}' must be a whole number from 1 to 1000`, flag);
  }
  return n;
}
