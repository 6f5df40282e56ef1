// `npm run build` step 2: the CLI ships as one bundle (dist/bundle/main.js, plus a chunk per lazily loaded
// command or tool module) built from tsc's output in dist/. Why: Node 20 has no module compile cache and its
// loader costs ~1 ms per file, and a stdio server loads ~230 files before its first answer (zod alone is 116);
// bundling is what brings the cold start under @modelcontextprotocol/server-memory's (bench/FINDINGS.md, §3).
// better-sqlite3 stays external: a native addon. The API rather than the rolldown CLI: the CLI prints every chunk.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';

// Chunk names carry a content hash, so each build leaves the previous one's chunks behind. That is what keeps a
// server started from a checkout working through a rebuild (it imports its tool modules on first use, by the old
// names), but a package must not ship them (553 files after a few dozen builds): `prepare` (npm pack, publish, ci)
// passes --clean, and only then is the directory emptied first.
if (process.argv.includes('--clean')) rmSync('dist/bundle', { recursive: true, force: true });

// Every tool's tools/list entries, computed here from tsc's output by the function a server would run, go into the
// bundle in place of dist/mcp/tool-manifest.js: a served client's first tools/list then needs neither the tools'
// zod schemas nor their conversion, and the definitions load on the first call (src/mcp/tool-manifest.ts).
const distModule = (path) => import(pathToFileURL(resolve(path)).href);
const [{ allTools }, { toolListEntry }] = await Promise.all([
  distModule('dist/mcp/tools/index.js'),
  distModule('dist/mcp/tool-list.js'),
]);
const manifest = allTools.map((tool) => ({
  name: tool.name,
  annotations: tool.annotations,
  entries: { top: toolListEntry(tool, 'top'), full: toolListEntry(tool, 'full') },
}));
const manifestModule = resolve('dist/mcp/tool-manifest.js');
const toolManifest = {
  name: 'tool-manifest',
  load: (id) =>
    id === manifestModule
      ? `export const TOOL_MANIFEST = JSON.parse(${JSON.stringify(JSON.stringify(manifest))});`
      : undefined,
};

await build({
  input: { main: 'dist/cli/main.js' },
  platform: 'node',
  external: ['better-sqlite3'],
  plugins: [toolManifest],
  output: { dir: 'dist/bundle', format: 'esm', sourcemap: true },
  logLevel: 'warn',
});
