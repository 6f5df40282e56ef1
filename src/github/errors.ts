import { UpstreamError, errorMessage } from '../errors.js';

/** The parts of Octokit's RequestError we read; its request copy has the token redacted, and we never print it. */
interface HttpErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isHttpError(err: unknown): err is HttpErrorLike {
  return err instanceof Error && typeof (err as { status?: unknown }).status === 'number';
}

/** True for Octokit's answer to a conditional request whose resource did not change (304). */
export function isNotModified(err: unknown): boolean {
  return isHttpError(err) && err.status === 304;
}

/**
 * Turns an Octokit failure into an UpstreamError that says what failed, what to do, and whether a retry helps.
 * `what` reads as "listing deployments of acme/shop".
 */
export function githubError(err: unknown, what: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (!isHttpError(err))
    return new UpstreamError('GitHub', `${what} failed: ${errorMessage(err)}`, false, { cause: err });
  const headers = err.response?.headers ?? {};
  const detail = err.message.replace(/\s+-\s+https:\/\/docs\.github\.com\S*/, '');
  const say = (message: string, retryable: boolean) =>
    new UpstreamError('GitHub', `${what} failed: ${message}`, retryable, { cause: err });
  if (!err.response) {
    // Octokit reports a failed fetch (DNS, refused connection, TLS) as a 500 without a response.
    return say(`could not reach the API (${detail}); check --base-url and the network`, true);
  }
  const rateLimited = String(headers['x-ratelimit-remaining']) === '0' || /rate limit/i.test(detail);
  if (err.status === 429 || (err.status === 403 && rateLimited)) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? `; it resets at ${new Date(reset * 1000).toISOString()}` : '';
    return say(`rate limit exhausted (${err.status} ${detail})${when}`, true);
  }
  switch (err.status) {
    case 401:
      return say(
        'the token was rejected (401 Bad credentials); set GITHUB_TOKEN or GH_TOKEN to a valid token, or run gh auth login',
        false,
      );
    case 403: {
      const scopes = headers['x-accepted-oauth-scopes'];
      return say(
        `forbidden (403 ${detail})${scopes ? `; the endpoint needs the scope(s) ${String(scopes)}` : ''}; ` +
          'give the token read access to the repository (classic: repo scope; fine-grained: contents, deployments, ' +
          'actions, pull requests, issues: read)',
        false,
      );
    }
    case 404:
      return say(
        `not found (404); check --repo owner/name and --base-url, and that the token can read the repository`,
        false,
      );
    default:
      return say(`${err.status} ${detail}`, err.status >= 500 || err.status === 408);
  }
}
