import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import type { AppContext } from '../../context.js';
import type { Access } from '../../mcp/access.js';
import type { ContextFactory } from '../main.js';
import { info } from '../output.js';
import { parseDuration, rawArgs, repoFlags } from '../parse.js';
import { displayTarget } from '../../store/engine/postgres-url.js';
import type { OutputSchemas } from '../../mcp/output-schema.js';

export interface ServeHttpOptions {
  /** false with --no-ingest */
  ingest?: boolean;
  outputSchemas?: OutputSchemas;
  port?: string;
  host?: string;
  githubRepo?: string;
  label?: string;
  env?: string;
  releases?: boolean;
  maxBody?: string;
  publicHost?: string[];
  ingestInterval?: string;
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
    .option('--max-body <bytes>', 'with --http: larger bodies get 413 (default 1048576)')
    .option(
      '--public-host <name>',
      'with --http: a host name clients use besides loopback (Host/Origin check); repeatable',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--ingest-interval <duration>',
      'with --http: ingest the repositories again every … (default 5m; 0: at start only)',
    );
}

/**
 * Runs the team server until SIGINT/SIGTERM: MCP at /mcp for agents with tokens, the webhook receivers, the
 * probes, and the repositories (every `--repo`) kept ingested. Secrets come from the environment
 * (HINDSIGHT_WEBHOOK_SECRET, HINDSIGHT_PAGERDUTY_SECRET, HINDSIGHT_INCIDENT_TOKEN; GITHUB_TOKEN to fetch merged
 * PRs' commits) — read here until config.ts owns them — and are never printed.
 */
export async function serveHttp(
  makeContext: ContextFactory,
  o: ServeHttpOptions,
  access: Access,
  cmd: Command,
): Promise<void> {
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
  const intervalMs = o.ingestInterval === undefined ? 5 * 60_000 : parseDuration(o.ingestInterval, '--ingest-interval');
  const repo = o.githubRepo ? parseRepoSlug(o.githubRepo).slug : undefined;
  const ctx = makeContext();
  const { resolve } = await import('node:path');
  const repos = [...new Set([ctx.config.repoPath, ...repoFlags(rawArgs(cmd)).map((r) => resolve(r.value))])];
  const repoContexts = await contextsByName(ctx, repos);
  const { startIngestLoop } = await import('../../ingest/periodic.js');
  // --no-ingest: no rounds of its own, but an admin can still ask for one (POST /admin/ingest).
  const ingest = startIngestLoop({
    repos,
    atStart: o.ingest !== false,
    intervalMs: o.ingest === false ? 0 : intervalMs,
    run: (r) => ingestInChild(ctx.config.dbPath, r),
    log: info,
  });
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
    mcp: { access, ...(o.outputSchemas ? { outputSchemas: o.outputSchemas } : {}) },
    repos: repoContexts,
    publicHosts: o.publicHost ?? [],
    notReady: ingest.notReady,
    ingestNow: ingest.runNow,
  });
  const loopback = /^(127\.|::1$|localhost$)/.test(host);
  info(
    [
      `hindsight webhook receiver on ${server.url}`,
      `  database:   ${displayTarget(ctx.config.dbPath)}`,
      ...[...repoContexts].map(
        ([name, c], i) =>
          `  repository: ${c.config.repoPath} (${i === 0 ? 'the default; ' : ''}MCP: /mcp?repo=${name})`,
      ),
      o.ingest !== false
        ? `  ingest:     at start${intervalMs > 0 ? `, then every ${o.ingestInterval ?? '5m'}` : ''} (GET /readyz is 503 until the first round is over)`
        : '  ingest:     only on POST /admin/ingest (--no-ingest)',
      ...server.routes.map((r) => `  ${r === '/dashboard' ? 'GET ' : 'POST'} ${server.url}${r}`),
      `  MCP:        claude mcp add --transport http hindsight ${server.url}/mcp --header "Authorization: Bearer $TOKEN"`,
      '              (a token: hindsight token create --agent NAME)',
      loopback
        ? '  (loopback only; a reverse proxy with TLS forwards deliveries from outside)'
        : '  warning: listening beyond loopback; terminate TLS in front of it',
      '  Ctrl-C to stop.',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    // Graceful: stop accepting, let in-flight requests and the running ingest round finish, then exit.
    const stop = () => {
      info('hindsight: shutting down; finishing in-flight requests');
      void Promise.all([server.close(), ingest.stop()]).finally(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ctx.store.close();
}

/**
 * Each repository by name, as a request names it (X-Hindsight-Repo, ?repo=): a context over the same store with
 * that repository's own config file (modules, decision folders, identities) and CODEOWNERS, so its tools read its
 * files. The first is the server's own context.
 */
async function contextsByName(ctx: AppContext, repos: readonly string[]): Promise<Map<string, AppContext>> {
  const [{ loadConfig }, { createContext }, { repoName }] = await Promise.all([
    import('../../config.js'),
    import('../../context.js'),
    import('../../store/repos.js'),
  ]);
  const byName = new Map<string, AppContext>();
  for (const path of repos) {
    const name = repoName(path);
    const other = byName.get(name);
    if (other) {
      throw new UserInputError(
        `--repo ${path} and ${other.config.repoPath} are both named '${name}': requests name a repository by its folder name; rename or clone one under another name`,
        'repo',
      );
    }
    const config =
      path === ctx.config.repoPath
        ? ctx.config
        : loadConfig({
            cwd: process.cwd(),
            env: process.env,
            flags: { db: ctx.config.dbPath, repo: path },
          });
    byName.set(name, path === ctx.config.repoPath ? ctx : createContext(config, { store: ctx.store, log: ctx.log }));
  }
  return byName;
}

/**
 * `hindsight ingest git` for one repository in a child process on the same database: its batch transactions
 * then commit on their own schedule, so a tool call that writes meanwhile waits at most one batch (busy
 * timeout) and reads never wait (WAL) — in this process they would share, and block, the event loop.
 */
function ingestInChild(dbPath: string, repoPath: string): Promise<string> {
  const cli = process.argv[1];
  if (!cli) return Promise.reject(new Error('cannot tell where the hindsight CLI is to run the ingest'));
  return new Promise((resolveRun, reject) => {
    // The database through the environment, not argv: a postgres:// URL may carry a password, and argv is
    // readable by every user of the machine (ps).
    const child = spawn(process.execPath, [cli, '--repo', repoPath, 'ingest', 'git', '--batch-ms', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HINDSIGHT_DB: dbPath },
    });
    // stdout: the one-line summary; stderr: progress, and the reason when it fails.
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun(out.trim()) : reject(new Error(`exit ${code}: ${err.trim().slice(-500)}`)),
    );
  });
}
