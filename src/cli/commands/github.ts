import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { info, out } from '../output.js';
import { rawArgs, repoFlags } from '../parse.js';

/**
 * `hindsight ingest github --repo owner/name`: a subcommand of `ingest`. Octokit loads only when it runs.
 * Environment values are read here (GITHUB_TOKEN, GH_TOKEN …) until config.ts owns them.
 */
export function registerGithubIngest(program: Command, makeContext: ContextFactory): void {
  const ingest = program.commands.find((c) => c.name() === 'ingest');
  if (!ingest) throw new Error('registerGithubIngest needs the ingest command: call registerIngest first');
  ingest
    .command('github')
    .description(
      'Ingest deployments, workflow runs, merged pull requests and incident issues from GitHub (incremental)',
    )
    .argument('[owner/name]', 'the GitHub repository (or pass --repo owner/name after github)')
    .option('--base-url <url>', 'API root for GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3')
    .option('--label <name>', 'label that marks incident issues', 'incident')
    .option('--env <name>', 'only deployments of this environment; also the env of incidents from issues')
    .option('--releases', 'record published releases as deploys (for repositories that deploy by release)')
    .option('--per-page <n>', 'page size (1-100)', '100')
    .addHelpText(
      'after',
      '\nToken: GITHUB_TOKEN or GH_TOKEN, else `gh auth token`. Read access to contents, deployments, actions,\n' +
        'pull requests and issues. The local clone (--repo PATH before `ingest`) must hold the deployed commits.',
    )
    .action(
      async (
        slugArg: string | undefined,
        o: { baseUrl?: string; label: string; env?: string; releases?: boolean; perPage: string },
        cmd: Command,
      ) => {
        const [{ createGithubClient, parseRepoSlug, resolveGithubToken, DEFAULT_BASE_URL }, { ingestGithub }] =
          await Promise.all([import('../../github/client.js'), import('../../github/ingest.js')]);
        const { slug, clonePath } = splitRepoFlags(rawArgs(cmd), slugArg);
        // The global --repo (the clone) and this command's --repo (owner/name) share a flag name: put the path back.
        program.setOptionValue('repo', clonePath);
        const where = parseRepoSlug(slug);
        const perPage = Number(o.perPage);
        if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
          throw new UserInputError(`--per-page '${o.perPage}' must be a whole number from 1 to 100`, 'perPage');
        }
        const ctx = makeContext();
        const baseUrl = o.baseUrl ?? DEFAULT_BASE_URL;
        const client = await createGithubClient({
          token: await resolveGithubToken(process.env, baseUrl),
          baseUrl,
          log: info,
        });
        try {
          const res = await ingestGithub(ctx, client, {
            repo: where.slug,
            incidentLabel: o.label,
            perPage,
            ...(o.env ? { env: o.env } : {}),
            ...(o.releases ? { releases: true } : {}),
          });
          const line = (name: string, c: { stored: number; ignored: number; pending: number; unchanged?: boolean }) =>
            `  ${name.padEnd(14)} ${c.unchanged ? 'unchanged (304)' : `${c.stored} stored, ${c.ignored} ignored, ${c.pending} pending`}`;
          out(
            [
              `github ${res.repo}: ${res.requests} request(s) in ${res.ms} ms`,
              line('issues', res.issues),
              line('pull requests', res.pullRequests),
              line('deployments', res.deployments),
              ...(res.releases ? [line('releases', res.releases)] : []),
              line('workflow runs', res.workflowRuns),
              `  attribution refreshed for ${res.attributed} incident(s)`,
              ...res.warnings.map((w) => `  warning: ${w}`),
            ].join('\n'),
          );
        } finally {
          ctx.store.close();
        }
      },
    );
}

/**
 * The program's global `--repo PATH` (the local clone) would swallow `ingest github --repo owner/name`, since
 * commander reads global options anywhere on the line. Split by position: before `github` it is the clone,
 * after it the GitHub repository.
 */
export function splitRepoFlags(argv: string[], positional?: string): { slug: string; clonePath?: string } {
  const { slug, clonePath } = repoFlagsAfter(argv, ['ingest', 'github'], positional);
  if (!slug) {
    throw new UserInputError('name the GitHub repository: hindsight ingest github --repo owner/name', 'repo');
  }
  return { slug, ...(clonePath !== undefined ? { clonePath } : {}) };
}

/** The same split for any command (`notify`): a `--repo` after `command` is the GitHub repository, if given. */
export function repoFlagsAfter(
  argv: string[],
  command: readonly string[],
  positional?: string,
): { slug?: string; clonePath?: string } {
  const at = argv.findIndex((_a, i) => command.every((c, k) => argv[i - command.length + 1 + k] === c));
  let clonePath: string | undefined;
  let slug = positional;
  for (const { value, at: i } of repoFlags(argv)) {
    if (at >= 0 && i > at) slug = value;
    else clonePath = value;
  }
  return { ...(slug !== undefined ? { slug } : {}), ...(clonePath !== undefined ? { clonePath } : {}) };
}
