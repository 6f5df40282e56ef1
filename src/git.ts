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
