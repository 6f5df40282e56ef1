import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UpstreamError, UserInputError, errorMessage } from '../errors.js';
import { LOOP_BRANCH_PREFIX } from './merged.js';
import { redactUrl } from './remote.js';

// Git for the loop, run against the user's repository so its remotes and credentials apply (in Actions the
// checkout's token lives in the repository's config), yet without touching its working tree, index, HEAD or
// branches: the base is materialised in a temporary folder through a temporary index, the commit is made with
// plumbing (commit-tree), and it is pushed straight to the remote's `hindsight/*` branch.

const SHA = /^[0-9a-f]{40,64}$/;

/** Editors, pagers and diff/template programs: never needed by the plumbing below, so not passed on. */
const UNUSED_ENV = new Set([
  'EDITOR',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'PAGER',
  'GIT_PAGER',
  'GIT_EXTERNAL_DIFF',
  'GIT_TEMPLATE_DIR',
]);

function gitAt(repoPath: string, extraEnv: Record<string, string> = {}): SimpleGit {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !UNUSED_ENV.has(e[0])),
  );
  return simpleGit({
    baseDir: repoPath,
    trimmed: true,
    // The environment is the user's own (CI askpass/ssh/credential settings must keep working); every argument
    // is ours. simple-git would otherwise refuse to pass those variables on once we set GIT_INDEX_FILE.
    unsafe: {
      allowUnsafeAskPass: true,
      allowUnsafeSshCommand: true,
      allowUnsafeGitProxy: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeCredentialHelper: true,
    },
  }).env({
    ...inherited,
    GIT_TERMINAL_PROMPT: '0',
    // Large files stay pointers: the loop only writes Markdown.
    GIT_LFS_SKIP_SMUDGE: '1',
    ...extraEnv,
  });
}

function gitFailure(what: string, err: unknown, retryable = false): UpstreamError {
  return new UpstreamError('git', `${what} failed: ${redactUrl(errorMessage(err)).trim()}`, retryable, { cause: err });
}

/** The URL of a remote; a missing remote says how to add one. */
export async function remoteUrl(repoPath: string, remote: string): Promise<string> {
  const git = gitAt(repoPath);
  try {
    await git.raw(['rev-parse', '--git-dir']);
  } catch (err) {
    throw new UserInputError(`${repoPath} is not a git repository; pass --repo PATH`, 'repo', { cause: err });
  }
  const names = (await git.raw(['remote'])).split('\n').filter(Boolean);
  if (!names.includes(remote)) {
    throw new UserInputError(
      names.length === 0
        ? `the repository has no remote, so there is nowhere to push; add one: git remote add ${remote} https://github.com/OWNER/NAME.git`
        : `the repository has no remote '${remote}' (it has ${names.join(', ')}); pass --remote NAME`,
      'remote',
    );
  }
  return (await git.raw(['remote', 'get-url', remote])).trim();
}

