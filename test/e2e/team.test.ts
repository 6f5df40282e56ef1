import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { MAIN_JS, assertBuilt, runCli } from './cli.js';

describe('hindsight token and serve --http, through the built binary', () => {
  it("creates a token (printed once, last), serves /mcp to it, keeps two repositories ingested and answers from each one's files, stops on SIGTERM", async () => {
    assertBuilt();
    // Two repositories with their own decision records and module maps: a request that names one is answered
    // from its files, not the first --repo's.
    const repoFiles = (title: string, module: string) => ({
      'docs/adr/0001-decision.md': `# 1. ${title}\n\n## Status\n\nAccepted\n`,
      'hindsight.config.json': JSON.stringify({ modules: { [module]: ['src/**'] } }),
      'src/x.ts': '1\n',
    });
    const a = gitdir();
    a.commit({ files: repoFiles('Use Postgres', 'billing'), message: 'one in a' });
    const b = gitdir();
    b.commit({ files: repoFiles('Use Kafka', 'events'), message: 'one in b' });
    b.commit({ files: { 'b.ts': '2\n' }, message: 'two in b' });
    const db = join(tempDir('hindsight-team-'), 'h.db');

    const created = runCli(
      ['--db', db, 'token', 'create', '--agent', 'Claude', '--scope', 'read', '--expires', '90d'],
      {
        cwd: a.path,
      },
    );
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^hst_[0-9a-f]{16}_[\w-]{43}$/);
    const listed = runCli(['--db', db, 'token', 'list'], { cwd: a.path });
    expect(listed.stdout).toMatch(/claude {2}read {2}active/);
    expect(listed.stdout).not.toContain(token.slice(21));

    const child = spawn(
      process.execPath,
      [
        MAIN_JS,
        '--db',
        db,
        '--repo',
        a.path,
        'serve',
        '--http',
        '--port',
        '0',
        '--repo',
        b.path,
        '--ingest-interval',
        '0',
      ],
      { cwd: a.path, env: { ...process.env, HINDSIGHT_INCIDENT_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          const m = /receiver on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      for (let i = 0; i < 100 && (await fetch(`${url}/readyz`)).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const connect = async (query = '') => {
        const c = new Client({ name: 'e2e', version: '1' });
        await c.connect(
          new StreamableHTTPClientTransport(new URL(`${url}/mcp${query}`), {
            requestInit: { headers: { authorization: `Bearer ${token}` } },
          }),
        );
        return c;
      };
      const client = await connect();
      const { tools } = await client.listTools();
      expect(tools.every((t) => t.annotations?.readOnlyHint)).toBe(true);
      const seen = async (c: Client) => ({
        adrs: (await c.listResources()).resources
          .filter((r) => r.uri.startsWith('hindsight://adr/'))
          .map((r) => r.title),
        modules: (
          (await c.callTool({ name: 'change_risk', arguments: { paths: ['src/x.ts'] } })).structuredContent as {
            modules: { module: string }[];
          }
        ).modules.map((m) => m.module),
      });
      expect(await seen(client)).toEqual({ adrs: ['ADR-0001 Use Postgres'], modules: ['billing'] });
      const inB = await connect(`?repo=${basename(b.path)}`);
      expect(await seen(inB)).toEqual({ adrs: ['ADR-0001 Use Kafka'], modules: ['events'] });
      const unknown = await fetch(`${url}/mcp?repo=nope`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      expect(unknown.status).toBe(400);
      expect(await unknown.text()).toContain(
        `no repository named 'nope'; known: ${basename(a.path)}, ${basename(b.path)}`,
      );
      await client.close();
      await inB.close();
      for (let i = 0; i < 50 && !/tools\/list/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toMatch(
        new RegExp(`ingest ${a.path}: ingested 1 new commit[\\s\\S]*ingest ${b.path}: ingested 2`),
      );
      expect(stderr).toMatch(/POST \/mcp 200 \d+ms agent=claude tools\/list/);
      expect(stderr).not.toContain(token);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serves stdio with --read-only and --toolsets', async () => {
    assertBuilt();
    const g = gitdir();
    g.commit({ files: { 'a.ts': '1\n' }, message: 'one' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        MAIN_JS,
        '--db',
        join(tempDir('hindsight-ro-'), 'h.db'),
        'serve',
        '--no-ingest',
        '--read-only',
        '--toolsets',
        'attribution,triage',
      ],
      cwd: g.path,
      stderr: 'ignore',
    });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(['incident_suspects', 'my_deploy_impact', 'triage_report']);
      const refused = await client.callTool({ name: 'log_interrupt', arguments: { summary: 'where is it?' } });
      expect(refused.isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
