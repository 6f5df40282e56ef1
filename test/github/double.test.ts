import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';

// The double is only useful if it refuses what GitHub would refuse; these checks keep it honest.
let gh: GithubDouble;
beforeAll(async () => {
  gh = await startGithubDouble();
  for (let i = 1; i <= 5; i++) {
    gh.addDeployment({
      sha: String(i).repeat(40),
      createdAt: `2026-01-0${i}T10:00:00Z`,
      statuses: [{ state: 'success', at: `2026-01-0${i}T10:05:00Z` }],
    });
  }
});
afterAll(() => gh.close());

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${gh.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json', ...init.headers },
  });

describe('GitHub double', () => {
  it('answers with description-shaped pages and a Link header to the next page', async () => {
    const res = await call('/repos/acme/shop/deployments?per_page=2');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: number; sha: string; creator: { login: string } }[];
    expect(body.map((d) => d.sha[0])).toEqual(['5', '4']);
    expect(body[0]!.creator.login).toBeTruthy(); // from the published example
    expect(res.headers.get('link')).toMatch(/page=2>; rel="next", <[^>]*page=3>; rel="last"/);
    const etag = res.headers.get('etag')!;
    const again = await call('/repos/acme/shop/deployments?per_page=2', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(gh.violations).toEqual([]);
  });

  it('refuses requests the OpenAPI description does not allow, and records them as violations', async () => {
    const before = gh.violations.length;
    expect((await call('/repos/acme/shop/deployments?colour=red')).status).toBe(422);
    expect((await call('/repos/acme/shop/pulls?state=merged')).status).toBe(422);
    expect((await call('/repos/acme/shop/deploymentz')).status).toBe(404);
    expect((await call('/repos/acme/shop/pulls', { method: 'POST', body: JSON.stringify({ head: 1 }) })).status).toBe(
      422,
    );
    const found = gh.violations.slice(before);
    gh.violations.length = before;
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/unknown query parameter colour/);
    expect(found[1]).toMatch(/state='merged'.*allowed values/);
    expect(found[2]).toMatch(/no path .* in GitHub's OpenAPI description/);
    expect(found[3]).toMatch(/body: .*head.*must be string/);
  });

  it('needs the token, and answers rate limits like GitHub', async () => {
    expect((await fetch(`${gh.baseUrl}/repos/acme/shop/releases`)).status).toBe(401);
    gh.rateLimit({ kind: 'primary' });
    const limited = await call('/repos/acme/shop/releases');
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    gh.rateLimit({ kind: 'secondary', status: 429 });
    const secondary = await call('/repos/acme/shop/releases');
    expect(secondary.status).toBe(429);
    expect(secondary.headers.get('retry-after')).toBe('1');
    expect((await call('/repos/acme/shop/releases')).status).toBe(200);
  });
});
