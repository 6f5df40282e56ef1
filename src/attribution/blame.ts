import { gitFor } from '../git.js';
import { UpstreamError } from '../errors.js';

/** A line the fix removed or changed, and the commit that last touched it before the fix. */
export interface BlamedLine {
  path: string;
  line: number;
  text: string;
  sha: string;
  /** deleted: the fix removed/changed this line; adjacent: the fix only added code next to it */
  via: 'deleted' | 'adjacent';
}

export interface FixBlame {
  fixSha: string;
  parentSha: string | null;
  lines: BlamedLine[];
  /** readable notes on what was left out and why (comment-only lines, docs, …) */
  skipped: string[];
}

interface Hunk {
  oldPath: string;
  oldStart: number;
  oldCount: number;
  removed: string[];
}

const NON_CODE = /\.(md|markdown|txt|rst|adoc)$|(^|\/)(CHANGELOG|CHANGES|NEWS|AUTHORS)[^/]*$/i;

/**
 * SZZ's first step: the lines a fix changed, blamed at the fix's parent. Whitespace changes are ignored
 * (-w), lines moved within a file are followed (-M), comment-only and blank lines are not blamed, and
 * a fix that only adds lines blames the lines around the insertion point instead of giving up.
 */
export async function blameFix(repoPath: string, fixSha: string): Promise<FixBlame> {
  const git = gitFor(repoPath);
  const parents = (await git.raw(['rev-list', '--parents', '-n', '1', fixSha])).trim().split(' ').slice(1);
  const parentSha = parents[0] ?? null;
  if (!parentSha)
    return { fixSha, parentSha: null, lines: [], skipped: ['the fix is a root commit: nothing to blame'] };

  const diff = await git.raw(['diff', '-U0', '-M', '--no-color', '--no-ext-diff', parentSha, fixSha]);
  const hunks = parseUnifiedDiff(diff);
  const skipped: string[] = [];
  const byPath = new Map<string, { ranges: [number, number, 'deleted' | 'adjacent'][]; wanted: Set<number> }>();

  for (const h of hunks) {
    if (NON_CODE.test(h.oldPath)) {
      skipped.push(`${h.oldPath}: documentation, not blamed`);
      continue;
    }
    const entry = byPath.get(h.oldPath) ?? { ranges: [], wanted: new Set<number>() };
    byPath.set(h.oldPath, entry);
    if (h.oldCount > 0) {
      let dropped = 0;
      h.removed.forEach((text, i) => {
        if (isNoiseLine(text)) dropped++;
        else entry.wanted.add(h.oldStart + i);
      });
      if (dropped > 0) skipped.push(`${h.oldPath}: ${dropped} blank or comment-only line(s) not blamed`);
      entry.ranges.push([h.oldStart, h.oldStart + h.oldCount - 1, 'deleted']);
    } else {
      // Pure addition after old line `oldStart`: the surrounding lines are the best evidence we have.
      const from = Math.max(1, h.oldStart);
      entry.ranges.push([from, from + 1, 'adjacent']);
    }
  }

  const lines: BlamedLine[] = [];
  for (const [path, { ranges, wanted }] of byPath) {
    const blamed = await blameRanges(repoPath, parentSha, path, ranges);
    for (const b of blamed) {
      const range = ranges.find(([s, e]) => b.line >= s && b.line <= e);
      const via = range?.[2] ?? 'deleted';
      if (via === 'deleted' && !wanted.has(b.line)) continue;
      if (via === 'adjacent' && isNoiseLine(b.text)) continue;
      lines.push({ path, line: b.line, text: b.text, sha: b.sha, via });
    }
  }
  return { fixSha, parentSha, lines, skipped };
}

/** Lines that carry no behaviour: blank, braces only, or comments. */
export function isNoiseLine(text: string): boolean {
  const t = text.trim();
  return (
    t === '' || /^[{}()[\];,]+$/.test(t) || /^(\/\/|#(?!include|define|if|endif|else)|\/\*|\*|\*\/|--|;|<!--)/.test(t)
  );
}

export function parseUnifiedDiff(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let oldPath: string | null = null;
  let current: Hunk | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = null;
      oldPath = null;
    } else if (line.startsWith('--- ')) {
      const p = line.slice(4);
      oldPath = p === '/dev/null' ? null : unquote(p).replace(/^a\//, '');
    } else if (line.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m || oldPath === null) {
        current = null;
        continue;
      }
      current = { oldPath, oldStart: Number(m[1]), oldCount: m[2] === undefined ? 1 : Number(m[2]), removed: [] };
      hunks.push(current);
    } else if (current && line.startsWith('-')) {
      current.removed.push(line.slice(1));
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

async function blameRanges(
  repoPath: string,
  rev: string,
  path: string,
  ranges: [number, number, string][],
): Promise<{ line: number; sha: string; text: string }[]> {
  const args = ['blame', '--porcelain', '-w', '-M'];
  for (const [s, e] of ranges) args.push('-L', `${s},${e}`);
  args.push(rev, '--', path);
  let out: string;
  try {
    out = await gitFor(repoPath).raw(args);
  } catch (err) {
    const msg = (err as Error).message;
    // Ranges past the end of the file (an addition at EOF) are not an error worth failing attribution for.
    if (/has only \d+ lines?|no such path/i.test(msg)) {
      const trimmed = ranges.map(([s, e, v]) => [s, Math.max(s, e - 1), v] as [number, number, string]);
      if (trimmed.some(([s, e], i) => s !== ranges[i]![0] || e !== ranges[i]![1])) {
        return blameRanges(
          repoPath,
          rev,
          path,
          trimmed.filter(([s]) => s > 0),
        );
      }
      return [];
    }
    throw new UpstreamError('git blame', msg, false, { cause: err });
  }
  return parsePorcelainBlame(out);
}

/** `git blame --porcelain` → one entry per final line. */
export function parsePorcelainBlame(out: string): { line: number; sha: string; text: string }[] {
  const result: { line: number; sha: string; text: string }[] = [];
  let sha = '';
  let line = 0;
  for (const l of out.split('\n')) {
    const header = /^([0-9a-f]{40}) \d+ (\d+)/.exec(l);
    if (header) {
      sha = header[1]!;
      line = Number(header[2]);
    } else if (l.startsWith('\t')) {
      result.push({ line, sha, text: l.slice(1) });
    }
  }
  return result;
}
