import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AppContext } from '../../context.js';
import { errorMessage } from '../../errors.js';
import { buildServer } from '../../mcp/server.js';
import type { ContextFactory } from '../main.js';
import { info } from '../output.js';
import { selfCommand, shellQuote } from '../self-command.js';
import { addHttpOptions, serveHttp, type ServeHttpOptions } from './serve-http.js';

/** Clients list tools right after initializing; this is the longest the start-up ingest waits for that. */
const INGEST_AFTER_MS = 2_000;

export function registerServe(program: Command, makeContext: ContextFactory): void {
  const cmd = program
    .command('serve')
    .description('Start the MCP server on stdio (the default command)')
    .option('--no-ingest', 'do not ingest new commits of the repository at start');
  addHttpOptions(cmd).action((opts: { ingest: boolean; http?: boolean } & ServeHttpOptions) =>
    opts.http ? serveHttp(makeContext, opts) : serve(makeContext, opts),
  );
}

/**
 * Connects the MCP server on stdio first (clients time out on slow starts), then ingests what is new in the
 * repository in the background and prints the banner to stderr. Stdout belongs to JSON-RPC.
 *
 * The ingest starts once the client has its tool list (or after INGEST_AFTER_MS), so neither loading the ingest
 * code nor git delays the first answers. It writes through its own connection: tool calls meanwhile read only
 * committed data (WAL), each ingested commit whole, and their own writes stay their own transactions — on the
 * shared connection they would have joined the ingest's open batch transaction.
 */
export async function serve(makeContext: ContextFactory, opts: { ingest: boolean }): Promise<void> {
  const ctx = makeContext();
  let toolsListed = () => {};
  const listed = new Promise<void>((resolve) => {
    toolsListed = resolve;
    setTimeout(resolve, INGEST_AFTER_MS).unref();
  });
  const server = buildServer(ctx, undefined, { onToolsListed: () => toolsListed() });
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
    ingestNote = await ingestQuietly(makeContext);
  }
  await banner(ctx, ingestNote);
}

async function ingestQuietly(makeContext: ContextFactory): Promise<string> {
  let ctx: AppContext | undefined;
  try {
    const [{ ingestGit }, { refreshAttribution }] = await Promise.all([
      import('../../ingest/git.js'),
      import('../../attribution/suspects.js'),
    ]);
    ctx = makeContext();
    const res = await ingestGit(ctx);
    if (res.added > 0) await refreshAttribution(ctx, { startedAfter: ctx.clock() - 90 * 86_400_000 });
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
      `  database:   ${ctx.config.dbPath}`,
      `  repository: ${ctx.config.repoPath} (${ingestNote})`,
      `  data:       ${c.commits} commits, ${c.deploys} deploys, ${c.incidents} incidents`,
      `  connect:    claude mcp add hindsight -- ${selfCommand()} serve --repo ${shellQuote(ctx.config.repoPath)} --db ${shellQuote(ctx.config.dbPath)}`,
      '  (stdout carries JSON-RPC; this banner is on stderr. Ctrl-D or Ctrl-C to stop.)',
    ].join('\n'),
  );
}
