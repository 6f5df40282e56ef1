import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { isPostgresUrl } from './store/engine/postgres-url.js';

/** Maps an author (email or name, glob) to an agent name, or marks it human. */
const identityRule = z
  .object({
    match: z.string().min(1).describe('author email or name; * wildcards allowed'),
    agent: z.string().min(1).optional(),
    kind: z.enum(['human', 'agent']).optional(),
  })
  .strict();
export type IdentityRule = z.infer<typeof identityRule>;

/** The optional `hindsight.config.json` at the repository root (or `--config PATH`). */
export const configFileSchema = z
  .object({
    db: z.string().optional(),
    modules: z.record(z.string(), z.array(z.string()).min(1)).optional(),
    identities: z.array(identityRule).optional(),
    agent: z.string().optional(),
    env: z.string().optional(),
    decisionDirs: z.array(z.string()).optional(),
    /** minutes of production signals compared before and after each deploy (default 60) */
    signalWindowMinutes: z.number().int().min(5).max(1440).optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof configFileSchema>;

export interface Config {
  /** Absolute path of the SQLite file (or ':memory:'). */
  dbPath: string;
  /** Absolute path of the repository (work tree or bare git dir). */
  repoPath: string;
  /** module name → path globs; first match wins, in file order. */
  modules: Record<string, string[]>;
  identities: IdentityRule[];
  /** The agent this process speaks for, when set (HINDSIGHT_AGENT or config). */
  agent?: string;
  /** Default deploy/incident environment. */
  env: string;
  /** Folders searched for decision records, relative to the repository. */
  decisionDirs: string[];
  /** Minutes of signals compared before and after a deploy; undefined = 60. */
  signalWindowMinutes?: number;
  /** Fixed "now" (unix ms) for reproducible answers (HINDSIGHT_NOW); undefined = the real clock. */
  now?: number;
  /**
   * At most this many concurrent log_interrupt calls of one process commit in one transaction
   * (HINDSIGHT_WRITE_GROUP; undefined = 64; 1 = each call its own transaction, as before group commits).
   */
  writeGroup?: number;
  configFile?: string;
}

export interface ConfigSources {
  cwd: string;
  env: Record<string, string | undefined>;
  flags: { db?: string; repo?: string; config?: string };
}

export const CONFIG_FILE_NAME = 'hindsight.config.json';
export const DEFAULT_DECISION_DIRS = ['docs/adr', 'docs/decisions', 'doc/adr', 'docs/architecture/decisions'];

/** Flags beat environment beats config file beats defaults. The only place that reads environment values. */
export function loadConfig({ cwd, env, flags }: ConfigSources): Config {
  const repoPath = resolve(cwd, flags.repo ?? env['HINDSIGHT_REPO'] ?? '.');
  const explicitFile = flags.config ?? env['HINDSIGHT_CONFIG'];
  const configFile = explicitFile ? resolve(cwd, explicitFile) : resolve(repoPath, CONFIG_FILE_NAME);
  const file = readConfigFile(configFile, explicitFile !== undefined);

  const dbRaw = flags.db ?? env['HINDSIGHT_DB'] ?? file.db ?? 'data/hindsight.db';
  // A postgres:// or postgresql:// URL selects PostgreSQL (store/engine) and is kept as written.
  const dbPath = dbRaw === ':memory:' || isPostgresUrl(dbRaw) ? dbRaw : isAbsolute(dbRaw) ? dbRaw : resolve(cwd, dbRaw);

  let now: number | undefined;
  const nowRaw = env['HINDSIGHT_NOW'];
  if (nowRaw) {
    now = Date.parse(nowRaw);
    if (Number.isNaN(now))
      throw new ConfigError(`HINDSIGHT_NOW='${nowRaw}' is not an ISO date; use e.g. 2026-03-01T12:00:00Z`);
  }

  const groupRaw = env['HINDSIGHT_WRITE_GROUP'];
  const writeGroup = groupRaw ? Number(groupRaw) : undefined;
  if (writeGroup !== undefined && !(Number.isInteger(writeGroup) && writeGroup >= 1))
    throw new ConfigError(
      `HINDSIGHT_WRITE_GROUP='${groupRaw}' is not a whole number ≥ 1; use e.g. 64, or 1 for no grouping`,
    );

  const agent = env['HINDSIGHT_AGENT'] ?? file.agent;
  return {
    dbPath,
    repoPath,
    modules: file.modules ?? {},
    identities: file.identities ?? [],
    ...(agent ? { agent } : {}),
    env: file.env ?? 'production',
    decisionDirs: file.decisionDirs ?? DEFAULT_DECISION_DIRS,
    ...(file.signalWindowMinutes !== undefined ? { signalWindowMinutes: file.signalWindowMinutes } : {}),
    ...(now !== undefined ? { now } : {}),
    ...(writeGroup !== undefined ? { writeGroup } : {}),
    ...(existsSync(configFile) ? { configFile } : {}),
  };
}

function readConfigFile(path: string, required: boolean): ConfigFile {
  if (!existsSync(path)) {
    if (required) {
      throw new ConfigError(
        `config file ${path} does not exist: create it, or leave out --config (and HINDSIGHT_CONFIG) to read <repo>/${CONFIG_FILE_NAME} when it exists`,
      );
    }
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `config file ${path} is not valid JSON (${(err as Error).message}): fix it, with keys and strings in double quotes and no trailing commas`,
    );
  }
  // Parsed once per process: zod's compiled fast path would cost more to build than it saves (bench/FINDINGS.md §3).
  const parsed = configFileSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new ConfigError(
      `config file ${path} is invalid:\n${issues}\nFix those keys: the README's Configuration section describes each one.`,
    );
  }
  return parsed.data;
}
