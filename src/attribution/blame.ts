import { execFile } from 'node:child_process';
import { UpstreamError } from '../errors.js';

/** How `git blame` follows history: the SZZ variants differ exactly here. */
export interface BlameOptions {
  /** -w: a change that only re-indents a line does not take the blame */
  ignoreWhitespace: boolean;
  /** -M follows lines moved within a file; -C also across files of the same commit */
  moves: 'none' | 'M' | 'C';
  /** commits blame looks through (reformats, sweeping changes, changes newer than the incident) */
  ignoreRevs?: readonly string[];
}

/** One final line of a blamed range: who last touched it, and where it came from in that commit. */
export interface BlameEntry {
  line: number;
  sha: string;
  text: string;
  origPath: string;
  origLine: number;
}

/** Plain `git blame` (B-SZZ) and the follow-everything blame (-w -M) our SZZ starts from. */
export const PLAIN_BLAME: BlameOptions = { ignoreWhitespace: false, moves: 'none' };
export const FOLLOW_BLAME: BlameOptions = { ignoreWhitespace: true, moves: 'M' };

/** Output of git commands read at once; blame of a 10k-line file fits easily. */
const MAX_BUFFER = 256 * 1024 * 1024;

/** Runs git and returns its stdout; a failure names the command so the user knows which upstream failed. */
export function runGit(repoPath: string, args: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(
      'git',
      args,
      { cwd: repoPath, maxBuffer: MAX_BUFFER, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (err, stdout, stderr) => {
        if (err) fail(new UpstreamError(`git ${args[0]}`, (stderr || err.message).trim(), false, { cause: err }));
        else ok(stdout);
      },
    );
  });
}

/**
 * Memoises git reads per (rev, path, options): the SZZ variants of one evaluation run ask the same questions,
 * and a fix's parent is read by every variant. Blame is kept per line, so a variant that asks for a few more
 * lines blames only those. Bounded so a long run does not grow without end.
 */
export class GitCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  /** (rev, path, options) → blamed line → entry */
  readonly blamed = new Map<string, Map<number, BlameEntry>>();
  /** `git blame` processes started through this cache (what the evaluation's sharing saves; tests read it) */
  blameRuns = 0;
  /**
   * Revisions an ignore-revs list named that this clone lacks: blame with any of them fails before it starts,
   * so the next list that holds one goes straight to its fallback instead of starting a process that fails.
   */
  readonly missingRevs = new Set<string>();
  constructor(private readonly max = 20_000) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const p = load();
    this.entries.set(key, p);
    p.catch(() => this.entries.delete(key));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }

  blamedLines(key: string): Map<number, BlameEntry> {
    let m = this.blamed.get(key);
    if (!m) {
      m = new Map();
      this.blamed.set(key, m);
      if (this.blamed.size > this.max) this.blamed.delete(this.blamed.keys().next().value!);
    }
    return m;
  }
}

/** Blames the given line ranges of `path` at `rev`. Ranges past the end of the file are clamped, not fatal. */
export async function blameRanges(
  repoPath: string,
  rev: string,
  path: string,
  ranges: readonly [number, number][],
  options: BlameOptions,
  cache?: GitCache,
): Promise<BlameEntry[]> {
  const merged = mergeRanges(ranges);
  if (merged.length === 0) return [];
  if (!cache) return blameOnce(repoPath, rev, path, merged, options);
  const known = cache.blamedLines(`${rev}\0${path}\0${optionsKey(options)}`);
  const missing: [number, number][] = [];
  for (const [s, e] of merged) for (let n = s; n <= e; n++) if (!known.has(n)) missing.push([n, n]);
  if (missing.length > 0) {
    cache.blameRuns++;
    for (const entry of await blameOnce(repoPath, rev, path, mergeRanges(missing), options))
      known.set(entry.line, entry);
    // Lines past the end of the file stay unknown; remember them as absent so they are not asked again.
    for (const [n] of missing) if (!known.has(n)) known.set(n, ABSENT);
  }
  const out: BlameEntry[] = [];
  for (const [s, e] of merged) {
    for (let n = s; n <= e; n++) {
      const entry = known.get(n);
      if (entry && entry !== ABSENT) out.push(entry);
    }
  }
  return out;
}

const ABSENT: BlameEntry = { line: 0, sha: '', text: '', origPath: '', origLine: 0 };

async function blameOnce(
  repoPath: string,
  rev: string,
  path: string,
  ranges: [number, number][],
  options: BlameOptions,
): Promise<BlameEntry[]> {
  const args = ['blame', '--porcelain'];
  if (options.ignoreWhitespace) args.push('-w');
  if (options.moves !== 'none') args.push(`-${options.moves}`);
  for (const r of options.ignoreRevs ?? []) args.push('--ignore-rev', r);
  for (const [s, e] of ranges) args.push('-L', `${s},${e}`);
  args.push(rev, '--', path);
  try {
    return parsePorcelainBlame(await runGit(repoPath, args));
  } catch (err) {
    const msg = (err as Error).message;
    const size = /has only (\d+) lines?/.exec(msg);
    if (size) {
      // An addition at the end of the file asks for the line after the last one.
      const n = Number(size[1]);
      const clamped = ranges.filter(([s]) => s <= n).map(([s, e]) => [s, Math.min(e, n)] as [number, number]);
      return clamped.length > 0 ? blameOnce(repoPath, rev, path, clamped, options) : [];
    }
    if (/no such path|no such ref/i.test(msg)) return [];
    throw err;
  }
}

function optionsKey(o: BlameOptions): string {
  return `${o.ignoreWhitespace ? 'w' : ''}${o.moves}:${[...(o.ignoreRevs ?? [])].sort().join(',')}`;
}

/** Sorted, overlapping and touching ranges joined: git blame rejects nothing, but joins cost less. */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = ranges
    .filter(([s, e]) => s >= 1 && e >= s)
    .map(([s, e]) => [s, e] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

/** `git blame --porcelain` → one entry per final line, with the line's origin in the blamed commit. */
export function parsePorcelainBlame(out: string): BlameEntry[] {
  const result: BlameEntry[] = [];
  const pathOf = new Map<string, string>();
  let sha = '';
  let line = 0;
  let origLine = 0;
  for (const l of out.split('\n')) {
    const header = /^([0-9a-f]{40,64}) (\d+) (\d+)/.exec(l);
    if (header) {
      sha = header[1]!;
      origLine = Number(header[2]);
      line = Number(header[3]);
    } else if (l.startsWith('filename ')) {
      pathOf.set(sha, l.slice('filename '.length));
    } else if (l.startsWith('\t')) {
      result.push({ line, sha, text: l.slice(1), origPath: pathOf.get(sha) ?? '', origLine });
    }
  }
  return result;
}

/** The file's lines at `rev` (empty when it did not exist there). */
export async function fileLines(repoPath: string, rev: string, path: string, cache?: GitCache): Promise<string[]> {
  const load = async () => {
    try {
      return (await runGit(repoPath, ['show', `${rev}:${path}`])).split('\n');
    } catch {
      return [];
    }
  };
  return cache ? cache.get(`show\0${rev}\0${path}`, load) : load();
}
