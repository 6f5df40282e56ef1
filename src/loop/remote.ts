import { ConfigError, UserInputError } from '../errors.js';
import { DEFAULT_BASE_URL, githubHost, parseRepoSlug } from '../github/client.js';

/** A git remote URL without credentials (`https://x-access-token:…@github.com/…` → `https://github.com/…`). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]+@/i, '$1');
}

/** Host and path of a remote URL: `https://host/o/r.git`, `ssh://git@host:22/o/r`, `git@host:o/r.git`; else undefined. */
function hostAndPath(url: string): { host: string; path: string } | undefined {
  const full = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+)$/i.exec(url);
  if (full) return { host: full[1]!.toLowerCase(), path: full[2]! };
  // scp-like syntax; a Windows drive (C:\…) or a local path is not a host.
  const scp = /^(?:[^@/]+@)?([^:/\\]{2,}):(?!\/\/)(.+)$/.exec(url);
  if (scp) return { host: scp[1]!.toLowerCase(), path: scp[2]! };
  return undefined;
}

/**
 * The GitHub repository a remote points at. The remote must be on the API's host (github.com for
 * api.github.com, the server itself for GitHub Enterprise); anything else says how to fix the run.
 */
export function githubRepoOfRemote(
  remote: string,
  url: string,
  baseUrl = DEFAULT_BASE_URL,
): { owner: string; repo: string; slug: string } {
  const want = githubHost(baseUrl).toLowerCase();
  const where = hostAndPath(url);
  const host = where?.host.replace(/^(www|ssh)\./, '');
  if (!where || host !== want.replace(/^(www|ssh)\./, '')) {
    throw new ConfigError(
      `the remote '${remote}' (${redactUrl(url)}) is not a ${want} repository, so no pull request can be opened ` +
        `for it; point --remote at the GitHub remote, pass --repo-slug owner/name if it mirrors a GitHub ` +
        `repository${want === 'github.com' ? ', or --base-url https://<host>/api/v3 for GitHub Enterprise Server' : ''}`,
    );
  }
  try {
    return parseRepoSlug(where.path);
  } catch {
    throw new ConfigError(
      `the remote '${remote}' (${redactUrl(url)}) does not name an owner/repository; pass --repo-slug owner/name`,
    );
  }
}

/** A branch name given on the command line: plain ref characters, no leading dash, no `..`. */
export function assertBranchName(name: string, flag: string): void {
  if (!/^[\w][\w./-]*$/.test(name) || name.includes('..') || name.endsWith('/') || name.endsWith('.lock')) {
    throw new UserInputError(`${flag} '${name}' is not a branch name; pass e.g. main`, flag);
  }
}
