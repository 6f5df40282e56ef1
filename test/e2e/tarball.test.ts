import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { assertBuilt } from './cli.js';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const OFFLINE = ['--offline', '--ignore-scripts', '--no-audit', '--no-fund'];

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
}

/**
 * What a user gets from `npm pack` → `npm install -g ./hindsight-mcp-….tgz` → `hindsight serve`, in a temp prefix
 * and offline. `npm install -g <tgz>` itself asks the registry for every dependency's metadata (it does not read
 * the tarball's npm-shrinkwrap.json for a local file), so the install is done in npm's own steps that need only
 * the cache `npm ci` filled: unpack, `npm ci --omit=dev` from the shipped npm-shrinkwrap.json, then
 * `npm install -g` of the unpacked folder, which links the `hindsight` bin into the prefix. `--ignore-scripts`
 * skips better-sqlite3's install script (a download attempt, then a ~2 minute compile); the addon this checkout
 * built is copied in instead — same package version (asserted), same Node.
 */
describe('the packed tarball, installed globally', () => {
  let bin = '';

  beforeAll(() => {
    // `npm test` builds first, so pack with --ignore-scripts (`prepare` would rebuild dist/ under the other e2e
    // tests' feet) and run the package's own prepack/postpack around it: they add npm-shrinkwrap.json
    assertBuilt();
    const dir = tempDir('hindsight-pack-');
    let packed: { filename: string; files: { path: string }[] }[];
    try {
      run('npm', ['run', 'prepack'], ROOT);
      packed = JSON.parse(
        run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT),
      ) as typeof packed;
    } finally {
      run('npm', ['run', 'postpack'], ROOT);
    }
    expect(packed[0]!.filename).toBe(`${pkg.name}-${pkg.version}.tgz`);
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/bundle/main.js', 'npm-shrinkwrap.json', 'package.json']));
    expect(
      files.filter(
        (f) => /\.mcpb$|^dist\/mcpb\//.test(f) || !/^(dist\/|package\.json$|npm-shrinkwrap\.json$|README\.md$)/.test(f),
      ),
    ).toEqual([]);

    const unpacked = join(dir, pkg.name);
    mkdirSync(unpacked);
    run('tar', ['xzf', join(dir, packed[0]!.filename), '-C', unpacked, '--strip-components=1'], dir);
    run('npm', ['ci', '--omit=dev', ...OFFLINE], unpacked);
    const sqlite = (root: string) => join(root, 'node_modules/better-sqlite3');
    const version = (root: string) =>
      (JSON.parse(readFileSync(join(sqlite(root), 'package.json'), 'utf8')) as { version: string }).version;
    expect(version(unpacked)).toBe(version(ROOT));
    const addon = 'build/Release/better_sqlite3.node';
    mkdirSync(join(sqlite(unpacked), 'build/Release'), { recursive: true });
    copyFileSync(join(sqlite(ROOT), addon), join(sqlite(unpacked), addon));
    const prefix = join(dir, 'prefix');
    run('npm', ['install', '-g', '--prefix', prefix, ...OFFLINE, unpacked], dir);
    bin = join(prefix, 'bin/hindsight');
  }, 300_000);

  it('its `hindsight` bin serves MCP over stdio to a real client', async () => {
    expect(existsSync(bin)).toBe(true);
    const g = gitdir();
    g.commit({ files: { 'src/a.ts': 'export {};\n' }, message: 'feat: a', date: '2026-03-01T10:00:00Z' });
    const transport = new StdioClientTransport({
      command: bin,
      args: ['serve', '--repo', g.path, '--db', join(g.path, 'h.db'), '--no-ingest'],
      cwd: g.path,
      stderr: 'pipe',
    });
    const stderr: string[] = [];
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['my_deploy_impact', 'change_risk']));
      // a call that reads the store: the native module loads in the installed tree
      const res = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/a.ts'] } });
      expect(res.isError, stderr.join('')).toBeFalsy();
      // the banner's connect line names the installed command (on PATH after a real `npm install -g`)
      for (let i = 0; i < 100 && !stderr.join('').includes('connect:'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(stderr.join('')).toContain('claude mcp add hindsight -- hindsight serve --repo');
    } finally {
      await client.close();
    }
  }, 60_000);
});
