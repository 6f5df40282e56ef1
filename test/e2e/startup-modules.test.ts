import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../src/mcp/access.js';
import { catalogOf } from '../../src/mcp/tool-catalog.js';
import { allTools } from '../../src/mcp/tools/index.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { MAIN_JS, assertBuilt } from './cli.js';

// What `hindsight serve` loads between spawn and its first tools/list answer (bench/FINDINGS.md §3: Node 20 compiles
// every module it loads, and the cold start is mostly that). Measured by module, not by time: the bundle's chunks
// Node loaded, each mapped through its source map to the modules inside it.

const ROOT = join(import.meta.dirname, '../..');
const TRACE = join(ROOT, 'test/fixtures/load-trace.mjs');

/** The modules (dist/… or a package's file) inside the loaded files a trace lists; builtins as node:… */
function modulesOf(urls: string[]): string[] {
  return urls.flatMap((url) => {
    if (url.startsWith('node:')) return [url];
    const file = fileURLToPath(url);
    const map = `${file}.map`;
    if (!existsSync(map)) return [relative(ROOT, file)];
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
    return sources.map((s) => relative(ROOT, resolve(dirname(file), s)));
  });
}

/** Modules a served client's first tools/list must not wait for: each has its own first use. */
const NOT_AT_START: readonly [RegExp, string][] = [
  [/^dist\/mcp\/tools\//, "the tools' definitions and zod schemas (listed from the build's manifest)"],
  [/^dist\/mcp\/(tool-list|run-tool|strict-input|tool-errors)\.js$/, 'the listing conversion and the call machinery'],
  [/^dist\/(ingest|attribution)\//, 'the start-up ingest (after the first tools/list)'],
  [/^dist\/(history|impact|triage|decisions)\//, 'domain code (tool handlers import it)'],
  [/^node:worker_threads$/, 'the PostgreSQL engine’s worker thread'],
];

describe('hindsight serve on stdio, from spawn to its first tools/list answer', () => {
  it('loads neither the tools’ definitions, the call machinery, the ingest nor domain code; their first use does', async () => {
    assertBuilt();
    const g = gitdir();
    g.commit({ files: { 'src/a.ts': 'export {};\n' }, message: 'feat: a', date: '2026-03-01T10:00:00Z' });
    const trace = join(tempDir(), 'loads.txt');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', TRACE, MAIN_JS, '--db', join(g.path, 'data/h.db'), '--repo', g.path, 'serve'],
      env: { ...(process.env as Record<string, string>), HINDSIGHT_LOAD_TRACE: trace },
      stderr: 'pipe',
    });
    const stderr: string[] = [];
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: 'claude-code', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    // the build's manifest lists what the definitions would: the same entries, computed here from the sources
    const listed = await catalogOf(allTools).listed();
    expect(tools).toEqual(listed.filter((t) => refusal(t, {}) === undefined).map((t) => t.entry('top')));
    const call = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/a.ts'] } });
    expect(call.isError).toBeFalsy();
    // the banner follows the start-up ingest
    for (let i = 0; i < 200 && !stderr.join('').includes('data:'); i++) await new Promise((r) => setTimeout(r, 50));
    await client.close();

    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    const at = lines.indexOf('LISTED');
    expect(at).toBeGreaterThan(0);
    const before = modulesOf(lines.slice(0, at));
    const after = modulesOf(lines.slice(at + 1));
    // the trace sees the server's own modules: an empty or broken trace cannot pass
    expect(before).toEqual(
      expect.arrayContaining(['dist/cli/main.js', 'dist/mcp/server.js', 'dist/mcp/tool-manifest.js']),
    );
    const loaded = NOT_AT_START.flatMap(([pattern, why]) =>
      before.filter((m) => pattern.test(m)).map((m) => `${m}: ${why}`),
    );
    expect(loaded).toEqual([]);
    // and each still loads at its first use: the call, the ingest after the list
    expect(after).toEqual(
      expect.arrayContaining(['dist/mcp/tools/change-risk.js', 'dist/mcp/run-tool.js', 'dist/ingest/git.js']),
    );
  });
});
