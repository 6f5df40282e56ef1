import { describe, expect, it } from 'vitest';
import { ConfigError, UserInputError } from '../../src/errors.js';
import { connectGithub } from '../../src/loop/github.js';
import { pushLoopBranch } from '../../src/loop/checkout.js';
import { githubRepoOfRemote, redactUrl } from '../../src/loop/remote.js';
import { runLoop } from '../../src/loop/run.js';
import { fixRows, git, logRecurring, repoWithRemote } from './setup.js';

// Every way a real run can be set up wrong stops before anything is pushed, opened or recorded, and says how to fix it.

const neverConnect = async () => {
  throw new Error('must not reach GitHub');
};

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('hindsight loop refuses with the fix', () => {
  it('without a token: names the variables, the permissions, gh auth login and --dry-run', async () => {
    const err = await failure(connectGithub({ env: {}, gh: '/nonexistent/gh' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/no GitHub token for github\.com.*GITHUB_TOKEN or GH_TOKEN/);
    expect(err.message).toMatch(/contents: write and pull-requests: write/);
    expect(err.message).toMatch(/gh auth login --hostname github\.com.*--dry-run/);
  });

  it('without a remote, or with a remote of another name', async () => {
    const s = repoWithRemote();
    logRecurring(s.ctx);
    const wrongName = await failure(runLoop(s.ctx, { remote: 'upstream', connect: neverConnect }));
    expect(wrongName).toBeInstanceOf(UserInputError);
    expect(wrongName.message).toBe("the repository has no remote 'upstream' (it has origin); pass --remote NAME");
    s.work.git('remote', 'remove', 'origin');
    const none = await failure(runLoop(s.ctx, { repoSlug: 'acme/shop', connect: neverConnect }));
    expect(none.message).toMatch(/has no remote, so there is nowhere to push; add one: git remote add origin https:/);
    expect(fixRows(s.ctx)).toEqual([]);
  });

  it('with a remote that is not on GitHub (credentials in its URL never printed)', async () => {
    const s = repoWithRemote();
    s.work.git('remote', 'set-url', 'origin', 'https://ci:glpat-s3cr3t@gitlab.com/acme/shop.git');
    const err = await failure(runLoop(s.ctx, { connect: neverConnect }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      /the remote 'origin' \(https:\/\/gitlab\.com\/acme\/shop\.git\) is not a github\.com repository.*--repo-slug owner\/name.*--base-url/,
    );
    expect(err.message).not.toContain('s3cr3t');
  });

  it('with a base branch the remote does not have', async () => {
    const s = repoWithRemote();
    logRecurring(s.ctx);
    const err = await failure(
      runLoop(s.ctx, { repoSlug: 'acme/shop', base: 'develop', connect: async () => ({}) as never }),
    );
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(
      /--base develop: the remote 'origin' has no branch 'develop'; pass --base with its default branch/,
    );
    expect(git(s.bare, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    const flag = await failure(runLoop(s.ctx, { dryRun: true, base: '--upload-pack=x' }));
    expect(flag).toBeInstanceOf(UserInputError);
  });

  it('never pushes anything but a hindsight/* branch', async () => {
    const s = repoWithRemote();
    const head = s.work.git('rev-parse', 'HEAD');
    await expect(pushLoopBranch(s.work.path, 'origin', 'main', head, undefined)).rejects.toThrow(/only hindsight\/\*/);
    await expect(pushLoopBranch(s.work.path, 'origin', 'hindsight/', head, undefined)).rejects.toThrow(/refusing/);
  });
});

describe('which GitHub repository a remote is', () => {
  it('reads https, ssh and scp-like URLs on github.com, and an Enterprise host with its --base-url', () => {
    for (const url of [
      'https://github.com/acme/shop.git',
      'https://x-access-token:ghs_abc@github.com/acme/shop',
      'git@github.com:acme/shop.git',
      'ssh://git@ssh.github.com:443/acme/shop.git',
    ]) {
      expect(githubRepoOfRemote('origin', url).slug).toBe('acme/shop');
    }
    expect(githubRepoOfRemote('origin', 'git@ghe.acme.dev:team/api.git', 'https://ghe.acme.dev/api/v3').slug).toBe(
      'team/api',
    );
    expect(() => githubRepoOfRemote('origin', 'git@github.com:acme/shop.git', 'https://ghe.acme.dev/api/v3')).toThrow(
      /is not a ghe\.acme\.dev repository/,
    );
    expect(() => githubRepoOfRemote('origin', '/srv/git/shop.git')).toThrow(ConfigError);
    expect(redactUrl('https://user:token@github.com/a/b')).toBe('https://github.com/a/b');
  });
});
