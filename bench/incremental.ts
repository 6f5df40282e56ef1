// Benchmark 7: one new commit, deploy or incident into an org-scale database (issue 17), through the doors the CLI
// uses (ingestGit, recordDeploy, importIncidents, each followed by refreshAttribution), beside a full re-attribution
// of every incident and the previous new-commit rule (every incident of the last 90 days) in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { refreshAttribution } from '../src/attribution/refresh.js';
import { loadConfig } from '../src/config.js';
import { createContext, type AppContext } from '../src/context.js';
import { recordDeploy } from '../src/ingest/deploys.js';
import { ingestGit } from '../src/ingest/git.js';
import { importIncidents } from '../src/ingest/incidents.js';
import { openStore } from '../src/store/open.js';
import { trimmedCopy } from './attribution-scale.js';
import { ORG_NOW, orgDatabase, type OrgScale } from './gen-org.js';

export const INCREMENTAL_SCALE: OrgScale = { commits: 55_000, deploys: 5_500, incidents: 500, interrupts: 1_000 };
/** The rule new commits followed before issue 17: every incident that began in the last 90 days. */
const PREVIOUS_REACH_MS = 90 * 86_400_000;

export interface Timed {
  ms: number[];
  /** incidents each run re-attributed */
  incidents: number[];
}

export interface IncrementalResult {
  scale: OrgScale;
  runs: number;
  full: Timed;
  previousCommit: Timed;
  commit: Timed;
  deploy: Timed;
  incident: Timed;
}

/**
 * Builds (or reuses) the generated database, attaches a real repository to it with one first ingest, and times each
 * kind of new data `runs` times, interleaved with the baseline so machine load falls on all of them alike.
 */
export async function measureIncremental(options: {
  work: string;
  runs: number;
  scale?: OrgScale;
  /** a fresh PostgreSQL database to run on instead of a SQLite copy */
  postgres?: (label: string) => Promise<string>;
  log: (m: string) => void;
}): Promise<IncrementalResult> {
  const { work, runs, log } = options;
  const scale = options.scale ?? INCREMENTAL_SCALE;
  const cached = join(work, `org-incremental-${scale.commits}-${scale.incidents}.db`);
  const catalog = orgDatabase(cached, scale, log);
  // Fixes become root causes: the generated repositories exist only in the database (as in benchmark 6).
  const copy = await trimmedCopy({ cached, work, incidents: scale.incidents, postgres: options.postgres, log });
  const path = copy.target;
  const db = openStore(path);

  const repo = join(work, `incremental-repo-${process.pid}`);
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: ORG_NOW, GIT_COMMITTER_DATE: ORG_NOW },
    }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Bench');
  git('config', 'user.email', 'bench@example.com');
  let n = 0;
  const commit = () => {
    n++;
    const file = catalog.paths[n % catalog.paths.length]!;
    mkdirSync(join(repo, file, '..'), { recursive: true });
    writeFileSync(join(repo, file), `export const change = ${n};\n`);
    git('add', '-A');
    git('commit', '-q', '-m', `feat: change ${n}`);
    return git('rev-parse', 'HEAD');
  };
  commit();

  const now = Date.parse(ORG_NOW);
  const config = { ...loadConfig({ cwd: repo, env: {}, flags: { db: path } }), now };
  const ctx: AppContext = createContext(config, { store: db, log: () => {} });
  log('  first ingest of the attached repository and a first full attribution …');
  await refreshAttribution(ctx, { newCommits: await ingestGit(ctx) });

  const time = async (into: Timed, op: () => Promise<number>) => {
    const started = performance.now();
    into.incidents.push(await op());
    into.ms.push(performance.now() - started);
  };
  const empty = (): Timed => ({ ms: [], incidents: [] });
  const res: IncrementalResult = {
    scale,
    runs,
    full: empty(),
    previousCommit: empty(),
    commit: empty(),
    deploy: empty(),
    incident: empty(),
  };
  try {
    for (let r = 0; r < runs; r++) {
      log(`  round ${r + 1}/${runs}`);
      await time(res.full, async () => (await refreshAttribution(ctx, { all: true })).incidents);
      commit();
      await time(
        res.commit,
        async () => (await refreshAttribution(ctx, { newCommits: await ingestGit(ctx) })).incidents,
      );
      commit();
      await time(res.previousCommit, async () => {
        await ingestGit(ctx);
        return (await refreshAttribution(ctx, { startedFrom: now - PREVIOUS_REACH_MS })).incidents;
      });
      const sha = commit();
      await ingestGit(ctx);
      await refreshAttribution(ctx); // nothing pending: the deploy below is timed alone
      await time(res.deploy, async () => {
        // Recorded a little before "now", as a pipeline reports it: incidents since then are its to re-attribute. A
        // service of its own: the generated deploys' shas exist only in the database, not in this repository.
        const d = await recordDeploy(ctx, {
          ref: sha,
          env: 'production',
          service: 'checkout',
          status: 'success',
          finishedAt: now - (runs - r) * 3_600_000,
        });
        return (await refreshAttribution(ctx, { deploys: [d.deploy, ...d.rolledBack] })).incidents;
      });
      const file = join(work, `incremental-incident-${process.pid}.json`);
      const row = {
        id: `BENCH-NEW-${r}`,
        title: 'checkout errors',
        started_at: new Date(now - 30 * 60_000).toISOString(),
        files: [catalog.paths[r % catalog.paths.length]],
      };
      writeFileSync(file, JSON.stringify([row]));
      await time(res.incident, async () => {
        importIncidents(ctx, file);
        return (await refreshAttribution(ctx)).incidents;
      });
      rmSync(file, { force: true });
    }
  } finally {
    db.close();
    copy.remove();
    if (existsSync(repo)) rmSync(repo, { recursive: true, force: true });
  }
  return res;
}
