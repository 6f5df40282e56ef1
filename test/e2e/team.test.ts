import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { freshPostgresUrl } from '../helpers/postgres.js';
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

    const { child, url, log, stop } = await serveHttp(
      ['--db', db, '--repo', a.path, 'serve', '--http', '--port', '0', '--repo', b.path, '--ingest-interval', '0'],
      { cwd: a.path, env: { HINDSIGHT_INCIDENT_TOKEN: '' } },
    );
    try {
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
      for (let i = 0; i < 50 && !/tools\/list/.test(log()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(log()).toMatch(new RegExp(`ingest ${a.path}: ingested 1 new commit[\\s\\S]*ingest ${b.path}: ingested 2`));
      expect(log()).toMatch(/POST \/mcp 200 \d+ms agent=claude tools\/list/);
      expect(log()).not.toContain(token);
      expect(await stop()).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it.each(['sqlite', 'postgres'])(
    "walks the README's team section on %s: two agent tokens, a deploy, an incident by webhook, each agent sees it in its own my_deploy_impact",
    async (engine) => {
      assertBuilt();
      // A repository where Claude (a co-author trailer) and Cursor (its own author) each changed the payments code.
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const g = gitdir();
      g.commit({
        files: {
          'src/payments/gateway.ts': 'export const t = 1;\n',
          'src/payments/charge.ts': 'export const c = 1;\n',
        },
        message: 'init',
        date: hoursAgo(50),
      });
      g.commit({
        files: { 'src/payments/gateway.ts': 'export const t = 2;\n' },
        message: 'perf(payments): shorter gateway timeout\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n',
        author: { name: 'Maya Chen', email: 'maya@acme.dev' },
        date: hoursAgo(3),
      });
      g.commit({
        files: { 'src/payments/charge.ts': 'export const c = 2;\n' },
        message: 'feat(payments): charge in cents',
        author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
        date: hoursAgo(2),
      });
      // The README's commands, in its order; only the port (a free one instead of 8787), the incident token's value
      // and the one repository differ.
      const env = {
        // PostgreSQL: the URL reaches the server (and its child ingest) only through the environment.
        HINDSIGHT_DB: engine === 'postgres' ? freshPostgresUrl() : join(tempDir('hindsight-readme-'), 'team.db'),
        HINDSIGHT_INCIDENT_TOKEN: 'incident-secret',
      };
      const cli = (args: string[]) => {
        const r = runCli(args, { cwd: g.path, env });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout.trim().split('\n').at(-1)!;
      };
      const tokenClaude = cli(['token', 'create', '--agent', 'claude', '--expires', '90d']);
      const tokenCursor = cli([
        'token',
        'create',
        '--agent',
        'cursor',
        '--scope',
        'read',
        '--scope',
        'log',
        '--scope',
        'propose',
      ]);
      const { child, url, stop } = await serveHttp(['serve', '--http', '--port', '0', '--repo', g.path], {
        cwd: g.path,
        env,
      });
      try {
        cli(['--repo', g.path, 'deploy', 'record', '--sha', 'main', '--status', 'success']);
        const delivered = await fetch(`${url}/webhooks/incident`, {
          method: 'POST',
          headers: { authorization: 'Bearer incident-secret', 'content-type': 'application/json' },
          body: JSON.stringify({
            id: 'INC-42',
            title: 'Checkout fails',
            started_at: new Date().toISOString(),
            files: ['src/payments/charge.ts', 'src/payments/gateway.ts'],
          }),
        });
        expect(delivered.status, await delivered.clone().text()).toBe(201);

        const impactOf = async (token: string) => {
          const client = new Client({ name: 'claude-code', version: '1' });
          await client.connect(
            new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
              requestInit: { headers: { authorization: `Bearer ${token}` } },
            }),
          );
          const res = await client.callTool({ name: 'my_deploy_impact', arguments: {} });
          await client.close();
          const impact = res.structuredContent as {
            identity: { value: string };
            deploys: { myCommits: { subject: string }[]; incidents: { id: string }[] }[];
          };
          return {
            me: impact.identity.value,
            commits: impact.deploys.flatMap((d) => d.myCommits.map((c) => c.subject)),
            incidents: impact.deploys.flatMap((d) => d.incidents.map((i) => i.id)),
          };
        };
        // Both connect with the same client name: who "me" is comes from the token alone.
        expect(await impactOf(tokenClaude)).toEqual({
          me: 'claude',
          commits: ['perf(payments): shorter gateway timeout'],
          incidents: ['INC-42'],
        });
        expect(await impactOf(tokenCursor)).toEqual({
          me: 'cursor',
          commits: ['feat(payments): charge in cents'],
          incidents: ['INC-42'],
        });
        expect(await stop()).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );

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

/** The built binary serving --http: once it listens and GET /readyz says ready (its first ingest is over). */
async function serveHttp(args: string[], o: { cwd: string; env: Record<string, string> }) {
  const child = spawn(process.execPath, [MAIN_JS, ...args], {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
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
  const stop = () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    return exited;
  };
  return { child, url, log: () => stderr, stop };
}
