import { spawn } from 'node:child_process';
import { LOG_ARGS } from '../src/ingest/log-parser.js';
import { median } from './stats.js';

/** The log our ingest reads, as plain git: every ref our ingest starts from, the same numstat format. */
const FLOOR_ARGS = ['-c', 'log.showSignature=false', 'log', '--branches', '--tags', '--remotes', 'HEAD', ...LOG_ARGS];

interface Timed {
  ms: number;
  /** peak RSS in MB (GNU time), when available */
  rssMb?: number;
  stdout: string;
}

/** Runs a command to the end, draining its stdout as a reader would; wall time and peak RSS via /usr/bin/time. */
function timed(command: string, args: string[], cwd: string): Promise<Timed> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let bytes = 0;
    child.stdout.on('data', (b: Buffer) => {
      bytes += b.length;
      if (stdout.length < 100_000) stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      // The first lines say what went wrong (a stack's tail does not); the last line is /usr/bin/time's figure.
      const said = stderr
        .split('\n')
        .filter((l) => l.trim() && !/^Command exited/.test(l))
        .slice(0, -1);
      if (code !== 0)
        return fail(new Error(`${args.at(-2)} ${args.at(-1)} exited ${code}: ${said.slice(0, 3).join(' / ')}`));
      const kb = Number(stderr.trim().split('\n').at(-1));
      ok({ ms, stdout: bytes > 0 ? stdout : '', ...(Number.isFinite(kb) ? { rssMb: kb / 1024 } : {}) });
    });
  });
}

export interface IngestResult {
  repo: string;
  commits: number;
  runs: number;
  gitLogMs: number[];
  ingestMs: number[];
  noopMs: number[];
  /** median of per-round ingest / git log */
  ratio: number;
  rssMb?: number;
}

/**
 * `hindsight ingest git` (the CLI, into a fresh database) against `git log --numstat` alone on the same
 * repository, alternating within each round; then no-op re-ingests of the up-to-date database. `fresh` gives a
 * new, empty database (a SQLite path or a PostgreSQL URL) for each round.
 */
export async function measureIngest(o: {
  name: string;
  repo: string;
  mainJs: string;
  rounds: number;
  fresh: () => Promise<string>;
  log: (m: string) => void;
}): Promise<IngestResult> {
  let db = '';
  const gitLogMs: number[] = [];
  const ingestMs: number[] = [];
  const ratios: number[] = [];
  let rssMb: number | undefined;
  let commits = 0;
  for (let r = 0; r < o.rounds; r++) {
    const floor = await timed('git', FLOOR_ARGS, o.repo);
    db = await o.fresh();
    const ingest = await timed(process.execPath, [o.mainJs, '--db', db, '--repo', o.repo, 'ingest', 'git'], o.repo);
    commits = Number(/(\d+) in the database/.exec(ingest.stdout)?.[1] ?? 0);
    gitLogMs.push(floor.ms);
    ingestMs.push(ingest.ms);
    ratios.push(ingest.ms / floor.ms);
    rssMb = Math.max(rssMb ?? 0, ingest.rssMb ?? 0) || undefined;
    o.log(
      `  ${o.name} round ${r + 1}: git log ${(floor.ms / 1000).toFixed(1)} s, ingest ${(ingest.ms / 1000).toFixed(1)} s`,
    );
  }
  const noopMs: number[] = [];
  for (let r = 0; r < 3; r++)
    noopMs.push((await timed(process.execPath, [o.mainJs, '--db', db, '--repo', o.repo, 'ingest', 'git'], o.repo)).ms);
  return {
    repo: o.name,
    commits,
    runs: o.rounds,
    gitLogMs,
    ingestMs,
    noopMs,
    ratio: median(ratios),
    ...(rssMb ? { rssMb } : {}),
  };
}
