import { runGit, type GitCache } from './blame.js';

/** One hunk of a fix's zero-context diff, on the parent (old) side. */
export interface FixHunk {
  oldPath: string;
  newPath: string;
  oldStart: number;
  oldCount: number;
  /** where `added` starts on the fix's (new) side */
  newStart: number;
  /** the lines the fix removed or changed, in order from `oldStart` */
  removed: string[];
  added: string[];
  /** git's function context from the hunk header (`@@ … @@ static int foo(void)`), '' when none */
  context: string;
}

/** The fix's hunks against its first parent; `ignoreWhitespace` drops hunks that only re-indent. */
export async function fixHunks(
  repoPath: string,
  parent: string,
  fix: string,
  options: { ignoreWhitespace: boolean },
  cache?: GitCache,
): Promise<FixHunk[]> {
  const args = ['diff', '-U0', '-M', '--no-color', '--no-ext-diff', '--no-textconv'];
  if (options.ignoreWhitespace) args.push('-w');
  args.push(parent, fix);
  const load = async () => parseUnifiedDiff(await runGit(repoPath, args));
  return cache ? cache.get(`diff\0${args.join(' ')}`, load) : load();
}

/** Parses `git diff -U0` output; binary files and pure additions of new files yield no old-side hunks. */
export function parseUnifiedDiff(diff: string): FixHunk[] {
  const hunks: FixHunk[] = [];
  let oldPath: string | null = null;
  let newPath: string | null = null;
  let current: FixHunk | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = null;
      oldPath = null;
      newPath = null;
    } else if (current === null && line.startsWith('--- ')) {
      const p = line.slice(4);
      oldPath = p === '/dev/null' ? null : unquote(p).replace(/^a\//, '');
    } else if (current === null && line.startsWith('+++ ')) {
      const p = line.slice(4);
      newPath = p === '/dev/null' ? null : unquote(p).replace(/^b\//, '');
    } else if (line.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/.exec(line);
      if (!m || oldPath === null) {
        current = null;
        continue;
      }
      current = {
        oldPath,
        newPath: newPath ?? oldPath,
        oldStart: Number(m[1]),
        oldCount: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        removed: [],
        added: [],
        context: m[5] ?? '',
      };
      hunks.push(current);
    } else if (current && line.startsWith('-')) {
      current.removed.push(line.slice(1));
    } else if (current && line.startsWith('+')) {
      current.added.push(line.slice(1));
    }
  }
  return hunks;
}

function unquote(p: string): string {
  if (!p.startsWith('"')) return p;
  try {
    return JSON.parse(p) as string;
  } catch {
    return p.slice(1, -1);
  }
}
