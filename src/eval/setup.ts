import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { UserInputError, errorMessage } from '../errors.js';
import { ingestDeploysFromTags } from '../ingest/deploys.js';
import { ingestGit } from '../ingest/git.js';

export interface EvalWorkspace {
  ctx: AppContext;
  /** release tags recorded as deploys (0 when no tag matched the glob) */
  deploys: number;
  commits: number;
  /** removes the temp database */
  dispose(): void;
}

/**
 * A fresh temp database for one evaluation run: the repository's history ingested, and its release tags
 * recorded as deploys, so "shipped before the incident" means "in a release tagged before it".
 */
export async function openWorkspace(
  repoPath: string,
  options: { tags: string; log: (m: string) => void },
): Promise<EvalWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-eval-'));
  const config = loadConfig({ cwd: process.cwd(), env: {}, flags: { repo: repoPath, db: join(dir, 'eval.db') } });
  const ctx = createContext(config, { log: options.log });
  const dispose = () => {
    ctx.store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    options.log(`eval: ingesting ${config.repoPath} into a temp database`);
    const git = await ingestGit(ctx);
    options.log(`eval: ${git.total} commits ingested in ${Math.round(git.ms / 1000)} s`);
    let deploys = 0;
    try {
      deploys = (await ingestDeploysFromTags(ctx, { glob: options.tags })).added;
      options.log(`eval: ${deploys} release tag(s) matching '${options.tags}' recorded as deploys`);
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      options.log(`eval: ${errorMessage(err)} — suspect mode and the shipped filter are skipped`);
    }
    return { ctx, deploys, commits: git.total, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}
