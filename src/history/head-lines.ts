import { UpstreamError } from '../errors.js';
import { gitFor } from '../git.js';
import { gitStdout } from '../git-reader.js';

/** Lines per blob id: a blob's content never changes, so a count read once holds for every later HEAD. */
const linesOfBlob = new Map<string, number | null>();
const MAX_CACHED_BLOBS = 200_000;
/** The last tree listing per repository, keyed by the HEAD it was read at. */
const trees = new Map<string, { head: string; blobs: Map<string, string> }>();

/** Git's own test for a binary file: a NUL byte in the first 8,000 bytes. */
const BINARY_PROBE = 8000;

export interface HeadLines {
  /** The commit HEAD named, or null when the repository has none (empty, or not readable). */
  head: string | null;
  /** Lines of each asked path that is a text file at HEAD; binary files, deleted files and unknown paths are absent. */
  lines: Map<string, number>;
}

/**
 * The current size, in lines, of `paths` at the repository's HEAD — read from git objects (ls-tree, then cat-file
 * --batch for blobs not seen before), never from the work tree, so a bare clone and a dirty checkout answer alike.
 * `head`: the HEAD commit when the caller already read it.
 */
export async function headLines(
  repoPath: string,
  paths: Iterable<string>,
  head: string | null | undefined = undefined,
): Promise<HeadLines> {
  head = head === undefined ? await headCommit(repoPath) : head;
  const lines = new Map<string, number>();
  if (!head) return { head, lines };
  const blobs = await treeBlobs(repoPath, head);
  const wanted = new Map<string, string>();
  for (const p of paths) {
    const blob = blobs.get(p);
    if (blob) wanted.set(p, blob);
  }
  const unread = [...new Set(wanted.values())].filter((b) => !linesOfBlob.has(b));
  if (unread.length > 0) await countBlobLines(repoPath, unread);
  for (const [p, blob] of wanted) {
    const n = linesOfBlob.get(blob);
    if (typeof n === 'number') lines.set(p, n);
  }
  return { head, lines };
}

/** The commit HEAD names, or null (an empty or unreadable repository). */
export async function headCommit(repoPath: string): Promise<string | null> {
  try {
    const sha = (await gitFor(repoPath).raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

async function treeBlobs(repoPath: string, head: string): Promise<Map<string, string>> {
  const known = trees.get(repoPath);
  if (known?.head === head) return known.blobs;
  let text: string;
  try {
    text = await gitFor(repoPath).raw(['ls-tree', '-r', '-z', '--full-tree', head]);
  } catch (err) {
    throw new UpstreamError('git ls-tree', (err as Error).message, false, { cause: err });
  }
  const blobs = new Map<string, string>();
  // "<mode> <type> <object>\t<path>\0": -z keeps unusual path names unquoted.
  for (const entry of text.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, object] = entry.slice(0, tab).split(' ');
    if (type === 'blob' && object) blobs.set(entry.slice(tab + 1), object);
  }
  trees.set(repoPath, { head, blobs });
  return blobs;
}

/** One `git cat-file --batch` for all `blobs`: newlines counted on the bytes as they stream past. */
async function countBlobLines(repoPath: string, blobs: string[]): Promise<void> {
  if (linesOfBlob.size + blobs.length > MAX_CACHED_BLOBS) linesOfBlob.clear();
  let pending: Buffer = Buffer.alloc(0);
  let current: { blob: string; left: number; read: number; lines: number; last: number; binary: boolean } | null = null;
  for await (const chunk of gitStdout(repoPath, 'git cat-file', ['cat-file', '--batch'], blobs.join('\n') + '\n')) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (at < pending.length) {
      if (!current) {
        const eol = pending.indexOf(10, at);
        if (eol < 0) break;
        // "<object> blob <size>" (or "<object> missing"), then the content and a LF.
        const [blob, type, size] = pending.toString('utf8', at, eol).split(' ');
        at = eol + 1;
        if (type !== 'blob' || !blob) continue;
        current = { blob, left: Number(size) + 1, read: 0, lines: 0, last: 10, binary: false };
        continue;
      }
      const take = Math.min(current.left, pending.length - at);
      const content = Math.min(take, current.left - 1);
      for (let i = at; i < at + content; i++) {
        const b = pending[i]!;
        if (b === 10) current.lines++;
        else if (b === 0 && current.read + (i - at) < BINARY_PROBE) current.binary = true;
      }
      if (content > 0) current.last = pending[at + content - 1]!;
      current.read += content;
      current.left -= take;
      at += take;
      if (current.left === 0) {
        // A last line without a newline is still a line.
        const lines = current.lines + (current.read > 0 && current.last !== 10 ? 1 : 0);
        linesOfBlob.set(current.blob, current.binary ? null : lines);
        current = null;
      }
    }
    pending = pending.subarray(at);
  }
}
