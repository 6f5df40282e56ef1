import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { info, out, outJson } from '../output.js';
import { rawArgs } from '../parse.js';
import { repoFlagsAfter } from './github.js';

interface NotifyFlags {
  dryRun?: boolean;
  repoSlug?: string;
  incident?: string;
  minScore?: string;
  baseUrl?: string;
  json?: boolean;
}

/**
 * `hindsight notify`: write each incident's cause back to the causing pull request (and the incident's issue).
 * Octokit loads only when it runs; the token is read here (GITHUB_TOKEN, GH_TOKEN, else `gh auth token`).
 */
export function registerNotify(program: Command, makeContext: ContextFactory): void {
  program
    .command('notify')
    .description(
      "Comment an incident's confirmed cause on the pull request that brought it in (once; edited in place later)",
    )
    .option('--dry-run', 'print exactly what would be written; write nothing and ask GitHub nothing')
    .option('--repo-slug <owner/name>', 'the GitHub repository (also: --repo owner/name after notify)')
    .option('--incident <id>', 'only this incident (default: every incident with a cause)')
    .option(
      '--min-score <n>',
      'also tell suspects scoring at least n in (0, 1] — uncalibrated; default: confirmed only',
    )
    .option('--base-url <url>', 'API root for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nToken: GITHUB_TOKEN or GH_TOKEN, else `gh auth token`; it needs issues: write and pull-requests: write.\n' +
        'One comment per (incident, pull request), found again by its hidden marker; a cause a person rejected is\n' +
        'withdrawn by editing the comment.',
    )
    .action(async (o: NotifyFlags, cmd: Command) => {
      const { slug, clonePath } = repoFlagsAfter(rawArgs(cmd), ['notify']);
      // The global --repo (the clone) and this command's --repo (owner/name) share a flag name: put the path back.
      program.setOptionValue('repo', clonePath);
      const repo = o.repoSlug ?? slug;
      let minScore: number | undefined;
      if (o.minScore !== undefined) {
        minScore = Number(o.minScore);
        if (!Number.isFinite(minScore)) {
          throw new UserInputError(`--min-score '${o.minScore}' is not a number; pass e.g. 0.7`, 'minScore');
        }
      }
      const [{ notify }, { renderNotifyResult }] = await Promise.all([
        import('../../notify/run.js'),
        import('../../notify/report-text.js'),
      ]);
      const ctx = makeContext();
      try {
        let client;
        if (!o.dryRun) {
          const { connectGithub } = await import('../../loop/github.js');
          client = await connectGithub({
            env: process.env,
            ...(o.baseUrl !== undefined ? { baseUrl: o.baseUrl } : {}),
            log: info,
            need: 'no comment can be written: set GITHUB_TOKEN or GH_TOKEN to a token with issues: write and pull-requests: write',
          });
        }
        const result = await notify(ctx, {
          dryRun: o.dryRun === true,
          ...(repo !== undefined ? { repo } : {}),
          ...(o.incident !== undefined ? { incident: o.incident } : {}),
          ...(minScore !== undefined ? { minScore } : {}),
          ...(client ? { client } : {}),
        });
        if (o.json) outJson(result);
        else out(renderNotifyResult(result));
      } finally {
        ctx.store.close();
      }
    });
}
