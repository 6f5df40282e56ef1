import { UserInputError } from '../errors.js';
import type { GithubClient } from './client.js';
import { githubError } from './errors.js';

// Pull requests as a target: what the correction-to-PR loop needs (find its open PR, open a draft, update it).

export interface PullSummary {
  number: number;
  url: string;
  state: string;
  draft: boolean;
  headRef: string;
  baseRef: string;
  title: string;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

interface PullShape {
  number: number;
  html_url: string;
  state: string;
  draft?: boolean;
  title: string;
  head: { ref: string };
  base: { ref: string };
}

function summary(pr: PullShape): PullSummary {
  return {
    number: pr.number,
    url: pr.html_url,
    state: pr.state,
    draft: pr.draft === true,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    title: pr.title,
  };
}

/** The open pull request from `branch` of this repository (not a fork), if any. */
export async function findOpenPullByHead(
  client: GithubClient,
  where: RepoRef,
  branch: string,
): Promise<PullSummary | undefined> {
  try {
    const res = await client.request('GET /repos/{owner}/{repo}/pulls', {
      ...where,
      state: 'open',
      head: `${where.owner}:${branch}`,
      per_page: 10,
    });
    const pr = (res.data as PullShape[])[0];
    return pr ? summary(pr) : undefined;
  } catch (err) {
    throw githubError(err, `looking for an open pull request from ${branch} in ${where.owner}/${where.repo}`);
  }
}

export interface DraftPullInput {
  /** the pushed branch */
  head: string;
  /** the branch to merge into (the default branch) */
  base: string;
  title: string;
  body: string;
}

/** Opens a draft pull request. */
export async function createDraftPull(
  client: GithubClient,
  where: RepoRef,
  input: DraftPullInput,
): Promise<PullSummary> {
  if (input.head === input.base) {
    throw new UserInputError(`head and base are both '${input.head}'; push the change to its own branch`, 'head');
  }
  try {
    const res = await client.request('POST /repos/{owner}/{repo}/pulls', { ...where, ...input, draft: true });
    return summary(res.data as PullShape);
  } catch (err) {
    throw githubError(err, `opening a draft pull request from ${input.head} in ${where.owner}/${where.repo}`);
  }
}

/** Replaces the title and body of a pull request. */
export async function updatePull(
  client: GithubClient,
  where: RepoRef,
  number: number,
  input: { title?: string; body?: string },
): Promise<PullSummary> {
  try {
    const res = await client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...where,
      pull_number: number,
      ...input,
    });
    return summary(res.data as PullShape);
  } catch (err) {
    throw githubError(err, `updating pull request #${number} of ${where.owner}/${where.repo}`);
  }
}

/**
 * Idempotent: updates the open pull request from `head` when there is one, else opens a draft. A second run for
 * the same change updates instead of opening another.
 */
export async function upsertDraftPull(
  client: GithubClient,
  where: RepoRef,
  input: DraftPullInput,
): Promise<{ pull: PullSummary; created: boolean }> {
  const open = await findOpenPullByHead(client, where, input.head);
  if (open)
    return {
      pull: await updatePull(client, where, open.number, { title: input.title, body: input.body }),
      created: false,
    };
  return { pull: await createDraftPull(client, where, input), created: true };
}
