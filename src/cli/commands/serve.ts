import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AppContext } from '../../context.js';
import { classifyError, ConfigError, errorMessage } from '../../errors.js';
import { TOOLSETS, parseToolsets, refusal, type Access } from '../../mcp/access.js';
import { OUTPUT_SCHEMAS, type OutputSchemas } from '../../mcp/output-schema.js';
import { buildServer, buildUnavailableServer, loadToolCalls } from '../../mcp/server.js';
import type { ContextFactory } from '../main.js';
import { info } from '../output.js';
import { selfCommand, shellQuote } from '../../shell.js';
import { addHttpOptions, serveHttp, type ServeHttpOptions } from './serve-http.js';
import { displayTarget } from '../../store/engine/postgres-url.js';

/** Clients list tools right after initializing; this is the longest the start-up ingest waits for that. */
const INGEST_AFTER_MS = 2_000;

export function registerServe(program: Command, makeContext: ContextFactory): void {
  const cmd = program
    .command('serve')
    .description('Start the MCP server on stdio (the default command), or with --http the team server')
    .option('--no-ingest', 'do not ingest new commits of the repository at start')
    .option('--read-only', 'list and allow only the tools that do not write (readOnlyHint)')
    .option('--toolsets <names>', `load only these toolsets: ${Object.keys(TOOLSETS).join(', ')} (comma-separated)`)
    .addOption(
      new Option('--output-schemas <depth>', 'answer shapes in tools/list: top level, or full for code-mode clients')
        .choices(OUTPUT_SCHEMAS)
        .default('top'),
    );
  addHttpOptions(cmd).action(
    (
      opts: {
        ingest: boolean;
        http?: boolean;
        readOnly?: boolean;
        toolsets?: string;
        outputSchemas: OutputSchemas;
      } & ServeHttpOptions,
      c: Command,
    ) => {
      const access: Access = {
        ...(opts.readOnly ? { readOnly: true } : {}),
        ...(opts.toolsets !== undefined ? { toolsets: parseToolsets(opts.toolsets, '--toolsets') } : {}),
      };
      return opts.http ? serveHttp(makeContext, opts, access, c) : serve(makeContext, { ...opts, access });
    },
  );
}

/**
 * Connects the MCP server on stdio first (clients time out on slow starts), then ingests what is new in the
 * repository in the background and prints the banner to stderr. Stdout belongs to JSON-RPC.
 *
 * The ingest starts once the client has its tool list (or after INGEST_AFTER_MS), so neither loading the ingest
 * code nor git delays the first answers; the tool definitions load between the two (loadToolCalls). It writes through its own connection (with its own page cache settings),
 * in short synchronous chunks: tool calls meanwhile read committed data (WAL), each ingested commit whole, and a
 * tool call that writes waits at most one chunk for the lock.
 */
export async function serve(
  makeContext: ContextFactory,
  opts: { ingest: boolean; access?: Access; outputSchemas?: OutputSchemas },
): Promise<void> {
  let ctx: AppContext;
  try {
    ctx = makeContext();
    // Served as it is, every tool would answer "risk LOW" and "no commits" about a repository that is not there.
    if (!existsSync(ctx.config.repoPath)) {
      ctx.store.close();
      throw new ConfigError(
        `repository ${ctx.config.repoPath} does not exist; pass --repo PATH (or HINDSIGHT_REPO) with a git work tree or bare repository`,
      );
    }
  } catch (err) {
    const failure = classifyError(err);
    if (failure.blame !== 'config' && failure.blame !== 'environment') throw err;
    return serveUnavailable(failure.message, failure.exitCode);
  }
  let toolsListed = () => {};
  const listed = new Promise<void>((resolve) => {
    toolsListed = resolve;
    setTimeout(resolve, INGEST_AFTER_MS).unref();
  });
  const access = opts.access ?? {};
  const server = buildServer(ctx, undefined, {
    onToolsListed: () => toolsListed(),
    refuse: (tool) => refusal(tool, access),
    ...(opts.outputSchemas ? { outputSchemas: opts.outputSchemas } : {}),
  });
  await server.connect(new StdioServerTransport());
  const close = () => {
    void server.close().finally(() => {
      ctx.store.close();
      process.exit(0);
    });
  };
  process.stdin.on('end', close);
  process.on('SIGINT', close);
  process.on('SIGTERM', close);

  let ingestNote = 'ingest skipped (--no-ingest)';
  if (opts.ingest) {
    await listed;
    await loadToolCalls();
    ingestNote = await ingestQuietly(makeContext);
  }
  await banner(ctx, ingestNote);
}

/**
 * A configuration or database the server cannot run with still gets a server on stdio: exiting would reach the
 * client only as "Connection closed". It lists the tools and answers every call with the error and its fix, prints
 * it on stderr, and exits with the error's code when the client goes, so a supervisor or script sees the failure.
 */
async function serveUnavailable(reason: string, exitCode: number): Promise<void> {
  info(`hindsight: ${reason}\n  (serving on stdio anyway: every tool call answers with this error until it is fixed)`);
  const server = buildUnavailableServer(reason);
  await server.connect(new StdioServerTransport());
  const close = () => void server.close().finally(() => process.exit(exitCode));
  process.stdin.on('end', close);
  process.on('SIGINT', close);
  process.on('SIGTERM', close);
}

async function ingestQuietly(makeContext: ContextFactory): Promise<string> {
  let ctx: AppContext | undefined;
  try {
    const [{ ingestGit }, { refreshAttribution }] = await Promise.all([
      import('../../ingest/git.js'),
      import('../../attribution/refresh.js'),
    ]);
    ctx = makeContext();
    const res = await ingestGit(ctx);
    await refreshAttribution(ctx, { newCommits: res });
    return `ingested ${res.added} new commit(s) in ${res.ms} ms`;
  } catch (err) {
    return `git ingest failed: ${errorMessage(err)}`;
  } finally {
    ctx?.store.close();
  }
}

async function banner(ctx: AppContext, ingestNote: string): Promise<void> {
  const { storeCounts } = await import('../../store/counts.js');
  const c = storeCounts(ctx.store);
  info(
    [
      'hindsight MCP server on stdio',
      `  database:   ${displayTarget(ctx.config.dbPath)}`,
      `  repository: ${ctx.config.repoPath} (${ingestNote})`,
      `  data:       ${c.commits} commits, ${c.deploys} deploys, ${c.incidents} incidents`,
      `  connect:    claude mcp add hindsight -- ${selfCommand()} serve --repo ${shellQuote(ctx.config.repoPath)} --db ${shellQuote(displayTarget(ctx.config.dbPath))}`,
      '  (stdout carries JSON-RPC; this banner is on stderr. Ctrl-D or Ctrl-C to stop.)',
    ].join('\n'),
  );
}
