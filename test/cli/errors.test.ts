import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { MAIN_JS, assertBuilt, runCli } from '../e2e/cli.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { textOf } from '../helpers/mcp.js';

// Issue 13, defect 9: the exit code and the message say who acts — 2 the caller, 3 a retry or the environment,
// 1 a bug (the only one with a stack trace).

const STACK = /\n\s+at /;

function interruptsFile(rows: unknown[]): string {
  const file = join(tempDir(), 'interrupts.json');
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

const ROW = { kind: 'interrupt', summary: 'Which retry policy applies?', created_at: '2026-03-01T10:00:00Z' };

describe('CLI errors by who acts', () => {
  it('a database file that is not SQLite: exit 3, what to change, no stack trace', () => {
    const dir = tempDir();
    const db = join(dir, 'notes.db');
    writeFileSync(db, 'these are my notes, not a database\n'.repeat(200));
    const res = runCli(['--db', db, 'status'], { cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`the database ${db} is not a SQLite database (SQLITE_NOTADB): point --db`);
    expect(res.stderr).not.toMatch(STACK);
    expect(res.stderr).not.toMatch(/bug/);
  });

  it('a database of a newer hindsight: exit 3, upgrade or point elsewhere', () => {
    const dir = tempDir();
    const db = join(dir, 'h.db');
    const store = openStore(db);
    store.pragma('user_version = 999');
    store.close();
    const res = runCli(['--db', db, 'status'], { cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/has schema version 999, newer than this hindsight knows .*: upgrade hindsight/);
    expect(res.stderr).not.toMatch(STACK);
  });

  it('a database another process keeps locked: exit 3 and "retry", after the busy timeout', () => {
    const dir = tempDir();
    const db = join(dir, 'h.db');
    openStore(db).close();
    const other = new Database(db);
    other.exec('BEGIN IMMEDIATE');
    try {
      const res = runCli(['--db', db, 'interrupts', 'import', interruptsFile([ROW])], { cwd: dir });
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/is busy: another hindsight process is writing it \(SQLITE_BUSY\); retry in a moment/);
      expect(res.stderr).not.toMatch(STACK);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  }, 30_000);

  it('bad input exits 2: a usage error, and an import row over the limits (nothing written)', () => {
    const dir = tempDir();
    const db = join(dir, 'h.db');
    expect(runCli(['--db', db, 'status', '--no-such-flag'], { cwd: dir }).code).toBe(2);
    const huge = { ...ROW, paths: ['A'.repeat(100_000)], detail: 'x'.repeat(30_000) };
    const res = runCli(['--db', db, 'interrupts', 'import', interruptsFile([ROW, huge])], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/:1 paths\.0: a path is over 1000 characters; shorten it/);
    expect(res.stderr).toMatch(/:1 detail: detail is over 20000 characters; shorten it/);
    expect(res.stderr).not.toMatch(STACK);
    const store = new Database(db, { readonly: true });
    expect(store.prepare('SELECT count(*) AS n FROM interrupts').get()).toEqual({ n: 0 });
    store.close();
  });
});

describe('serve with a configuration it cannot run with (defect 10)', () => {
  it('still starts, lists its tools, and answers every call with the error and its fix', async () => {
    assertBuilt();
    const g = gitdir();
    g.commit({
      files: { 'hindsight.config.json': '{ "modules": { "payments": "src/payments/**" } }' },
      message: 'a config with a typo: a glob where a list belongs',
    });
    const stderr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN_JS, '--db', join(tempDir(), 'h.db'), 'serve'],
      cwd: g.path,
      env: process.env as Record<string, string>,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('change_risk');
    for (const name of ['change_risk', 'triage_report']) {
      const res = await client.callTool({ name, arguments: { paths: ['src/payments/gateway.ts'] } });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/hindsight cannot run: config file .*hindsight\.config\.json is invalid/);
      expect(textOf(res)).toMatch(/modules\.payments: .*Fix those keys/s);
    }
    await client.close();
    expect(stderr.join('')).toMatch(/serving on stdio anyway/);
  });
});
