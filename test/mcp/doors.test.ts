import Database from 'better-sqlite3';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { ADR_0002 } from '../../src/demo/scenario-files.js';
import { createContext } from '../../src/context.js';
import { openStore } from '../../src/store/open.js';
import { prepareEntry, storeEntry } from '../../src/triage/interrupts.js';
import { sqliteMechanism, testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

// Issue 13, defects 4 and 9 over MCP: what one bad call may do to the store, and who each error blames.

const NOW = Date.parse('2026-08-31T12:00:00Z');
const HUGE_PATH = 'A'.repeat(100_000);

function setup() {
  const repo = gitdir();
  repo.commit({
    message: 'docs',
    files: { 'docs/adr/0002-idempotency-keys-for-payment-retries.md': ADR_0002 },
  });
  const ctx = testContext(repo.path);
  ctx.clock = () => NOW;
  return ctx;
}

const count = (ctx: ReturnType<typeof setup>) =>
  (ctx.store.prepare('SELECT count(*) AS n FROM interrupts').get() as { n: number }).n;

describe('bounded doors (defect 4)', () => {
  it('refuses a 100,000-character path with the field and its limit, and stores nothing', async () => {
    const ctx = setup();
    const client = await mcpClient(ctx);
    const res = await client.callTool({
      name: 'log_interrupt',
      arguments: { summary: 'Which retry policy applies to the gateway?', paths: [HUGE_PATH] },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/paths\[0\] is too long: at most 1000 characters/);
    expect(textOf(res).length).toBeLessThan(500); // the value is not echoed back
    expect(count(ctx)).toBe(0);
    const report = await client.callTool({ name: 'triage_report', arguments: {} });
    expect(report.isError, textOf(report)).toBeFalsy();
    await client.close();
  });

  it('a huge path stored before the limit existed never breaks triage or a later log_interrupt', async () => {
    const ctx = setup();
    // Rows as the unbounded door used to store them: a recurring cluster, whose paths triage_report matches
    // against the decision records.
    for (const hoursAgo of [3, 2]) {
      ctx.store.transaction(() =>
        storeEntry(
          ctx,
          prepareEntry(ctx, {
            kind: 'interrupt',
            category: 'missing_context',
            summary: 'Which idempotency key must a payment retry reuse?',
            paths: [HUGE_PATH, `src/payments/${HUGE_PATH}.ts`],
            source: 'agent',
            createdAt: NOW - hoursAgo * 3_600_000,
          }),
        ),
      )();
    }
    const client = await mcpClient(ctx);
    for (let i = 0; i < 2; i++) {
      const report = await client.callTool({ name: 'triage_report', arguments: {} });
      expect(report.isError, textOf(report)).toBeFalsy();
    }
    const logged = await client.callTool({
      name: 'log_interrupt',
      arguments: { summary: 'Must a payment retry reuse the idempotency key?', paths: ['src/payments/gateway.ts'] },
    });
    expect(logged.isError, textOf(logged)).toBeFalsy();
    await client.close();
  });

  it('answers invalid arguments field by field, each with its limit or type, without echoing values', async () => {
    const client = await mcpClient(setup());
    const res = await client.callTool({
      name: 'propose_adr',
      arguments: {
        title: 5,
        context: 'Retries charged twice.',
        decision: 'x'.repeat(20_001),
        options: [{ title: '' }],
        supersedes: -1,
        interrupt_ids: [0],
        dry_run: 'yes',
      },
    });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toBe(
      'invalid arguments for propose_adr: title must be a string, not a number; decision is too long: at most ' +
        '20000 characters; options[0].title is too short: at least 1 character; supersedes is too small: at least 0; ' +
        'interrupt_ids[0] is too small: more than 0 (and 1 more). Fix those fields and call again; tools/list gives ' +
        "every field's type and limits.",
    );
    const missing = await client.callTool({ name: 'log_interrupt', arguments: {} });
    expect(textOf(missing)).toMatch(/summary is required \(a string\)\. Fix that field/);
    await client.close();
  });

  it('a title search of a megabyte is refused at the door, not failed in SQLite as a bug', async () => {
    const client = await mcpClient(setup());
    const res = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'x%'.repeat(500_000) } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/incident is too long: at most 500 characters/);
    expect(textOf(res)).not.toMatch(/bug|LIKE or GLOB/);
    await client.close();
  });
});

describe('errors blame the right party (defect 9)', () => {
  it('answers arguments that are not an object with -32602 (invalid params), then serves the next call', async () => {
    const client = await mcpClient(setup());
    for (const bad of ['summary', [1, 2], 42, null]) {
      const call = client.request(
        { method: 'tools/call', params: { name: 'triage_report', arguments: bad as never } },
        CallToolResultSchema,
      );
      await expect(call).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/arguments/) });
    }
    const ok = await client.callTool({ name: 'triage_report', arguments: {} });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    await client.close();
  });

  it.skipIf(sqliteMechanism)(
    'a locked database asks for a retry, and the retry succeeds once the lock is gone',
    async () => {
      const ctx = setup();
      ctx.store.pragma('busy_timeout = 0'); // fail at once instead of after the 5 s wait
      const other = new Database(ctx.config.dbPath);
      other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
      const client = await mcpClient(ctx);
      const args = { summary: 'Which retry policy applies to the gateway?' };
      const busy = await client.callTool({ name: 'log_interrupt', arguments: args });
      expect(busy.isError).toBe(true);
      expect(textOf(busy)).toMatch(
        /is busy: another hindsight process is writing it \(SQLITE_BUSY\); retry in a moment/,
      );
      expect(textOf(busy)).not.toMatch(/bug/);
      other.exec('ROLLBACK');
      other.close();
      const retried = await client.callTool({ name: 'log_interrupt', arguments: args });
      expect(retried.isError, textOf(retried)).toBeFalsy();
      await client.close();
    },
  );

  it.skipIf(sqliteMechanism)('a read-only database says what to change, not that hindsight has a bug', async () => {
    const ctx = setup();
    ctx.store.close();
    const readOnly = createContext(ctx.config, { store: new Database(ctx.config.dbPath, { readonly: true }) });
    const client = await mcpClient(readOnly);
    const res = await client.callTool({ name: 'log_interrupt', arguments: { summary: 'Which retry policy applies?' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain(`the database ${ctx.config.dbPath} cannot be written (SQLITE_READONLY)`);
    expect(textOf(res)).toMatch(/make the file and its folder writable.*Retrying will not help until that is changed/s);
    expect(textOf(res)).not.toMatch(/hindsight bug/);
    await client.close();
  });

  it.skipIf(sqliteMechanism)('a newer schema is the operator’s to fix: it names the database and the upgrade', () => {
    const ctx = setup();
    ctx.store.pragma('user_version = 999');
    ctx.store.close();
    expect(() => openStore(ctx.config.dbPath)).toThrow(
      expect.objectContaining({ name: 'EnvironmentError', message: expect.stringMatching(/upgrade hindsight/) }),
    );
  });
});
