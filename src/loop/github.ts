import { ConfigError } from '../errors.js';
import {
  DEFAULT_BASE_URL,
  createGithubClient,
  githubHost,
  resolveGithubToken,
  type GithubClient,
} from '../github/client.js';
import { githubError } from '../github/errors.js';
import type { RepoRef } from '../github/pulls.js';

/**
 * A GitHub client for the loop. The token comes from GITHUB_TOKEN/GH_TOKEN or `gh auth token` (`env` is passed
 * in); without one the error names the permissions the loop needs.
 */
export async function connectGithub(o: {
  env: Record<string, string | undefined>;
  baseUrl?: string;
  gh?: string;
  log?: (m: string) => void;
  retryAfterBaseMs?: number;
  /** What cannot happen without a token, and the permissions it needs (default: the loop's pull request). */
  need?: string;
}): Promise<GithubClient> {
  const baseUrl = o.baseUrl ?? DEFAULT_BASE_URL;
  let token: string;
  try {
    token = await resolveGithubToken(o.env, baseUrl, o.gh);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const host = githubHost(baseUrl);
    throw new ConfigError(
      `no GitHub token for ${host}, so ${o.need ?? 'no pull request can be opened: set GITHUB_TOKEN or GH_TOKEN to a token with contents: write and pull-requests: write'} ` +
        '(classic: repo scope), or log in with ' +
        `gh auth login --hostname ${host}; or run with --dry-run to see the plan without one`,
      { cause: err },
    );
  }
  return createGithubClient({
    token,
    baseUrl,
    ...(o.log ? { log: o.log } : {}),
    ...(o.retryAfterBaseMs !== undefined ? { retryAfterBaseMs: o.retryAfterBaseMs } : {}),
  });
}

/** A pull request's state as the loop needs it. */
export interface PullState {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  /** unix ms */
  mergedAt: number | null;
  closedAt: number | null;
  headRef: string;
}

/** One pull request by number (to learn whether the loop's PR was merged or closed meanwhile). */
export async function getPullState(client: GithubClient, where: RepoRef, number: number): Promise<PullState> {
  try {
    const { data } = await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...where,
      pull_number: number,
    });
    const ms = (v: string | null | undefined) => (v ? Date.parse(v) : null);
    return {
      number: data.number,
      state: data.state === 'closed' ? 'closed' : 'open',
      merged: data.merged_at !== null,
      mergedAt: ms(data.merged_at),
      closedAt: ms(data.closed_at),
      headRef: data.head.ref,
    };
  } catch (err) {
    throw githubError(err, `reading pull request #${number} of ${where.owner}/${where.repo}`);
  }
}
