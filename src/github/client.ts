import { execFile } from 'node:child_process';
import type { Octokit } from '@octokit/rest';
import { ConfigError, UserInputError } from '../errors.js';
import { VERSION } from '../version.js';

/** Octokit with the retry and throttling plugins. */
export type GithubClient = Octokit;

export const DEFAULT_BASE_URL = 'https://api.github.com';

export interface GithubClientOptions {
  /** Never logged; Octokit redacts it from its errors too. */
  token: string;
  /** API root: https://api.github.com, or https://ghe.example.com/api/v3 for GitHub Enterprise Server. */
  baseUrl?: string;
  log?: (message: string) => void;
  /** Milliseconds per second of a Retry-After or back-off (tests shrink it). Default 1000. */
  retryAfterBaseMs?: number;
  /** The longest rate-limit wait sat through before giving up with an UpstreamError. Default 300 s. */
  maxRateLimitWaitSeconds?: number;
  /** Retries of 5xx answers and failed connections. Default 3. */
  retries?: number;
}

/**
 * An Octokit client that waits out primary and secondary rate limits (throttling plugin) and retries server
 * errors with back-off (retry plugin). Octokit is loaded on first use: MCP start-up never pays for it.
 */
export async function createGithubClient(options: GithubClientOptions): Promise<GithubClient> {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const log = options.log ?? (() => {});
  const base = options.retryAfterBaseMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 300;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
      if (retryCount >= 3 || retryAfter > maxWait) return false;
      log(`hindsight: GitHub ${kind} rate limit on ${request.method} ${request.url}; retrying in ${retryAfter} s`);
      return true;
    };
  const Client = Octokit.plugin(retry, throttling);
  const counter = { n: 0 };
  const client = new Client({
    auth: options.token,
    baseUrl: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    userAgent: `hindsight/${VERSION}`,
    // Octokit's own warnings (deprecations) go to our log; debug/info are noise.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(`hindsight: GitHub: ${m}`), error: () => {} },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: base },
    throttle: {
      retryAfterBaseValue: base,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
    // Counted at the fetch, under the plugins, so retries count too.
    request: {
      fetch: (url: string | URL | Request, init?: RequestInit) => {
        counter.n++;
        return fetch(url, init);
      },
    },
  });
  attempts.set(client, counter);
  return client;
}

const attempts = new WeakMap<GithubClient, { n: number }>();

/** HTTP requests this client has sent, retries included. */
export function httpRequestCount(client: GithubClient): number {
  return attempts.get(client)?.n ?? 0;
}

/** `acme/shop`, `https://github.com/acme/shop(.git)` or `git@github.com:acme/shop.git` → `acme/shop`. */
export function parseRepoSlug(value: string): { owner: string; repo: string; slug: string } {
  const m = /^(?:(?:https?:\/\/[^/]+\/)|(?:git@[^:]+:))?([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(value.trim());
  if (!m) {
    throw new UserInputError(`'${value}' is not a GitHub repository; pass it as owner/name, e.g. acme/shop`, 'repo');
  }
  return { owner: m[1]!, repo: m[2]!, slug: `${m[1]}/${m[2]}` };
}

/** The web host whose `gh` login serves an API root (api.github.com → github.com; GHES: its own host). */
export function githubHost(baseUrl: string): string {
  let host: string;
  try {
    host = new URL(baseUrl).host;
  } catch {
    throw new UserInputError(
      `--base-url '${baseUrl}' is not a URL; use e.g. https://ghe.example.com/api/v3`,
      'baseUrl',
    );
  }
  return host === 'api.github.com' ? 'github.com' : host;
}

/**
 * The token, from GITHUB_TOKEN or GH_TOKEN (GH_ENTERPRISE_TOKEN / GITHUB_ENTERPRISE_TOKEN for an Enterprise host),
 * else from the `gh` CLI's login (`gh auth token`). `env` is passed in: reading the environment is config's job.
 */
export async function resolveGithubToken(
  env: Record<string, string | undefined>,
  baseUrl = DEFAULT_BASE_URL,
  gh = 'gh',
): Promise<string> {
  const host = githubHost(baseUrl);
  const names =
    host === 'github.com'
      ? ['GITHUB_TOKEN', 'GH_TOKEN']
      : ['GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN'];
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  const fromGh = await new Promise<string | undefined>((resolveToken) => {
    execFile(gh, ['auth', 'token', '--hostname', host], { timeout: 10_000 }, (err, stdout) =>
      resolveToken(err ? undefined : stdout.trim() || undefined),
    );
  });
  if (fromGh) return fromGh;
  throw new ConfigError(
    `no GitHub token for ${host}: set ${names.slice(0, 2).join(' or ')} to a token that can read the repository, ` +
      `or log in with the GitHub CLI (gh auth login --hostname ${host})`,
  );
}
