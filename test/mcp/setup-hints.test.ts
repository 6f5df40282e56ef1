import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allTools } from '../../src/mcp/tools/index.js';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { mcpClient, textOf } from '../helpers/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MAIN_JS, assertBuilt, runCli } from '../e2e/cli.js';

// Issues 12 and 15: an answer that is empty because something was never set up says what is missing and the exact
// line that adds it. Each printed line is run here with the real CLI — it must parse, and it must fix the answer.

/** A call of each tool whose answer needs some set-up; a tool added with `needs` must be added here. */
const CALLS: Record<string, Record<string, unknown>> = {
  my_deploy_impact: { author: 'ada@example.com' },
  change_risk: { paths: ['src/pay.ts'] },
  module_incident_history: { path: 'src/pay.ts' },
  incident_suspects: { incident: 'INC-1' },
  delivery_metrics: {},
};

async function setup() {
  const g = gitdir();
  const sha = g.commit({ files: { 'src/pay.ts': 'export const pay = 1;\n' }, message: 'pay' });
  g.git('tag', 'v1.0');
  const db = join(tempDir(), 'h.db');
  const ctx = testContext(g.path, { dbPath: db });
  return { g, sha, db, ctx, client: await mcpClient(ctx) };
}

type Answer = { setup?: string[] };