/** The remote's default branch as the last fetch recorded it (`refs/remotes/<remote>/HEAD`), if known. */
export async function remoteDefaultBranch(repoPath: string, remote: string): Promise<string | undefined> {
  try {
    const ref = (await gitAt(repoPath).raw(['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`])).trim();
    return ref.startsWith(`refs/remotes/${remote}/`) ? ref.slice(`refs/remotes/${remote}/`.length) : undefined;
  } catch {
    return undefined;
  }
}

async function commitOf(git: SimpleGit, ref: string): Promise<string | undefined> {
  try {
    const sha = (await git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
    return SHA.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** Fetches the base branch from the remote and returns its commit; a missing branch says how to fix --base. */
export async function fetchBase(repoPath: string, remote: string, base: string): Promise<string> {
  const git = gitAt(repoPath);
  try {
    await git.raw(['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${base}:refs/remotes/${remote}/${base}`]);
  } catch (err) {
    if (/couldn't find remote ref/i.test(errorMessage(err))) {
      throw new UserInputError(
        `--base ${base}: the remote '${remote}' has no branch '${base}'; pass --base with its default branch ` +
          `(git ls-remote --symref ${remote} HEAD shows it)`,
        'base',
        { cause: err },
      );
    }
    throw gitFailure(`fetching ${base} from ${remote}`, err, true);
  }
  const sha = await commitOf(git, `refs/remotes/${remote}/${base}`);
  if (!sha) throw new UpstreamError('git', `fetched ${base} from ${remote} but cannot read it`, true);
  return sha;
}

/** The base without fetching (dry runs): the remote-tracking branch when there is one, else the local branch. */
export async function localBase(repoPath: string, remote: string | undefined, base: string): Promise<string> {
  const git = gitAt(repoPath);
  const sha =
    (remote ? await commitOf(git, `refs/remotes/${remote}/${base}`) : undefined) ??
    (await commitOf(git, `refs/heads/${base}`));
  if (!sha) {
    throw new UserInputError(
      `--base ${base}: no branch '${base}' here${remote ? ` nor ${remote}/${base}` : ''}; pass --base with the default ` +
        `branch${remote ? `, or git fetch ${remote} first` : ''}`,
      'base',
    );
  }
  return sha;
}

/** The commit a remote branch points at, or undefined when it does not exist. */
export async function remoteBranchHead(repoPath: string, remote: string, branch: string): Promise<string | undefined> {
  try {
    const line = (await gitAt(repoPath).raw(['ls-remote', '--heads', remote, `refs/heads/${branch}`])).trim();
    const sha = line.split(/\s+/)[0];
    return sha && SHA.test(sha) ? sha : undefined;
  } catch (err) {
    throw gitFailure(`reading ${branch} on ${remote}`, err, true);
  }
}

/** A temporary folder holding the base commit's files, with its own index; `dispose()` removes both. */
export class BaseCheckout {
  private constructor(
    private readonly repoPath: string,
    readonly dir: string,
    private readonly indexDir: string,
    readonly baseSha: string,
  ) {}

  static async create(repoPath: string, baseSha: string): Promise<BaseCheckout> {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-loop-'));
    const indexDir = mkdtempSync(join(tmpdir(), 'hindsight-loop-index-'));
    const co = new BaseCheckout(repoPath, dir, indexDir, baseSha);
    try {
      await co.git().raw(['read-tree', baseSha]);
      await co.git().raw([`--work-tree=${dir}`, 'checkout-index', '--all', '--force']);
      // The proposal writers want a work tree (a `.git` entry); an empty folder is not a repository to git.
      mkdirSync(join(dir, '.git'));
    } catch (err) {
      co.dispose();
      throw gitFailure(`checking out ${baseSha.slice(0, 12)} into a temporary folder`, err);
    }
    return co;
  }

  private git(extraEnv: Record<string, string> = {}): SimpleGit {
    return gitAt(this.repoPath, { GIT_INDEX_FILE: join(this.indexDir, 'index'), ...extraEnv });
  }

  /** Stages these paths and returns the tree; undefined when it equals the base's (nothing changed). */
  async stage(paths: readonly string[]): Promise<string | undefined> {
    const git = this.git();
    try {
      await git.raw([`--work-tree=${this.dir}`, 'add', '--', ...paths]);
      const tree = (await git.raw(['write-tree'])).trim();
      const baseTree = (await git.raw(['rev-parse', `${this.baseSha}^{tree}`])).trim();
      return tree === baseTree ? undefined : tree;
    } catch (err) {
      throw gitFailure(`staging ${paths.join(', ')}`, err);
    }
  }

  /** A commit of `tree` on top of the base. Without a configured identity the commit is hindsight's own. */
  async commit(tree: string, message: { subject: string; body: string }): Promise<string> {
    let identity: Record<string, string> = {};
    const email = await this.git()
      .raw(['config', '--get', 'user.email'])
      .catch(() => '');
    if (!email.trim()) {
      const who = { name: 'hindsight', email: 'hindsight@users.noreply.github.com' };
      identity = {
        GIT_AUTHOR_NAME: who.name,
        GIT_AUTHOR_EMAIL: who.email,
        GIT_COMMITTER_NAME: who.name,
        GIT_COMMITTER_EMAIL: who.email,
      };
    }
    try {
      const sha = (
        await this.git(identity).raw([
          'commit-tree',
          tree,
          '-p',
          this.baseSha,
          '-m',
          message.subject,
          '-m',
          message.body,
        ])
      ).trim();
      if (!SHA.test(sha)) throw new Error(`commit-tree answered '${sha}'`);
      return sha;
    } catch (err) {
      throw gitFailure('committing the fix', err);
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.indexDir, { recursive: true, force: true });
  }
}

/**
 * Pushes `sha` to the remote's `hindsight/*` branch with a lease: it replaces the branch only if it still
 * points at `expected` (absent when undefined), so a push someone made meanwhile is never lost. Refuses any
 * other branch, the default branch included.
 */
export async function pushLoopBranch(
  repoPath: string,
  remote: string,
  branch: string,
  sha: string,
  expected: string | undefined,
): Promise<void> {
  if (!branch.startsWith(LOOP_BRANCH_PREFIX) || branch.length <= LOOP_BRANCH_PREFIX.length) {
    throw new Error(`refusing to push ${branch}: the loop pushes only ${LOOP_BRANCH_PREFIX}* branches`);
  }
  const ref = `refs/heads/${branch}`;
  try {
    await gitAt(repoPath).raw([
      'push',
      '--quiet',
      '--no-verify',
      `--force-with-lease=${ref}:${expected ?? ''}`,
      remote,
      `${sha}:${ref}`,
    ]);
  } catch (err) {
    const text = errorMessage(err);
    if (/stale info|\(fetch first\)|rejected/i.test(text)) {
      throw new UpstreamError(
        'git',
        `${branch} changed on ${remote} while the loop ran; nothing was overwritten, run the loop again`,
        true,
        { cause: err },
      );
    }
    throw gitFailure(
      `pushing ${branch} to ${remote} (the credentials need write access to contents: a token with contents: write)`,
      err,
      true,
    );
  }
}

/** Whether the remote branch already holds exactly this change on this base (a re-run with nothing new). */
export async function sameChange(
  repoPath: string,
  remote: string,
  branch: { name: string; head: string },
  tree: string,
  baseSha: string,
): Promise<boolean> {
  const git = gitAt(repoPath);
  const branchHead = branch.head;
  try {
    if (!(await commitOf(git, branchHead))) {
      await git.raw(['fetch', '--quiet', '--no-tags', remote, `refs/heads/${branch.name}`]);
    }
    const [headTree, parents] = await Promise.all([
      git.raw(['rev-parse', `${branchHead}^{tree}`]),
      git.raw(['rev-list', '--parents', '-n', '1', branchHead]),
    ]);
    return headTree.trim() === tree && parents.trim().split(/\s+/).slice(1).join(' ') === baseSha;
  } catch {
    return false; // cannot tell: push the new commit (with the lease)
  }
}
