#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { classifyError } from '../errors.js';
import { VERSION } from '../version.js';
import { info } from './output.js';
import { displayTarget } from '../store/engine/postgres-url.js';

/** Lazily builds the context from the global flags, so `--help` and `demo` never open the default database. */
export type ContextFactory = (overrides?: Partial<Config>) => AppContext;

type Registrar = (program: Command, makeContext: ContextFactory) => void;

/**
 * Each top-level command and the module(s) that register it, in help order. Only the modules of the command
 * being run are loaded, so serving (the default) starts without the ingest, eval or demo code; help and
 * unknown commands load them all, so commander can list every command.
 */
const COMMANDS: Record<string, () => Promise<Registrar[]>> = {
  serve: async () => [(await import('./commands/serve.js')).registerServe],
  ingest: async () => {
    const [ingest, github, signals] = await Promise.all([
      import('./commands/ingest.js'),
      import('./commands/github.js'),
      import('./commands/signals.js'),
    ]);
    // github and signals are subcommands of ingest
    return [ingest.registerIngest, github.registerGithubIngest, signals.registerSignalsIngest];
  },
  deploy: async () => [(await import('./commands/deploy.js')).registerDeploy],
  attribute: async () => [(await import('./commands/attribute.js')).registerAttribute],
  eval: async () => [(await import('./commands/eval.js')).registerEval],
  status: async () => [(await import('./commands/status.js')).registerStatus],
  triage: async () => [(await import('./commands/triage.js')).registerTriage],
  metrics: async () => [(await import('./commands/metrics.js')).registerMetrics],
  hotspots: async () => [(await import('./commands/hotspots.js')).registerHotspots],
  report: async () => [(await import('./commands/report.js')).registerReport],
  release: async () => [(await import('./commands/release.js')).registerRelease],
  interrupts: async () => [(await import('./commands/interrupts.js')).registerInterrupts],
  loop: async () => [(await import('./commands/loop.js')).registerLoop],
  notify: async () => [(await import('./commands/notify.js')).registerNotify],
  reject: async () => [(await import('./commands/reject.js')).registerReject],
  'propose-test': async () => [(await import('./commands/propose-test.js')).registerProposeTest],
  token: async () => [(await import('./commands/token.js')).registerToken],
  demo: async () => [(await import('./commands/demo.js')).registerDemo],
  db: async () => [(await import('./commands/db-copy.js')).registerDbCopy],
};

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('hindsight')
    .description('Closes the loop from production back to the coding agents and people who wrote the code.')
    .version(VERSION)
    .addOption(
      new Option('--db <path|url>', 'SQLite file or postgres:// URL (env HINDSIGHT_DB; default data/hindsight.db)'),
    )
    .addOption(
      new Option(
        '--repo <path>',
        'git repository, work tree or bare (env HINDSIGHT_REPO; default .); serve --http takes several',
      ).argParser((v: string, prev: string | string[] | undefined) => [
        ...(prev === undefined ? [] : [prev].flat()),
        v,
      ]),
    )
    .addOption(new Option('--config <path>', 'config file (default <repo>/hindsight.config.json)'))
    .showHelpAfterError('(run hindsight --help for usage)')
    // Throw instead of exiting, here and in every command registered below, so a usage error exits 2 (bad input).
    .exitOverride();

  const contexts: AppContext[] = [];
  let dbPath: string | undefined; // named in database errors
  const makeContext: ContextFactory = (overrides = {}) => {
    const { repo, ...rest } = program.opts<{ db?: string; repo?: string | string[]; config?: string }>();
    // The first --repo is the one commands work on (serve --http ingests the others too).
    const first = [repo ?? []].flat()[0];
    const flags = { ...rest, ...(first !== undefined ? { repo: first } : {}) };
    const config = { ...loadConfig({ cwd: process.cwd(), env: process.env, flags }), ...overrides };
    dbPath = displayTarget(config.dbPath); // never a password in a message
    const ctx = createContext(config, { log: info });
    contexts.push(ctx);
    return ctx;
  };

  try {
    const registrars = await Promise.all(commandsToLoad(program, argv.slice(2)).map((name) => COMMANDS[name]!()));
    for (const register of registrars.flat()) register(program, makeContext);
    // No command: the main job — serve the current repository over stdio.
    program.action(async () => (await import('./commands/serve.js')).serve(makeContext, { ingest: true }));
    await program.parseAsync(argv);
  } catch (err) {
    for (const ctx of contexts) ctx.store.close();
    process.exitCode = reportError(err, dbPath);
  }
}

/** The command named on the line (its module alone), serve when none is named, every command for help. */
function commandsToLoad(program: Command, args: string[]): string[] {
  const takesValue = new Set(
    program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter(Boolean)),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '-h' || arg === '--help') return Object.keys(COMMANDS);
    if (arg.startsWith('-')) {
      if (takesValue.has(arg)) i++; // `--db <path>`; `--db=<path>` is one argument
      continue;
    }
    return arg in COMMANDS ? [arg] : Object.keys(COMMANDS);
  }
  return ['serve'];
}

/**
 * Prints an error for the person who acts on it and returns the exit code the README promises: 2 bad input or
 * config, 3 a busy database (retry), the environment or an upstream, 1 a bug — the only one with a stack trace.
 */
function reportError(err: unknown, dbPath: string | undefined): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander printed help or the usage error
  const failure = classifyError(err, dbPath ? { dbPath } : {});
  if (failure.blame !== 'bug') {
    info(`hindsight: ${failure.message}`);
    return failure.exitCode;
  }
  info(
    `hindsight: unexpected error (a bug; please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  return 1;
}

await main(process.argv);