/** The command between backticks in a hint that starts with `hindsight <words>`, as shell words. */
function commandIn(hint: string, words: string): string[] {
  const line = [...hint.matchAll(/`(hindsight [^`]+)`/g)].map((m) => m[1]!).find((c) => c.includes(words));
  expect(line, `${words} in: ${hint}`).toBeDefined();
  const argv = [...line!.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  expect(argv[0]).toBe('hindsight');
  return argv.slice(1);
}

describe('answers that are empty for want of set-up', () => {
  it('say what is missing with a line that, run as printed, fixes it', async () => {
    const { g, sha, db, client } = await setup();
    const needing = allTools.filter((t) => t.needs?.length).map((t) => t.name);
    expect(Object.keys(CALLS).sort()).toEqual([...needing].sort());
    const call = async (name: string) => {
      const res = await client.callTool({ name, arguments: CALLS[name]! });
      return { res, setup: (res.structuredContent as Answer | undefined)?.setup ?? [], text: textOf(res) };
    };

    // Nothing ingested: every tool that reads history says so, with the line that ingests this repository.
    for (const name of needing.filter((n) => n !== 'incident_suspects')) {
      const { res, setup: missing, text } = await call(name);
      expect(res.isError, `${name}: ${text}`).toBeFalsy();
      expect(missing.join('\n'), name).toContain(`\`hindsight --repo ${g.path} --db ${db} ingest git\``);
      expect(text, name).toMatch(/^set-up missing: repository .* has no commits ingested/);
    }
    const hint = (await call('change_risk')).setup.join('\n');
    expect(runCli(commandIn(hint, 'ingest git'), { cwd: tempDir() }).code).toBe(0);
    expect((await call('change_risk')).setup.join('\n')).not.toContain('no commits ingested');

    // No deploys: the release-tag line and the CD-step line both run as printed.
    const deploys = (await call('delivery_metrics')).setup.join('\n');
    expect(deploys).toContain('no deploys recorded yet');
    const fromTags = runCli(commandIn(deploys, 'ingest deploys'), { cwd: tempDir() });
    expect(fromTags.code, fromTags.stderr).toBe(0);
    const record = commandIn(deploys.replace('$SHA', sha), 'deploy record');
    expect(runCli(record, { cwd: tempDir() }).code).toBe(0);
    expect((await call('delivery_metrics')).setup).toEqual([]);

    // No incidents: incident_suspects is an error naming the import line; the others carry it as set-up.
    const suspects = await call('incident_suspects');
    expect(suspects.res.isError).toBe(true);
    const file = join(tempDir(), 'incidents.json');
    writeFileSync(file, JSON.stringify([{ id: 'INC-1', title: 'pay fails', started_at: '2026-01-01T00:00:00Z' }]));
    const incidents = (await call('change_risk')).setup.join('\n');
    expect(incidents).toContain('no incidents recorded yet');
    const imported = runCli(
      commandIn(incidents, 'ingest incidents').map((w) => (w === 'FILE' ? file : w)),
      { cwd: tempDir() },
    );
    expect(imported.code, imported.stderr).toBe(0);
    // The GitHub line needs the network: it must at least not be a usage error (exit 2).
    const github = commandIn(incidents, 'ingest github').map((w) => (w === 'OWNER/NAME' ? 'acme/shop' : w));
    const gh = runCli([...github, '--base-url', 'http://127.0.0.1:9'], { cwd: tempDir(), env: { GITHUB_TOKEN: 'x' } });
    expect(gh.code, gh.stderr).not.toBe(2);
    for (const name of needing) {
      const { res, setup: missing, text } = await call(name);
      expect(res.isError, `${name}: ${text}`).toBeFalsy();
      expect(missing, name).toEqual([]);
      expect(text, name).not.toContain('set-up missing');
    }
    await client.close();
  }, 120_000);

  it('answer an env or service no deploy names with the known ones, in every tool that takes them', async () => {
    const { g, sha, db, client } = await setup();
    expect(runCli(['--repo', g.path, '--db', db, 'ingest', 'git'], { cwd: g.path }).code).toBe(0);
    for (const env of ['production', 'staging']) {
      const args = ['--repo', g.path, '--db', db, 'deploy', 'record', '--sha', sha, '--status', 'success'];
      expect(runCli([...args, '--env', env, '--service', 'api'], { cwd: g.path }).code).toBe(0);
    }
    const calls = [
      { name: 'my_deploy_impact', arguments: { author: 'ada@example.com', env: 'prod' } },
      { name: 'delivery_metrics', arguments: { env: 'prod' } },
      { name: 'delivery_metrics', arguments: { service: 'web' } },
    ];
    for (const c of calls) {
      const res = await client.callTool(c);
      expect(res.isError, c.name).toBe(true);
      expect(textOf(res)).toMatch(/known: (production, staging|api)/);
    }
    await client.close();
  });

  it('tell a path that is not in the repository from one with no history yet', async () => {
    const { g, db, client } = await setup();
    expect(runCli(['--repo', g.path, '--db', db, 'ingest', 'git'], { cwd: g.path }).code).toBe(0);
    writeFileSync(join(g.path, 'src/new.ts'), 'export {};\n');
    const res = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/paay.ts', 'src/new.ts'] } });
    const text = textOf(res);
    expect(text).toContain(`not in the repository: src/paay.ts (no such file in ${g.path}; check the spelling)`);
    expect(text).toContain('no commit or incident names src/new.ts: misspelt, a new file');
    const history = await client.callTool({ name: 'module_incident_history', arguments: { path: 'src/paay.ts' } });
    expect((history.structuredContent as { notes: string[] }).notes).toContain(
      `not in the repository: src/paay.ts (no such file in ${g.path}; check the spelling)`,
    );
    const known = await client.callTool({ name: 'module_incident_history', arguments: { path: 'src/pay.ts' } });
    expect(textOf(known)).not.toContain('not in the repository');
    await client.close();
  });

  it('a --repo that does not exist reaches a real client and its stderr, not as "Connection closed"', async () => {
    assertBuilt();
    const missing = join(tempDir(), 'no-such-repo');
    const stderr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN_JS, '--db', join(tempDir(), 'h.db'), '--repo', missing, 'serve'],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(transport);
    const res = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/a.ts'] } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain(`repository ${missing} does not exist; pass --repo PATH`);
    await client.close();
    expect(stderr.join('')).toContain(`repository ${missing} does not exist; pass --repo PATH`);
  });
});
