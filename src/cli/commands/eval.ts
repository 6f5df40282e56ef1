import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { renderReport } from '../../eval/report.js';
import { evaluateAttribution } from '../../eval/run.js';
import type { ContextFactory } from '../main.js';
import { info, out } from '../output.js';
import { parseWhen } from '../parse.js';

interface EvalFlags {
  sample?: string;
  since?: string;
  tags: string;
  out?: string;
  concurrency: string;
  quick?: boolean;
  allBranches?: boolean;
  suspectsOnly?: boolean;
}

export function registerEval(program: Command, makeContext: ContextFactory): void {
  const evalCmd = program.command('eval').description('Measure hindsight on a repository');
  evalCmd
    .command('attribution')
    .description(
      "Measure attribution on the repository's own history: each commit with a `Fixes: <sha>` trailer (or a revert) " +
        'becomes an incident; reports precision/recall/F1 against reference B-SZZ, R-SZZ and L-SZZ, and suspect ranking ' +
        '(hit@1/hit@5/MRR). Uses --repo (a clone, bare is fine) and a fresh temp database.',
    )
    .option('--sample <n>', 'evaluate at most N fixes (deterministic sample)')
    .option('--since <date>', 'only fixes authored since this date (ISO)')
    .option('--tags <glob>', 'release tags recorded as deploys', 'v*')
    .option('--out <file>', 'write the full JSON report (every pair) here')
    .option('--concurrency <n>', 'fixes blamed at once', '2')
    .option('--quick', 'skip the ablations that need another git blame per file (-w, -M, -C)')
    .option('--suspects-only', 'only suspect mode (no blame): hit@1/hit@5 and calibration before a fix, fast')
    .option('--all-branches', 'also evaluate fixes that are only on other branches (backports); default: HEAD only')
    .action(async (o: EvalFlags) => {
      const sample = o.sample === undefined ? undefined : positiveInt(o.sample, '--sample');
      const concurrency = positiveInt(o.concurrency, '--concurrency');
      const since = o.since === undefined ? undefined : parseWhen(o.since, '--since');
      // Only the repository path is taken from the usual configuration; the run has its own temp database.
      const probe = makeContext({ dbPath: ':memory:' });
      const repoPath = probe.config.repoPath;
      probe.store.close();
      const report = await evaluateAttribution({
        repoPath,
        tags: o.tags,
        concurrency,
        quick: o.quick === true,
        suspectsOnly: o.suspectsOnly === true,
        branches: o.allBranches === true ? 'all' : 'default',
        log: info,
        ...(sample !== undefined ? { sample } : {}),
        ...(since !== undefined ? { since } : {}),
      });
      if (o.out) {
        const file = resolve(o.out);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify(report, null, 2));
        info(`eval: JSON report written to ${file}`);
      }
      out(renderReport(report));
    });
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserInputError(`${flag} '${value}' must be a whole number ≥ 1`, flag);
  return n;
}
