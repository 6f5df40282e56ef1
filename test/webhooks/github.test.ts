import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ingestGit } from '../../src/ingest/git.js';
import { getIncidentBySource } from '../../src/store/incidents.js';
import { getPullRequest } from '../../src/store/github.js';
import { gitdir } from '../helpers/gitdir.js';
import { webhookHarness } from './harness.js';

// A CommonJS JSON package: require() gives the array its types describe.
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

const HANDLED = [
  'deployment',
  'deployment_status',
  'workflow_run',
  'workflow_job',
  'release',
  'pull_request',
  'issues',
  'push',
];

/** GitHub's published example payloads for an event (deep copies: tests adjust shas and labels). */
function payloads(event: string): Record<string, unknown>[] {
  const def = examples.find((e) => e.name === event);
  if (!def) throw new Error(`no examples for ${event}`);
  return def.examples.map((e) => structuredClone(e) as unknown as Record<string, unknown>);
}

function repo() {
  const g = gitdir();
  const shas = [1, 2, 3].map((i) =>
    g.commit({
      files: { [`src/app/f${i}.ts`]: `export const v = ${i};\n` },
      message: `feat: ${i}`,
      date: `2026-01-0${i}T08:00:00Z`,
    }),
  );
  return { g, shas };
}

/** The example deployments name a commit of GitHub's sample repository; point them at one of ours. */
function onOurCommit(p: Record<string, unknown>, sha: string): Record<string, unknown> {
  const d = p['deployment'] as { sha: string } | undefined;
  if (d) d.sha = sha;
  return p;
}

