import type { Command } from 'commander';
import { UserInputError, errorMessage } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { info } from '../output.js';

export interface ServeHttpOptions {
  /** false with --no-ingest */
  ingest?: boolean;
  port?: string;
  host?: string;
  githubRepo?: string;
  label?: string;
  env?: string;
  releases?: boolean;
  maxBody?: string;
}

/** The options of `hindsight serve --http`, added to the serve command. */
export function addHttpOptions(serve: Command): Command {
  return serve
    .option('--http', 'receive webhooks over HTTP (GitHub, PagerDuty, generic incidents) instead of MCP on stdio')
    .option('--port <n>', 'with --http: port (default 8787)')
    .option('--host <address>', 'with --http: address to listen on (default 127.0.0.1, loopback only)')
    .option('--github-repo <owner/name>', 'with --http: only use GitHub deliveries of this repository')
    .option('--label <name>', 'with --http: label that marks incident issues (default incident)')
    .option('--env <name>', 'with --http: only deployments of this environment; env of incidents from issues')
    .option('--releases', 'with --http: published releases are deploys')
    .option('--max-body <bytes>', 'with --http: larger bodies get 413 (default 1048576)');
}

/**
 * Runs the webhook receiver until SIGINT/SIGTERM. Secrets come from the environment (HINDSIGHT_WEBHOOK_SECRET,
 * HINDSIGHT_PAGERDUTY_SECRET, HINDSIGHT_INCIDENT_TOKEN; GITHUB_TOKEN to fetch merged PRs' commits) — read here
 * until config.ts owns them — and are never printed.
 */
export async function serveHttp(makeContext: ContextFactory, o: ServeHttpOptions): Promise<void> {
  const env = process.env;
  const port = o.port === undefined ? 8787 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserInputError(`--port '${o.port}' must be a port number (0-65535)`, 'port');
  }
  const maxBody = o.maxBody === undefined ? undefined : Number(o.maxBody);
  if (maxBody !== undefined && (!Number.isInteger(maxBody) || maxBody < 1)) {
    throw new UserInputError(`--max-body '${o.maxBody}' must be a number of bytes, e.g. 1048576`, 'maxBody');
  }
  const [{ startWebhookServer }, { createGithubClient, parseRepoSlug, DEFAULT_BASE_URL }] = await Promise.all([
    import('../../webhooks/server.js'),
    import('../../github/client.js'),
  ]);
  const repo = o.githubRepo ? parseRepoSlug(o.githubRepo).slug : undefined;
  const ctx = makeContext();
  // As the stdio server does: what is new in the clone first, so deliveries find their commits.
  const ingestNote =
    o.ingest === false
      ? 'ingest skipped (--no-ingest)'
      : await import('../../ingest/git.js')
          .then(({ ingestGit }) => ingestGit(ctx))
          .then(
            (r) => `ingested ${r.added} new commit(s)`,
            (err: unknown) => `git ingest failed: ${errorMessage(err)}`,
          );
  const githubSecret = env['HINDSIGHT_WEBHOOK_SECRET'];
  const token = env['GITHUB_TOKEN'] ?? env['GH_TOKEN'];
  const client =
    githubSecret && token ? await createGithubClient({ token, baseUrl: DEFAULT_BASE_URL, log: info }) : undefined;
  const host = o.host ?? '127.0.0.1';
  const server = await startWebhookServer(ctx, {
    host,
    port,
    ...(githubSecret
      ? {
          github: {
            secret: githubSecret,
            ...(repo ? { repo } : {}),
            ...(o.label ? { incidentLabel: o.label } : {}),
            ...(o.env ? { env: o.env } : {}),
            ...(o.releases ? { releases: true } : {}),
            ...(client ? { client } : {}),
          },
        }
      : {}),
    ...(env['HINDSIGHT_PAGERDUTY_SECRET'] ? { pagerdutySecret: env['HINDSIGHT_PAGERDUTY_SECRET'] } : {}),
    ...(env['HINDSIGHT_INCIDENT_TOKEN'] ? { incidentToken: env['HINDSIGHT_INCIDENT_TOKEN'] } : {}),
    ...(maxBody !== undefined ? { maxBodyBytes: maxBody } : {}),
  });
  const loopback = /^(127\.|::1$|localhost$)/.test(host);
  info(
    [
      `hindsight webhook receiver on ${server.url}`,
      `  database:   ${ctx.config.dbPath}`,
      `  repository: ${ctx.config.repoPath} (${ingestNote})`,
      ...server.routes.map((r) => `  POST ${server.url}${r}`),
      loopback
        ? '  (loopback only; a reverse proxy with TLS forwards deliveries from outside)'
        : '  warning: listening beyond loopback; terminate TLS in front of it',
      '  Ctrl-C to stop.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().finally(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ctx.store.close();
}
