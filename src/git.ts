import { simpleGit, type SimpleGit } from 'simple-git';
import { UpstreamError, UserInputError } from './errors.js';

const clients = new Map<string, SimpleGit>();

/** One simple-git client per repository path; works for work trees and bare git dirs alike. */
export function gitFor(repoPath: string): SimpleGit {
  let git = clients.get(repoPath);
  if (!git) {
    git = simpleGit({ baseDir: repoPath, maxConcurrentProcesses: 4, trimmed: false });
    clients.set(repoPath, git);
  }
  return git;
}

/** Resolves any ref (sha prefix, tag, branch) to a full commit sha, or says how to fix the reference. */
export async function resolveCommit(repoPath: string, ref: string): Promise<string> {
  if (!/^[\w./@^~{}-]+$/.test(ref) || ref.startsWith('-')) {
    throw new UserInputError(`'${ref}' is not a valid git reference; pass a commit sha, tag or branch`, 'sha');
  }
  let sha = '';
  try {
    sha = (await gitFor(repoPath).raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch (err) {
    const text = String((err as Error).message ?? err);
    if (/not a git repository/i.test(text)) {
      throw new UserInputError(`${repoPath} is not a git repository; pass --repo PATH`, 'repo', { cause: err });
    }
    throw new UserInputError(
      `'${ref}' is not a commit in ${repoPath}; fetch it first (git fetch) or pass the right --repo`,
      'sha',
      { cause: err },
    );
  }
  // --quiet makes git exit 1 with no output for unknown refs, which simple-git does not treat as an error.
  if (!/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new UserInputError(
      `'${ref}' is not a commit in ${repoPath}; fetch it first (git fetch) or pass the right --repo`,
      'sha',
    );
  }
  return sha;
}

/** `git rev-list` wrapper: newest first, at most `max` shas. */
export async function revList(repoPath: string, args: string[], max: number): Promise<string[]> {
  try {
    const out = await gitFor(repoPath).raw(['rev-list', `--max-count=${max}`, ...args]);
    return out.split('\n').filter((l) => l.length > 0);
  } catch (err) {
    throw new UpstreamError('git rev-list', (err as Error).message, false, { cause: err });
  }
}

/** Every commit `tips` reach, each as [sha, ...parents] (`git rev-list --parents`), for walks in memory. */
export async function parentsOf(repoPath: string, tips: readonly string[]): Promise<string[][]> {
  const unique = [...new Set(tips)];
  if (unique.length === 0) return [];
  try {
    const out = await gitFor(repoPath).raw(['rev-list', '--parents', ...unique]);
    return out
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split(' '));
  } catch (err) {
    throw new UpstreamError('git rev-list', (err as Error).message, false, { cause: err });
  }
}

/**
 * Which of `candidates` are ancestors of `sha` (or `sha` itself). First one walk: `git rev-list C… --not sha` lists
 * the commits reachable from a candidate but not from `sha`, so a candidate it leaves out is an ancestor (220 release
 * tags cost one walk, not 220 merge-base calls). That walk goes by commit date and stops once only commits `sha`
 * reaches are left for a few steps, so under clock skew (a path from `sha` through commits dated before the
 * candidate) it lists ancestors too. When it lists any candidate, `sha`'s whole history is read once (no negative
 * side, so no early stop) and decides: a deploy on the main line lists none and pays nothing more; one on a release
 * line lists the main-line deploys since it branched (util-linux v2.40.4: 58 of 201 tags, 0.27 s for 19,568
 * commits, where 58 `merge-base --is-ancestor` calls took seconds).
 */
export async function ancestorsAmong(
  repoPath: string,
  sha: string,
  candidates: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(candidates)];
  if (unique.length === 0) return new Set();
  const listed = new Set(await revList(repoPath, [...unique, '--not', sha], 1_000_000_000));
  if (!unique.some((c) => listed.has(c))) return new Set(unique);
  const history = new Set(await revList(repoPath, [sha], 1_000_000_000));
  return new Set(unique.filter((c) => history.has(c)));
}

/** The commits among `shas` that none of the others reaches (`git merge-base --independent`). */
export async function independentOf(repoPath: string, shas: readonly string[]): Promise<string[]> {
  const unique = [...new Set(shas)];
  if (unique.length <= 1) return unique;
  try {
    const out = await gitFor(repoPath).raw(['merge-base', '--independent', ...unique]);
    return out.split('\n').filter((l) => l.length > 0);
  } catch (err) {
    throw new UpstreamError('git merge-base', (err as Error).message, false, { cause: err });
  }
}

/** `git rev-list --count`: how many commits `args` select. */
export async function revCount(repoPath: string, args: string[]): Promise<number> {
  try {
    return Number((await gitFor(repoPath).raw(['rev-list', '--count', ...args])).trim());
  } catch (err) {
    throw new UpstreamError('git rev-list', (err as Error).message, false, { cause: err });
  }
}

export interface TagRef {
  name: string;
  /** the commit the tag names, peeled through any tags of tags */
  sha: string;
  /** unix ms: the tagger date of an annotated tag, else the commit date */
  at: number;
}

/** Every tag that names a commit (tags of trees or blobs are left out), in no particular order. */
export async function commitTags(repoPath: string): Promise<TagRef[]> {
  const git = gitFor(repoPath);
  let refs: { name: string; at: number }[];
  try {
    refs = (await git.raw(['for-each-ref', '--format=%(refname:short)%00%(creatordate:unix)', 'refs/tags']))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name = '', date = '0'] = line.split('\0');
        return { name, at: Number(date) * 1000 };
      });
  } catch (err) {
    throw new UpstreamError('git for-each-ref', (err as Error).message, false, { cause: err });
  }
  const peel = (name: string) => `refs/tags/${name}^{commit}`;
  let shas: (string | undefined)[];
  try {
    shas = (await git.raw(['rev-parse', ...refs.map((r) => peel(r.name))])).split('\n').filter(Boolean);
    if (shas.length !== refs.length) throw new Error('rev-parse answered a different number of lines');
  } catch {
    // One tag of a tree (git.git's v2.6.11-tree) fails the whole batch: peel one by one, leaving such tags out.
    shas = await Promise.all(
      refs.map((r) =>
        git.raw(['rev-parse', '--verify', '--quiet', peel(r.name)]).then(
          (out) => out.trim() || undefined,
          () => undefined,
        ),
      ),
    );
  }
  return refs.flatMap((r, i) => (shas[i] ? [{ ...r, sha: shas[i] }] : []));
}

/** Of `tips` (ancestors of `sha` that do not reach each other), those on `sha`'s first-parent line. */
export async function onFirstParentLine(repoPath: string, sha: string, tips: readonly string[]): Promise<string[]> {
  let out: string;
  try {
    out = await gitFor(repoPath).raw(['rev-list', '--first-parent', '--parents', sha, '--not', ...tips]);
  } catch (err) {
    throw new UpstreamError('git rev-list', (err as Error).message, false, { cause: err });
  }
  const firstParents = new Set(out.split('\n').map((line) => line.split(' ')[1]));
  return tips.filter((t) => t === sha || firstParents.has(t));
}
