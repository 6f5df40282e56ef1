import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { refreshAttribution } from '../../attribution/suspects.js';
import type { AppContext } from '../../context.js';
import { errorMessage } from '../../errors.js';
import { ingestGit } from '../../ingest/git.js';
import { buildServer } from '../../mcp/server.js';
import { storeCounts } from '../../store/counts.js';
import type { ContextFactory } from '../main.js';
import { info } from '../output.js';
import { addHttpOptions, serveHttp, type ServeHttpOptions } from './serve-http.js';

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
 * Connects the MCP server on stdio first (clients time out on slow starts), then ingests what is new in
 * the repository in the background and prints the banner to stderr. Stdout belongs to JSON-RPC.
 */
export async function serve(makeContext: ContextFactory, opts: { ingest: boolean }): Promise<void> {
  const ctx = makeContext();
  const server = buildServer(ctx);
  const transport = new StdioServerTransport();
  await server.connect(transport);
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
  if (opts.ingest) ingestNote = await ingestQuietly(ctx);
  banner(ctx, ingestNote);
}

async function ingestQuietly(ctx: AppContext): Promise<string> {
  try {
    const res = await ingestGit(ctx);
    if (res.added > 0) await refreshAttribution(ctx, { startedAfter: ctx.clock() - 90 * 86_400_000 });
    return `ingested ${res.added} new commit(s) in ${res.ms} ms`;
  } catch (err) {
    return `git ingest failed: ${errorMessage(err)}`;
  }
}

function banner(ctx: AppContext, ingestNote: string): void {
  const c = storeCounts(ctx.store);
  info(
    [
      'hindsight MCP server on stdio',
      `  database:   ${ctx.config.dbPath}`,
      `  repository: ${ctx.config.repoPath} (${ingestNote})`,
      `  data:       ${c.commits} commits, ${c.deploys} deploys, ${c.incidents} incidents`,
      `  connect:    claude mcp add hindsight -- npx hindsight serve --repo ${ctx.config.repoPath} --db ${ctx.config.dbPath}`,
      '  (stdout carries JSON-RPC; this banner is on stderr. Ctrl-D or Ctrl-C to stop.)',
    ].join('\n'),
  );
}
