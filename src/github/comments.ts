import type { GithubClient } from './client.js';
import { githubError } from './errors.js';
import type { RepoRef } from './pulls.js';

// Issue and pull-request comments as a target (a pull request's conversation is its issue's comments), and the
// pull requests that brought a commit in: what the write-back (src/notify) needs from GitHub.

export interface IssueComment {
  id: number;
  body: string;
  url: string;
}

interface CommentShape {
  id: number;
  body?: string;
  html_url: string;
}

const comment = (c: CommentShape): IssueComment => ({ id: c.id, body: c.body ?? '', url: c.html_url });

/** The first comment on issue/PR `number` whose body contains `marker`, reading page by page until found. */
export async function findMarkedComment(
  client: GithubClient,
  where: RepoRef,
  number: number,
  marker: string,
): Promise<IssueComment | undefined> {
  try {
    const pages = client.paginate.iterator('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...where,
      issue_number: number,
      per_page: 100,
    });
    for await (const page of pages) {
      const hit = (page.data as CommentShape[]).find((c) => (c.body ?? '').includes(marker));
      if (hit) return comment(hit);
    }
    return undefined;
  } catch (err) {
    throw githubError(err, `reading the comments of #${number} in ${where.owner}/${where.repo}`);
  }
}

export async function createComment(
  client: GithubClient,
  where: RepoRef,
  number: number,
  body: string,
): Promise<IssueComment> {
  try {
    const res = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...where,
      issue_number: number,
      body,
    });
    return comment(res.data as CommentShape);
  } catch (err) {
    throw githubError(err, `commenting on #${number} in ${where.owner}/${where.repo}`);
  }
}

/** Edits a comment in place; undefined when it no longer exists (someone deleted it). */
export async function updateComment(
  client: GithubClient,
  where: RepoRef,
  id: number,
  body: string,
): Promise<IssueComment | undefined> {
  try {
    const res = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      ...where,
      comment_id: id,
      body,
    });
    return comment(res.data as CommentShape);
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return undefined;
    throw githubError(err, `editing comment ${id} in ${where.owner}/${where.repo}`);
  }
}

/** GitHub's "pull requests associated with a commit": merged ones first, then the newest. */
export async function pullsOfCommitOnGithub(
  client: GithubClient,
  where: RepoRef,
  sha: string,
): Promise<{ number: number; url: string; title: string; merged: boolean }[]> {
  try {
    const res = await client.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      ...where,
      commit_sha: sha,
      per_page: 10,
    });
    const pulls = (res.data as { number: number; html_url: string; title: string; merged_at?: string | null }[]).map(
      (p) => ({ number: p.number, url: p.html_url, title: p.title, merged: p.merged_at != null }),
    );
    return pulls.sort((a, b) => Number(b.merged) - Number(a.merged) || b.number - a.number);
  } catch (err) {
    // 422: GitHub does not know the commit (not pushed to this repository).
    const status = (err as { status?: unknown }).status;
    if (status === 422) return [];
    throw githubError(
      err,
      `looking up the pull requests of commit ${sha.slice(0, 10)} in ${where.owner}/${where.repo}`,
    );
  }
}