describe('POST /webhooks/github', () => {
  it('stores a finished workflow_job with the step that failed (the release review reads it), not a queued one', async () => {
    const { g } = repo();
    const h = await webhookHarness(g.path);
    const jobs = payloads('workflow_job');
    const failed = jobs.find((p) => (p['workflow_job'] as { conclusion: string }).conclusion === 'failure')!;
    const queued = jobs.find((p) => (p['workflow_job'] as { status: string }).status === 'queued')!;
    expect((await h.github('workflow_job', queued, { delivery: 'job-q' })).body['outcome']).toBe('ignored');
    expect((await h.github('workflow_job', failed, { delivery: 'job-f' })).body['outcome']).toBe('stored');
    const rows = h.ctx.store.prepare('SELECT name, conclusion, failed_step AS failedStep FROM build_jobs').all();
    expect(rows).toEqual([{ name: 'linters', conclusion: 'failure', failedStep: 'Run yarn run format-check' }]);
  });

  it('accepts every example payload of every handled event once, and ignores replays of the same delivery', async () => {
    const { g, shas } = repo();
    const h = await webhookHarness(g.path);
    let sent = 0;
    for (const event of HANDLED) {
      for (const [i, p] of payloads(event).entries()) {
        const delivery = `${event}-${i}`;
        const first = await h.github(event, onOurCommit(p, shas[2]!), { delivery });
        expect(first.status, `${event} #${i}: ${JSON.stringify(first.body)}`).toBe(200);
        expect(['stored', 'ignored']).toContain(first.body['outcome']);
        sent++;
        const after = h.counts();
        const replay = await h.github(event, p, { delivery });
        expect(replay).toEqual({ status: 200, body: { outcome: 'duplicate', delivery } });
        expect(h.counts()).toEqual(after);
      }
    }
    const counts = h.counts();
    expect(counts['webhook_deliveries']).toBe(sent);
    // The examples' successful deployment statuses share one deployment id: one deploy.
    expect(counts['deploys']).toBe(1);
    expect(counts['builds']).toBeGreaterThan(0);
    expect(counts['pull_requests']).toBeGreaterThan(0);
    const outcomes = h.ctx.store
      .prepare("SELECT event, outcome FROM webhook_deliveries WHERE outcome != 'stored' ORDER BY delivery_id")
      .all() as { event: string; outcome: string }[];
    expect(outcomes).toContainEqual({
      event: 'deployment',
      outcome: 'ignored: a deployment is recorded when its deployment_status is final',
    });
    expect(outcomes.find((o) => o.event === 'issues')?.outcome).toMatch(/not labeled incident/);
  });

  it('refuses wrong and missing signatures with 401 and stores nothing', async () => {
    const { g, shas } = repo();
    const h = await webhookHarness(g.path);
    const empty = h.counts();
    for (const event of HANDLED) {
      for (const p of payloads(event)) {
        const res = await h.github(event, onOurCommit(p, shas[2]!), { sign: 'wrong' });
        expect(res.status).toBe(401);
        expect(String(res.body['error'])).toMatch(/does not match/);
      }
    }
    const unsigned = await h.github('issues', payloads('issues')[0], { sign: 'none' });
    expect(unsigned.status).toBe(401);
    expect(String(unsigned.body['error'])).toMatch(/missing/);
    // A signature over other bytes: the payload was changed in transit.
    const original = JSON.stringify(payloads('push')[0]);
    const tampered = await h.post('/webhooks/github', original.replace('"forced":false', '"forced":true'), {
      'x-github-event': 'push',
      'x-github-delivery': 'tampered',
      'x-hub-signature-256': await h.sign(original),
    });
    expect(tampered.status).toBe(401);
    expect(h.counts()).toEqual(empty);
  });

  it('answers a form-encoded delivery with the setting to change, and stores nothing (issue 13)', async () => {
    const { g } = repo();
    const h = await webhookHarness(g.path);
    const empty = h.counts();
    // What GitHub sends when the webhook's content type is application/x-www-form-urlencoded, signed as sent.
    const form = `payload=${encodeURIComponent(JSON.stringify(payloads('push')[0]))}`;
    const res = await h.post('/webhooks/github', form, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-github-event': 'push',
      'x-github-delivery': 'form-encoded',
      'x-hub-signature-256': await h.sign(form),
    });
    expect(res.status).toBe(400);
    expect(String(res.body['error'])).toMatch(/form-encoded.*Content type application\/json/);
    expect(h.counts()).toEqual(empty);
  });

  it('turns an incident issue, the merged PR that fixes it and a failed deploy into incidents, fixes and deploys', async () => {
    const { g, shas } = repo();
    const h = await webhookHarness(g.path, { github: { secret: 'gh-webhook-secret', repo: 'Codertocat/Hello-World' } });
    await ingestGit(h.ctx);
    const issue = payloads('issues').find((p) => p['action'] === 'labeled')!;
    const i = issue['issue'] as { labels: { name: string }[]; number: number; body: string | null };
    i.labels.push({ ...i.labels[0]!, name: 'incident' }, { ...i.labels[0]!, name: 'sev2' });
    i.body = `Checkout fails.\nroot cause: ${shas[1]!.slice(0, 8)}`;
    expect((await h.github('issues', issue)).body['outcome']).toBe('stored');
    const id = `Codertocat/Hello-World#${i.number}`;
    expect(getIncidentBySource(h.ctx.store, 'github', id)).toMatchObject({ severity: 'SEV2', rootCauseSha: shas[1] });

    const pr = payloads('pull_request').find((p) => p['action'] === 'closed')!;
    const body = pr['pull_request'] as Record<string, unknown>;
    Object.assign(body, {
      merged: true,
      merged_at: '2026-01-03T09:00:00Z',
      merge_commit_sha: shas[2],
      body: `Raise the timeout.\n\nFixes #${i.number}`,
    });
    expect((await h.github('pull_request', pr)).body['outcome']).toBe('stored');
    expect(getPullRequest(h.ctx.store, 'Codertocat/Hello-World', pr['number'] as number)).toMatchObject({
      state: 'merged',
      mergeSha: shas[2],
    });
    expect(getIncidentBySource(h.ctx.store, 'github', id)?.fixSha).toBe(shas[2]);

    const status = payloads('deployment_status').find(
      (p) => (p['deployment_status'] as { state: string }).state === 'success',
    )!;
    (status['deployment_status'] as { state: string }).state = 'failure';
    const res = await h.github('deployment_status', onOurCommit(status, shas[2]!));
    expect(res.body['outcome']).toBe('stored');
    expect(h.ctx.store.prepare('SELECT status, source, sha FROM deploys').get()).toEqual({
      status: 'failure',
      source: 'github',
      sha: shas[2],
    });

    // Another repository's deliveries are acknowledged and ignored.
    const other = payloads('issues')[0]!;
    (other['repository'] as { full_name: string }).full_name = 'someone/else';
    expect((await h.github('issues', other)).body).toMatchObject({
      outcome: 'ignored',
      why: 'someone/else is not Codertocat/Hello-World',
    });
  });

  it('answers 202 and records nothing for a deploy of a commit not fetched yet, so a redelivery can succeed', async () => {
    const { g, shas } = repo();
    const h = await webhookHarness(g.path);
    const status = payloads('deployment_status').find(
      (p) => (p['deployment_status'] as { state: string }).state === 'success',
    )!;
    const first = await h.github('deployment_status', status, { delivery: 'redeliver-me' });
    expect(first.status).toBe(202);
    expect(String(first.body['why'])).toMatch(/is not in .* yet; git fetch/);
    expect(h.counts()['webhook_deliveries']).toBe(0);
    const second = await h.github('deployment_status', onOurCommit(status, shas[0]!), { delivery: 'redeliver-me' });
    expect(second.body['outcome']).toBe('stored');
  });

  it('a push fetches the clone from its remote and ingests the new commits', async () => {
    const upstream = gitdir();
    upstream.commit({ files: { 'a.ts': '1\n' }, message: 'one' });
    const clone = gitdir();
    clone.git('remote', 'add', 'origin', upstream.path);
    clone.git('fetch', '-q', 'origin');
    const h = await webhookHarness(clone.path);
    upstream.commit({ files: { 'b.ts': '2\n' }, message: 'two' });
    const res = await h.github('push', payloads('push')[0]);
    expect(res.body['outcome']).toBe('stored');
    expect(h.counts()['commits']).toBe(2);
  });

  it('rejects malformed JSON and payloads without the fields it needs with 400, storing nothing', async () => {
    const { g } = repo();
    const h = await webhookHarness(g.path);
    const bad = await h.github('issues', '{"action": "opened", ');
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toMatch(/not valid JSON/);
    const shapeless = await h.github('deployment_status', { action: 'created', deployment: { id: 'x' } });
    expect(shapeless.status).toBe(400);
    expect(String(shapeless.body['error'])).toMatch(/not a deployment_status payload: deployment\.id: .*number/);
    const noEvent = await h.post('/webhooks/github', '{}', { 'x-hub-signature-256': 'sha256=00' });
    expect(noEvent.status).toBe(401);
    expect(h.counts()['webhook_deliveries']).toBe(0);
  });
});
