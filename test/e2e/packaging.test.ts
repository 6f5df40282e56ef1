import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../src/mcp/access.js';
import { allTools } from '../../src/mcp/tools/index.js';

// What the bundle's server lists: the default toolsets (delivery_metrics is opt-in).
const served = allTools.filter((t) => refusal(t, {}) === undefined).map((t) => t.name);
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { assertBuilt } from './cli.js';

const ROOT = join(import.meta.dirname, '../..');
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;
const pkg = json('package.json') as { name: string; version: string; mcpName: string };
const MCPB = join(ROOT, 'node_modules/.bin/mcpb');

interface AjvLike {
  compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown };
}
const require = createRequire(import.meta.url);
const { default: Ajv } = require('ajv') as { default: new (o: object) => AjvLike };
const { default: addFormats } = require('ajv-formats') as { default: (a: AjvLike) => void };

describe('server.json, for the official MCP registry', () => {
  it("is valid against the registry's schema and names this package, its version and its mcpName", () => {
    const server = json('server.json') as {
      $schema: string;
      name: string;
      version: string;
      packages: { registryType: string; identifier: string; version: string }[];
    };
    const schema = json('test/fixtures/schemas/server.schema.2025-12-11.json') as { $id: string };
    expect(server.$schema).toBe(schema.$id);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(server), JSON.stringify(validate.errors)).toBe(true);
    // the registry checks ownership by package.json's mcpName
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toEqual([
      expect.objectContaining({ registryType: 'npm', identifier: pkg.name, version: pkg.version }),
    ]);
  });
});

describe('the MCP bundle (.mcpb)', () => {
  it("passes the bundler's own validator and lists exactly the server's tools", () => {
    const out = execFileSync(MCPB, ['validate', join(ROOT, 'mcpb/manifest.json')], { encoding: 'utf8' });
    expect(out).toMatch(/validation passes/);
    const manifest = json('mcpb/manifest.json') as {
      manifest_version: string;
      version: string;
      tools: { name: string }[];
    };
    expect(manifest.manifest_version).toBe('0.3');
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.tools.map((t) => t.name)).toEqual(served);
  });

  it('built by `npm run bundle:mcpb`, unpacked, serves a real client as its manifest says to start it', async () => {
    assertBuilt();
    execFileSync('npm', ['run', 'bundle:mcpb'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
    const built = join(ROOT, `dist/hindsight-${pkg.version}-${process.platform}-${process.arch}.mcpb`);
    const dir = join(tempDir(), 'unpacked');
    execFileSync(MCPB, ['unpack', built, dir], { stdio: 'ignore' });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      server: { mcp_config: { command: string; args: string[] } };
    };
    const g = gitdir();
    g.commit({ files: { 'src/a.ts': 'export {};\n' }, message: 'feat: a', date: '2026-03-01T10:00:00Z' });
    const values: Record<string, string> = {
      __dirname: dir,
      'user_config.repo': g.path,
      'user_config.db': join(g.path, 'data/hindsight.db'),
    };
    const args = manifest.server.mcp_config.args.map((a) => a.replace(/\$\{([\w.]+)\}/g, (_, k: string) => values[k]!));
    // the host starts `node` itself; here it is the node running the tests, as the bundle targets this Node major
    expect(manifest.server.mcp_config.command).toBe('node');
    const transport = new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' });
    const client = new Client({ name: 'claude-ai', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(served);
      const res = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/a.ts'] } });
      expect(res.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  }, 120_000);
});
