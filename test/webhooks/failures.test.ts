import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { startWebhookServer } from '../../src/webhooks/server.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { INCIDENT_TOKEN, webhookHarness } from './harness.js';

// A store that cannot take a delivery right now is not "internal error": the sender is told to retry (busy), the
// operator what to change (a read-only file) — never a bare 500 that looks like a hindsight bug.

const row = { id: 'INC-7', title: 'Search returns 500s', started_at: '2026-01-05T10:00:00Z' };

function deliver(url: string) {
  return fetch(`${url}/webhooks/incident`, {
    method: 'POST',
    body: JSON.stringify(row),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INCIDENT_TOKEN}` },
  });
}

describe('webhook failures by who acts', () => {
  it('a locked database answers 503 with Retry-After, and the redelivery is stored once the lock is gone', async () => {
    const h = await webhookHarness(gitdir().path, { busyWaitMs: 200 }); // 503 after 200 ms rather than 8 s
    const other = new Database(h.ctx.config.dbPath);
    other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    const busy = await deliver(h.server.url);
    expect(busy.status).toBe(503);
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await busy.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ retryable: true });
    expect(String(body['error'])).toMatch(/is busy: another hindsight process is writing it \(SQLITE_BUSY\)/);
    other.exec('ROLLBACK');
    other.close();
    const retried = await deliver(h.server.url);
    expect(retried.status).toBe(201);
    expect(h.counts()['incidents']).toBe(1);
  });

  it('a read-only database answers 500 with the operator’s fix, not "internal error"', async () => {
    const ctx = testContext(gitdir().path);
    ctx.store.close();
    const readOnly = createContext(ctx.config, { store: new Database(ctx.config.dbPath, { readonly: true }) });
    const server = await startWebhookServer(readOnly, { port: 0, incidentToken: INCIDENT_TOKEN });
    try {
      const res = await deliver(server.url);
      expect(res.status).toBe(500);
      const error = String(((await res.json()) as Record<string, unknown>)['error']);
      expect(error).toMatch(/cannot be written \(SQLITE_READONLY\): make the file and its folder writable/);
      expect(error).not.toMatch(/internal error/);
      expect(error).not.toContain(ctx.config.dbPath); // the sender is told what to do, not where our files live
    } finally {
      await server.close();
    }
  });
});
