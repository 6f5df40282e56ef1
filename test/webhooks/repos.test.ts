import { Webhooks } from '@octokit/webhooks';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { ingestGit } from '../../src/ingest/git.js';
import { incidentLinks } from '../../src/store/links.js';
import { INCIDENT_TOKEN, teamServer } from '../mcp/http/harness.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/** A second repository's context over the same store, as `serve --repo a --repo b` builds it. */
function alsoServing(ctx: ReturnType<typeof testContext>, repo: string) {
  return createContext(loadConfig({ cwd: repo, env: {}, flags: { db: ctx.config.dbPath, repo } }), {
    store: ctx.store,
    log: ctx.log,
  });
}

describe('a team server with several repositories', () => {
  it('applies a GitHub delivery to the repository its payload names, not to the first --repo', async () => {
    const a = gitdir();
    a.commit({ files: { 'a.ts': '1\n' }, message: 'one in a' });
    const b = gitdir();
    const shipped = b.commit({ files: { 'b.ts': '1\n' }, message: 'one in b' });
    const ctxA = testContext(a.path);
    const ctxB = alsoServing(ctxA, b.path);
    const t = await teamServer(ctxA, {
      github: { secret: 'gh-secret' },
      repos: new Map([
        [basename(a.path), ctxA],
        [basename(b.path), ctxB],
      ]),
    });

    const status = structuredClone(
      examples
        .find((e) => e.name === 'deployment_status')!
        .examples.find((p) => (p as { deployment_status: { state: string } }).deployment_status.state === 'success'),
    ) as unknown as { deployment: { sha: string }; repository: { name: string; full_name: string } };
    status.deployment.sha = shipped;
    status.repository.name = basename(b.path);
    status.repository.full_name = `acme/${basename(b.path)}`;
    const text = JSON.stringify(status);
    const res = await fetch(`${t.url}/webhooks/github`, {
      method: 'POST',
      body: text,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'deployment_status',
        'x-github-delivery': 'delivery-1',
        'x-hub-signature-256': await new Webhooks({ secret: 'gh-secret' }).sign(text),
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'stored' });
    expect(ctxA.store.prepare('SELECT sha, status FROM deploys').all()).toEqual([{ sha: shipped, status: 'success' }]);
  });

  it("blames an incident's fix in the repository that holds it, not in the first --repo", async () => {
    const a = gitdir();
    a.commit({ files: { 'a.c': 'int a = 1;\n' }, message: 'one in a', date: '2026-01-01T10:00:00Z' });
    const b = gitdir();
    // a fee, the change that broke it, and the fix of that change: two days apart
    const fee = (cents: number) => `int fee(void)\n{\n    return ${cents};\n}\n`;
    const [, cause, fix] = [1, 100, 10].map((cents, day) =>
      b.commit({
        files: { 'pay.c': fee(cents) },
        message: `pay: fee ${cents}`,
        date: `2026-01-0${1 + 2 * day}T10:00:00Z`,
      }),
    );
    const ctxA = testContext(a.path);
    const ctxB = alsoServing(ctxA, b.path);
    await ingestGit(ctxA);
    await ingestGit(ctxB);
    const t = await teamServer(ctxA, {
      repos: new Map([
        [basename(a.path), ctxA],
        [basename(b.path), ctxB],
      ]),
    });
    const res = await fetch(`${t.url}/webhooks/incident`, {
      method: 'POST',
      body: JSON.stringify({ id: 'INC-7', title: 'fees wrong', started_at: '2026-01-04T10:00:00Z', fix_sha: fix }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INCIDENT_TOKEN}` },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { incident } = (await res.json()) as { incident: number };
    const blamed = incidentLinks(ctxA.store, incident).filter((l) => l.method === 'fix-blame');
    expect(blamed.map((l) => [l.target, l.status])).toEqual([[cause, 'confirmed']]);
  });
});
