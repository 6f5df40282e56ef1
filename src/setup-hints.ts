import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { UserInputError } from './errors.js';
import { selfCommand, shellQuote } from './shell.js';
import { deployTargets } from './store/deploys.js';
import type { Db } from './store/open.js';
import { servedRepoId } from './store/repos.js';
import { setupState, type SetupState } from './store/setup-state.js';

// An answer that is empty because something was never set up says what is missing and the exact line that adds it
// (issues 12 and 15): "none shipped" about an env nobody deploys to, or "risk LOW" about a repository never
// ingested, is a wrong answer a new user cannot tell from a right one. Every such hint is built here, from the
// commands the CLI really has (test/setup-hints.test.ts runs them).

type Where = Pick<Config, 'repoPath' | 'dbPath'>;

/**
 * `hindsight --repo R --db D <args>`, started the way this process was (`node …/main.js` from a checkout, where
 * `hindsight` is not on PATH): the served repository and database, so the line fixes what this server reads.
 */
export function hindsightCommand(args: string, where?: Where): string {
  const at = where ? `--repo ${shellQuote(where.repoPath)} --db ${shellQuote(where.dbPath)} ` : '';
  return `${selfCommand()} ${at}${args}`;
}

export type Setup = keyof SetupState;

/** What is missing and the line that adds it, per kind of set-up. */
export const SETUP_FIX: Record<Setup, (where?: Where) => string> = {
  commits: (where) =>
    `${where ? `repository ${where.repoPath}` : 'the repository'} has no commits ingested: run ` +
    `\`${hindsightCommand('ingest git', where)}\` (serve also ingests at start: if it just started, call again shortly)`,
  deploys: (where) =>
    `no deploys recorded yet: run \`${hindsightCommand("ingest deploys --from-tags 'v*'", where)}\` for release tags, ` +
    `or add \`${hindsightCommand('deploy record --sha "$SHA" --status success', where)}\` to the CD pipeline`,
  incidents: (where) =>
    `no incidents recorded yet: import them with \`${hindsightCommand('ingest incidents FILE', where)}\` ` +
    `(JSON, CSV or YAML) or \`${hindsightCommand('ingest github OWNER/NAME', where)}\` (issues labelled incident)`,
};

/** The set-up a tool's answer needs that this server lacks, each with its fix; [] when all is there. */
export function missingSetup(ctx: AppContext, needs: readonly Setup[]): string[] {
  if (needs.length === 0) return [];
  const state = setupState(ctx.store, servedRepoId(ctx.store, ctx.config.repoPath));
  return needs.filter((n) => !state[n]).map((n) => SETUP_FIX[n](ctx.config));
}

/**
 * An env or service no recorded deploy names is an error listing the known ones ("known: production, staging"),
 * not an empty answer that reads as "nothing shipped". With no deploys at all, the empty answer says so instead.
 */
export function checkDeployTarget(db: Db, target: { env?: string | undefined; service?: string | undefined }): void {
  // Nothing named, nothing to check: no statement (a round trip on PostgreSQL) for most calls.
  if (target.env === undefined && target.service === undefined) return;
  const known = deployTargets(db);
  if (known.envs.length === 0) return;
  if (target.env !== undefined && !known.envs.includes(target.env)) {
    throw new UserInputError(`no deploys in env '${target.env}'; known: ${known.envs.join(', ')}`, 'env');
  }
  if (target.service !== undefined && !known.services.includes(target.service)) {
    const names = known.services.join(', ') || '(none: deploys name no service)';
    throw new UserInputError(`no deploys of service '${target.service}'; known: ${names}`, 'service');
  }
}

/**
 * Why paths have no history: "not in the repository" for those the work tree does not have, "no history yet" for
 * the others (a new file, or a repository not ingested). A bare repository has no work tree to look in.
 */
export function unknownPathsReason(ctx: AppContext, paths: readonly string[]): string {
  const absent = notInRepository(ctx.config.repoPath, paths);
  const present = paths.filter((p) => !absent.includes(p));
  return [
    absent.length ? notInRepositoryNote(ctx.config.repoPath, absent) : '',
    present.length
      ? `no commit or incident names ${present.join(', ')}: misspelt, a new file, or the repository is not ingested`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The repository paths its work tree does not have; [] for a bare repository (no work tree to look in). */
export function notInRepository(repoPath: string, paths: readonly string[]): string[] {
  if (!existsSync(join(repoPath, '.git'))) return [];
  return paths.filter((p) => !existsSync(join(repoPath, p)));
}

export function notInRepositoryNote(repoPath: string, paths: readonly string[]): string {
  return `not in the repository: ${paths.join(', ')} (no such file in ${repoPath}; check the spelling)`;
}
