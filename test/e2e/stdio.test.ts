import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { gitdir } from '../helpers/gitdir.js';
import { textOf } from '../helpers/mcp.js';
import { MAIN_JS, assertBuilt } from './cli.js';

function repo() {
  const g = gitdir();
  g.commit({
    files: { 'src/payments/gateway.ts': 'export const TIMEOUT = 1;\n' },
    message: 'feat: gateway',
    date: '2026-03-01T10:00:00Z',
  });
  g.commit({
    files: { 'src/payments/gateway.ts': 'export const TIMEOUT = 2;\n' },
    message: 'perf: tune\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n',
    date: '2026-03-02T10:00:00Z',
  });
  return g;
}

async function connect(args: string[], cwd: string, stderr: string[]) {
  assertBuilt();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN_JS, ...args],
    cwd,
    env: { ...(process.env as Record<string, string>), HINDSIGHT_NOW: '2026-03-10T00:00:00Z' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('the built server over stdio', () => {
  it('with no command and no configuration: serves this repository with data/hindsight.db, banner on stderr', async () => {
    const g = repo();
    const stderr: string[] = [];
    const client = await connect([], g.path, stderr);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('my_deploy_impact');
    // the banner comes after the background ingest
    for (let i = 0; i < 100 && !stderr.join('').includes('data:'); i++) await new Promise((r) => setTimeout(r, 50));
    const banner = stderr.join('');
    expect(banner).toContain(join(g.path, 'data/hindsight.db'));
    expect(banner).toMatch(/2 commits, 0 deploys, 0 incidents/);
    expect(banner).toMatch(/claude mcp add hindsight/);
    expect(existsSync(join(g.path, 'data/hindsight.db'))).toBe(true);
    // identity from the client name: claude-code → commits co-authored by Claude
    const res = await client.callTool({ name: 'my_deploy_impact', arguments: {} });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({
      identity: { kind: 'agent', value: 'claude', source: 'client' },
      myCommits: 1,
    });
    await client.close();
  });

  it('answers a bad call with isError and a fix, and keeps serving', async () => {
    const g = repo();
    const client = await connect(['--db', join(g.path, 'x.db'), 'serve'], g.path, []);
    const bad = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'INC-9' } });
    expect(bad.isError).toBe(true);
    // The fix is printed the way this server was started (`node …/main.js` from a checkout, where `hindsight` is
    // not on PATH), and runs as printed in a shell.
    const hint = /import them with `([^`]+ ingest incidents) FILE`/.exec(textOf(bad))?.[1];
    expect(hint, textOf(bad)).toMatch(/^node \S*main\.js --repo /);
    const file = join(g.path, 'incidents.json');
    writeFileSync(file, JSON.stringify([{ id: 'INC-9', title: 'pay fails', started_at: '2026-03-05T00:00:00Z' }]));
    const run = spawnSync('sh', ['-c', `${hint} ${file}`], { cwd: tmpdir(), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const found = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'INC-9' } });
    expect(found.isError, textOf(found)).toBeFalsy();
    const invalid = await client.callTool({ name: 'change_risk', arguments: { paths: [] } });
    expect(invalid.isError).toBe(true);
    const ok = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/payments/gateway.ts'] } });
    expect(ok.isError).toBeFalsy();
    await client.close();
  });
});
