import type { FixHunk } from './diff.js';

/**
 * What SZZ should not blame (MA-SZZ's lesson): files that are not code, and "meta-changes" (merges, sweeping renames and reformats) that touched a line without changing what it does.
 */

const DOC_PATH =
  /\.(md|markdown|txt|rst|adoc|html?|xml|1|[2-8]|in\.1|texi)$|(^|\/)(CHANGELOG|CHANGES|NEWS|AUTHORS|MAINTAINERS|README)[^/]*$|(^|\/)(docs?|Documentation|man)\//i;

/** Build inputs that happen to end in `.txt`: code, not documentation. */
const BUILD_TXT = /(^|\/)(CMakeLists|meson_options|requirements[^/]*|constraints[^/]*)\.txt$/i;

/** Documentation, changelogs and man pages: a fix that edits them does not point at buggy code. */
export function isDocPath(path: string): boolean {
  return DOC_PATH.test(path) && !BUILD_TXT.test(path);
}

const TEST_PATH =
  /(^|\/)(tests?|testsuite|__tests__|spec|e2e)\/|\.(test|spec)\.[a-z]+$|_test\.(go|py|c)$|(^|\/)test_[^/]+\.py$|\.at$/i;

/** Test code: the lines a fix changes there were written by whoever wrote the test, not the bug. */
export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}

/** A commit that touches this many files is a sweep (tree-wide rename, reformat, import): MA-SZZ looks through it. */
export const SWEEPING_FILES = 100;

/** Facts about a commit that decide whether blame should look through it. */
export interface MetaFacts {
  parents: number;
  filesChanged: number;
}

/** Why blame should look through this commit, or null when it is an ordinary change. */
export function metaChangeReason(c: MetaFacts): string | null {
  if (c.parents > 1) return 'merge';
  if (c.filesChanged >= SWEEPING_FILES) return `sweeping change (${c.filesChanged} files)`;
  return null;
}

/** A line without any whitespace: two versions that differ only in layout squash to the same text. */
const squash = (lines: readonly string[]) => lines.join('').replace(/\s+/g, '');

/**
 * Why a commit's change to one file is cosmetic — judged by its diff, never by its message — or null.
 * Cosmetic: each hunk keeps the same text once whitespace is ignored (re-wrapping, re-indenting), and the lines
 * the other hunks remove are the lines they add, in another order (include or list reordering). Blame lands on
 * such commits for lines they only moved or re-laid out; the line's author is further back.
 */
export function cosmeticChange(hunks: readonly Pick<FixHunk, 'removed' | 'added'>[]): string | null {
  const relaid = hunks.filter((h) => h.removed.length > 0 && squash(h.removed) === squash(h.added));
  const rest = hunks.filter((h) => !relaid.includes(h));
  const sorted = (key: 'removed' | 'added') =>
    rest
      .flatMap((h) => h[key].map((l) => l.trim()))
      .filter((l) => l !== '')
      .sort();
  const removed = sorted('removed');
  const added = sorted('added');
  if (removed.length !== added.length || removed.some((l, i) => l !== added[i])) return null;
  if (removed.length > 0) return relaid.length > 0 ? 'reorders and re-lays out lines only' : 'reorders lines only';
  return relaid.length > 0 ? 'layout only' : null;
}

/** `.git-blame-ignore-revs` content → the full or abbreviated shas it lists. */
export function parseIgnoreRevs(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => /^[0-9a-f]{7,64}$/i.test(l));
}

/**
 * The lines of the function around `at` (1-based, old side) in `lines`: from the line git named as the
 * hunk's function context (searched upwards) to the first closing brace at column 0 after `at`.
 * A fix that only adds code changed that function's behaviour; whoever wrote the function's body is the
 * best remaining evidence. Bounded so a missing end does not blame half the file.
 */
export function enclosingFunction(
  lines: readonly string[],
  at: number,
  context: string,
  max = 120,
): [number, number] | null {
  const header = context.trim();
  if (header === '') return null;
  let start = -1;
  for (let i = Math.min(at, lines.length) - 1; i >= 0 && at - i <= 2000; i--) {
    if (lines[i]!.trim() === header || lines[i]!.startsWith(header)) {
      start = i + 1;
      break;
    }
  }
  if (start < 0) return null;
  let end = Math.min(lines.length, start + max);
  for (let i = Math.max(at, start); i < lines.length && i < start + max; i++) {
    if (/^}/.test(lines[i]!)) {
      end = i + 1;
      break;
    }
  }
  return [start, Math.max(start, end)];
}
