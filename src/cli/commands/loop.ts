import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { info, out, outJson } from '../output.js';

interface LoopFlags {
  dryRun?: boolean;
  repoSlug?: string;
  remote: string;
  base?: string;
  maxFixes: string;
  windowDays: string;
  minEntries: string;
  baseUrl?: string;
  json?: boolean;
}

/**
 * `hindsight loop`: the correction-to-PR run. Loads git/Octokit code only when it runs; the token is read
 * here (GITHUB_TOKEN, GH_TOKEN, else `gh auth token`) until config.ts owns it.
 */
export function registerLoop(program: Command, makeContext: ContextFactory): void {
  program
    .command('loop')
    .description(
      'Correction-to-PR: open (or update) a draft PR with the ADR, rule or skill for the most recurring correction pattern',
    )
    .option('--dry-run', 'print the plan, the files and the PR body; commit, push and open nothing')
    .option('--repo-slug <owner/name>', 'the GitHub repository (default: read from the remote URL)')
    .option('--remote <name>', 'the git remote to push to', 'origin')
    .option('--base <branch>', "the branch PRs target (default: the remote's default branch, else main)")
    .option('--max-fixes <n>', 'clusters handled per run', '1')
    .option('--window-days <n>', 'the window a cluster must recur in', '7')
    .option('--min-entries <n>', 'entries in the window that make a cluster recur', '2')
    .option('--base-url <url>', 'API root for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nToken: GITHUB_TOKEN or GH_TOKEN, else `gh auth token`; it needs contents: write and pull-requests: write.\n' +
        'The branch is hindsight/<fix>, made from the base in a temporary checkout: your working tree is not touched.',
    )
    .action(async (o: LoopFlags) => {
      const [{ runLoop }, { connectGithub }, { renderLoopResult }] = await Promise.all([
        import('../../loop/run.js'),
        import('../../loop/github.js'),
        import('../../loop/report-text.js'),
      ]);
      const ctx = makeContext();
      try {
        const result = await runLoop(ctx, {
          dryRun: o.dryRun === true,
          remote: o.remote,
          maxFixes: count(o.maxFixes, '--max-fixes'),
          windowDays: count(o.windowDays, '--window-days'),
          minEntries: count(o.minEntries, '--min-entries'),
          ...(o.base !== undefined ? { base: o.base } : {}),
          ...(o.repoSlug !== undefined ? { repoSlug: o.repoSlug } : {}),
          ...(o.baseUrl !== undefined ? { baseUrl: o.baseUrl } : {}),
          connect: () =>
            connectGithub({ env: process.env, ...(o.baseUrl !== undefined ? { baseUrl: o.baseUrl } : {}), log: info }),
        });
        if (o.json) outJson(result);
        else out(renderLoopResult(result));
      } finally {
        ctx.store.close();
      }
    });
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) {
    throw new UserInputError(`${flag} '${value}' must be a whole number of at least 1`, flag);
  }
  return n;
}
