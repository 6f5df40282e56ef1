import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startIngestLoop } from '../../../src/ingest/periodic.js';
import { openStore } from '../../../src/store/open.js';
import { sqliteMechanism, testContext } from '../../helpers/context.js';
import { gitdir } from '../../helpers/gitdir.js';
import { INCIDENT_TOKEN, teamServer } from './harness.js';

describe('team operations', () => {
  it('answers /healthz always and /readyz with 503 until ready, without a token or a checked Host', async () => {
    let why: string | undefined = 'first ingest running';
    const t = await teamServer(testContext(gitdir().path), { notReady: () => why });
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const starting = await fetch(`${t.url}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: 'starting', why: 'first ingest running' });
    why = undefined;
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('closes gracefully: a request in flight when shutdown starts still gets its answer', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx);
    const body = JSON.stringify({ id: 'INC-1', title: 'Slow sender', started_at: '2026-02-04T08:00:00Z' });
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}/webhooks/incident`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${INCIDENT_TOKEN}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10)); // half a body: the request is in flight
      setTimeout(() => req.end(body.slice(10)), 700);
    });
    await new Promise((r) => setTimeout(r, 300)); // the server has the request's head by now
    const closed = t.server.close();
    expect(await answered).toBe(201);
    await closed;
    expect(ctx.store.prepare('SELECT count(*) AS n FROM incidents').get()).toEqual({ n: 1 });
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});

describe('POST /admin/ingest', () => {
  it('starts an ingest round for a token with the admin scope only', async () => {
    let rounds = 0;
    const t = await teamServer(testContext(gitdir().path), { ingestNow: () => ({ started: ++rounds === 1 }) });
    const post = (token?: string) =>
      fetch(`${t.url}/admin/ingest`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
    const anonymous = await post();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="hindsight"');
    const reader = await post(t.token('claude', ['read', 'log', 'propose']).token);
    expect(reader.status).toBe(403);
    expect(await reader.json()).toEqual({
      error: "POST /admin/ingest needs the 'admin' scope; create a token with --scope admin",
    });
    expect(rounds).toBe(0);
    const admin = t.token('ops', ['admin']).token;
    expect(await (await post(admin)).json()).toEqual({ outcome: 'started' });
    expect(await (await post(admin)).json()).toEqual({ outcome: 'running' });
  });
});

describe('writes while another process holds the write lock', () => {
  it.skipIf(sqliteMechanism)(
    'waits for the lock without stopping the server: reads are answered meanwhile, writes land after',
    async () => {
      const ctx = testContext(gitdir().path);
      const t = await teamServer(ctx);
      const client = await t.connect(t.token('claude').token);
      const ingest = openStore(ctx.config.dbPath); // stands for an ingest batch in another process
      ingest.exec('BEGIN IMMEDIATE');
      let logged = false;
      const write = client
        .callTool({ name: 'log_interrupt', arguments: { summary: 'Where is the retry policy?' } })
        .finally(() => (logged = true));
      const read = await client.callTool({ name: 'triage_report', arguments: {} });
      expect(read.isError).toBeFalsy();
      expect(logged).toBe(false);
      let delivered = false;
      const incident = t.incident({ id: 'INC-1', title: 'Timeouts', started_at: '2026-02-04T08:00:00Z' });
      void incident.finally(() => (delivered = true));
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      expect([logged, delivered]).toEqual([false, false]);
      ingest.exec('COMMIT');
      ingest.close();
      const res = await write;
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect((await incident).status).toBe(201);
      expect(ctx.store.prepare('SELECT agent FROM interrupts').all()).toEqual([{ agent: 'claude' }]);
      expect(ctx.store.prepare('SELECT external_id FROM incidents').all()).toEqual([{ external_id: 'INC-1' }]);
    },
  );
});

describe('periodic ingest', () => {
  it('runs every repository at start and then every interval, never two rounds at once, past a failure', async () => {
    const calls: string[] = [];
    const logs: string[] = [];
    let running = 0;
    let overlapped = false;
    const loop = startIngestLoop({
      repos: ['/a', '/b'],
      intervalMs: 20,
      log: (m) => logs.push(m),
      run: async (repo) => {
        overlapped ||= running > 0;
        running++;
        calls.push(repo);
        await new Promise((r) => setTimeout(r, 30)); // longer than the interval
        running--;
        if (repo === '/a') throw new Error('not a git repository');
        return 'ingested 1 new commit(s)';
      },
    });
    expect(loop.notReady()).toMatch(/first ingest of 2 repositories running/);
    await loop.firstRound;
    expect(loop.notReady()).toBeUndefined();
    for (let i = 0; i < 100 && calls.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    await loop.stop();
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.length).toBe(after); // stopped means stopped
    expect(after).toBeGreaterThanOrEqual(4);
    expect(calls.slice(0, 4)).toEqual(['/a', '/b', '/a', '/b']);
    expect(overlapped).toBe(false);
    expect(logs).toContain('hindsight: ingest /a failed: not a git repository');
    expect(logs).toContain('hindsight: ingest /b: ingested 1 new commit(s)');
  });
});
