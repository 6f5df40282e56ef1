import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { syntheticRepo } from '../../bench/gen-git.js';
import { tempDir } from '../helpers/gitdir.js';
import { MAIN_JS, assertBuilt } from './cli.js';

const COMMITS = 10_000;

/** The CLI as a child process, resolved with its exit code and output once it ends. */
function cli(args: string[], cwd: string) {
  const child = spawn(process.execPath, [MAIN_JS, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise<{ code: number | null; output: string }>((ok) =>
    child.on('close', (code) => ok({ code, output })),
  );
}

describe('the built server while its start-up ingest runs', () => {
  it('loses no write: every log_interrupt succeeds and is stored, and a concurrent CLI ingest exits 0', async () => {
    assertBuilt();
    const repo = await syntheticRepo(tempDir('hindsight-big-'), COMMITS, () => {});
    const db = join(tempDir('hindsight-db-'), 'h.db');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN_JS, '--db', db, '--repo', repo, 'serve'],
      cwd: repo,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(transport);
    await client.listTools(); // starts the ingest
    const ingestDone = () => /ingested \d+ new commit|git ingest failed/.test(stderr);

    // A second ingest of the same repository from another process, started while the server ingests.
    const second = cli(['--db', db, '--repo', repo, 'ingest', 'git'], repo);
    const acknowledged: number[] = [];
    const failures: string[] = [];
    let duringIngest = 0;
    const agent = async (n: number) => {
      // Stops at the first failures: on a lock wait each fails only after the busy timeout.
      for (let i = 0; !ingestDone() && failures.length < 3 && i < 200; i++) {
        const res = await client.callTool({
          name: 'log_interrupt',
          arguments: { summary: `agent ${n} needed the staging credentials (${i})`, paths: ['src/m01/file1.ts'] },
        });
        if (!ingestDone()) duringIngest++;
        if (res.isError) failures.push(JSON.stringify(res.content).slice(0, 300));
        else acknowledged.push((res.structuredContent as { id: number }).id);
      }
    };
    await Promise.all([agent(1), agent(2), agent(3)]);
    const cliRun = await second;
    for (let i = 0; i < 600 && !ingestDone(); i++) await new Promise((r) => setTimeout(r, 50));
    await client.close();

    expect(failures).toEqual([]);
    expect(duringIngest).toBeGreaterThanOrEqual(3);
    expect(stderr).toMatch(new RegExp(`ingested ${COMMITS} new commit`));
    expect(cliRun).toMatchObject({ code: 0 });
    expect(cliRun.output).toMatch(new RegExp(`${COMMITS} in the database`));
    const store = new Database(db, { readonly: true });
    const stored = store.prepare('SELECT id FROM interrupts ORDER BY id').pluck().all() as number[];
    expect(stored).toEqual([...acknowledged].sort((a, b) => a - b));
    expect(store.prepare('SELECT count(*) FROM commits').pluck().get()).toBe(COMMITS);
    store.close();
  }, 90_000);
});
