import { Webhooks } from '@octokit/webhooks';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { teamServer } from '../mcp/http/harness.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

describe('a team server with several repositories', () => {
  it('applies a GitHub delivery to the repository its payload names, not to the first --repo', async () => {
    const a = gitdir();
    a.commit({ files: { 'a.ts': '1\n' }, message: 'one in a' });
    const b = gitdir();
    const shipped = b.commit({ files: { 'b.ts': '1\n' }, message: 'one in b' });
    const ctxA = testContext(a.path);
    const ctxB = createContext(loadConfig({ cwd: b.path, env: {}, flags: { db: ctxA.config.dbPath, repo: b.path } }), {
      store: ctxA.store,
      log: ctxA.log,
    });
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
});
