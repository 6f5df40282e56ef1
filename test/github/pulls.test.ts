import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError, UserInputError } from '../../src/errors.js';
import { createGithubClient, type GithubClient } from '../../src/github/client.js';
import { findOpenPullByHead, upsertDraftPull } from '../../src/github/pulls.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import { gitdir } from '../helpers/gitdir.js';

// What the correction-to-PR loop does with GitHub: push a branch to the remote, open a draft PR, update it later.
let gh: GithubDouble;
let client: GithubClient;
let work: ReturnType<typeof gitdir>;
const where = { owner: 'acme', repo: 'shop' };

beforeAll(async () => {
  work = gitdir();
  work.commit({ files: { 'README.md': 'shop\n' }, message: 'init' });
  const remote = work.bareClone();
  work.git('remote', 'add', 'origin', remote);
  gh = await startGithubDouble({ remote });
  client = await createGithubClient({ token: gh.token, baseUrl: gh.baseUrl, retryAfterBaseMs: 1 });
});
afterAll(async () => {
  expect(gh.violations).toEqual([]);
  await gh.close();
});

describe('pull requests as a target', () => {
  it('opens a draft PR for a pushed branch, then updates the same PR on the next run', async () => {
    work.git('checkout', '-q', '-b', 'hindsight/adr-payments-timeouts');
    work.commit({ files: { 'docs/adr/0001-timeouts.md': '# Timeouts\n' }, message: 'docs(adr): payment timeouts' });
    work.git('push', '-q', 'origin', 'hindsight/adr-payments-timeouts');
    const input = { head: 'hindsight/adr-payments-timeouts', base: 'main', title: 'ADR: payment timeouts', body: 'v1' };

    const first = await upsertDraftPull(client, where, input);
    expect(first.created).toBe(true);
    expect(first.pull).toMatchObject({ draft: true, state: 'open', headRef: input.head, baseRef: 'main' });
    const second = await upsertDraftPull(client, where, { ...input, body: 'v2: 3 more corrections' });
    expect(second).toMatchObject({ created: false, pull: { number: first.pull.number } });
    expect(gh.pulls()).toHaveLength(1);
    expect(gh.pulls()[0]!.body).toBe('v2: 3 more corrections');
    expect(await findOpenPullByHead(client, where, 'no-such-branch')).toBeUndefined();
  });

  it('refuses to open a PR from a branch that was not pushed, or from the base itself', async () => {
    const err = await upsertDraftPull(client, where, {
      head: 'never-pushed',
      base: 'main',
      title: 't',
      body: 'b',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/opening a draft pull request from never-pushed .* 422 Validation Failed/);
    await expect(upsertDraftPull(client, where, { head: 'main', base: 'main', title: 't', body: 'b' })).rejects.toThrow(
      UserInputError,
    );
  });
});
