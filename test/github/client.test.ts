import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UserInputError } from '../../src/errors.js';
import { githubHost, parseRepoSlug, resolveGithubToken } from '../../src/github/client.js';
import { splitRepoFlags } from '../../src/cli/commands/github.js';
import { tempDir } from '../helpers/gitdir.js';

/** A stand-in `gh` that prints a token for github.com only (as `gh auth token --hostname` does). */
function fakeGh(): string {
  const path = join(tempDir('hindsight-gh-'), 'gh');
  writeFileSync(path, '#!/bin/sh\n[ "$4" = "github.com" ] && echo "gho_from_gh_cli" && exit 0\nexit 1\n');
  chmodSync(path, 0o755);
  return path;
}

describe('GitHub client set-up', () => {
  it('takes the token from GITHUB_TOKEN, then GH_TOKEN, then the gh CLI login', async () => {
    const gh = fakeGh();
    expect(await resolveGithubToken({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b' }, undefined, gh)).toBe('a');
    expect(await resolveGithubToken({ GH_TOKEN: 'b' }, undefined, gh)).toBe('b');
    expect(await resolveGithubToken({}, undefined, gh)).toBe('gho_from_gh_cli');
    // Enterprise hosts: their own variables first, and gh is asked for that host.
    expect(
      await resolveGithubToken({ GH_ENTERPRISE_TOKEN: 'e', GITHUB_TOKEN: 'a' }, 'https://ghe.acme.dev/api/v3', gh),
    ).toBe('e');
    const err = await resolveGithubToken({}, 'https://ghe.acme.dev/api/v3', gh).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /no GitHub token for ghe\.acme\.dev: set GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN .*\(gh auth login --hostname ghe\.acme\.dev\)/,
    );
    await expect(resolveGithubToken({}, undefined, '/no/such/gh')).rejects.toThrow(ConfigError);
  });

  it('reads repositories as owner/name, URLs or SSH remotes', () => {
    expect(parseRepoSlug('acme/shop').slug).toBe('acme/shop');
    expect(parseRepoSlug('https://github.com/acme/shop.git').slug).toBe('acme/shop');
    expect(parseRepoSlug('git@github.com:acme/shop.git')).toMatchObject({ owner: 'acme', repo: 'shop' });
    expect(() => parseRepoSlug('shop')).toThrow(/pass it as owner\/name/);
    expect(githubHost('https://api.github.com')).toBe('github.com');
    expect(() => githubHost('ghe.acme.dev')).toThrow(UserInputError);
  });

  it('tells the global --repo PATH (the clone) from ingest github --repo owner/name', () => {
    const argv = ['node', 'main.js', '--repo', '/src/shop', 'ingest', 'github', '--repo', 'acme/shop'];
    expect(splitRepoFlags(argv)).toEqual({ slug: 'acme/shop', clonePath: '/src/shop' });
    expect(splitRepoFlags(['node', 'main.js', 'ingest', 'github', '--repo=acme/shop'])).toEqual({ slug: 'acme/shop' });
    expect(splitRepoFlags(['node', 'main.js', 'ingest', 'github', 'acme/shop'], 'acme/shop')).toEqual({
      slug: 'acme/shop',
    });
    expect(() => splitRepoFlags(['node', 'main.js', '--repo', '.', 'ingest', 'github'])).toThrow(/--repo owner\/name/);
  });
});
