#!/usr/bin/env node
import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { ConfigError, ImportRejectedError, UpstreamError, UserInputError } from '../errors.js';
import { VERSION } from '../version.js';
import { info } from './output.js';
import { registerAttribute } from './commands/attribute.js';
import { registerDemo } from './commands/demo.js';
import { registerDeploy } from './commands/deploy.js';
import { registerEval } from './commands/eval.js';
import { registerGithubIngest } from './commands/github.js';
import { registerIngest } from './commands/ingest.js';
import { registerInterrupts } from './commands/interrupts.js';
import { registerLoop } from './commands/loop.js';
import { registerServe, serve } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerTriage } from './commands/triage.js';

/** Lazily builds the context from the global flags, so `--help` and `demo` never open the default database. */
export type ContextFactory = (overrides?: Partial<Config>) => AppContext;

function main(argv: string[]): void {
  const program = new Command()
    .name('hindsight')
    .description('Closes the loop from production back to the coding agents and people who wrote the code.')
    .version(VERSION)
    .addOption(new Option('--db <path>', 'SQLite database (env HINDSIGHT_DB; default data/hindsight.db)'))
    .addOption(new Option('--repo <path>', 'git repository, work tree or bare (env HINDSIGHT_REPO; default .)'))
    .addOption(new Option('--config <path>', 'config file (default <repo>/hindsight.config.json)'))
    .showHelpAfterError('(run hindsight --help for usage)');

  const contexts: AppContext[] = [];
  const makeContext: ContextFactory = (overrides = {}) => {
    const flags = program.opts<{ db?: string; repo?: string; config?: string }>();
    const config = { ...loadConfig({ cwd: process.cwd(), env: process.env, flags }), ...overrides };
    const ctx = createContext(config, { log: info });
    contexts.push(ctx);
    return ctx;
  };

  registerServe(program, makeContext);
  registerIngest(program, makeContext);
  registerGithubIngest(program, makeContext);
  registerDeploy(program, makeContext);
  registerAttribute(program, makeContext);
  registerEval(program, makeContext);
  registerStatus(program, makeContext);
  registerTriage(program, makeContext);
  registerInterrupts(program, makeContext);
  registerLoop(program, makeContext);
  registerDemo(program);
  // No command: the main job — serve the current repository over stdio.
  program.action(() => serve(makeContext, { ingest: true }));

  program.parseAsync(argv).catch((err: unknown) => {
    for (const ctx of contexts) ctx.store.close();
    process.exitCode = reportError(err);
  });
}

/** Prints an error for the person who acts on it and returns the exit code. */
function reportError(err: unknown): number {
  if (err instanceof ImportRejectedError || err instanceof UserInputError || err instanceof ConfigError) {
    info(`hindsight: ${err.message}`);
    return 2;
  }
  if (err instanceof UpstreamError) {
    info(`hindsight: ${err.message}${err.retryable ? ' (temporary: try again)' : ''}`);
    return 3;
  }
  info(
    `hindsight: unexpected error (a bug; please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  return 1;
}

main(process.argv);
