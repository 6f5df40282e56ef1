// `npm run bundle:mcpb`: the MCP bundle (.mcpb, manifest 0.3) for one-click installs in Claude Desktop and other
// MCPB hosts. The bundle is the built CLI (dist/bundle: every dependency but better-sqlite3 is inside it) plus
// better-sqlite3's runtime files and the native addon this machine built — so a bundle is for this platform, CPU
// and Node major (the manifest's compatibility says which); build one per target. The bundler's own validator
// checks the manifest before `mcpb pack`. Output: dist/hindsight-<version>-<platform>-<arch>.mcpb (not committed).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (!existsSync('dist/bundle/main.js')) throw new Error("dist/bundle/main.js is missing: run 'npm run build' first");
const stage = join('dist', 'mcpb');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

cpSync('dist/bundle', join(stage, 'server'), { recursive: true, filter: (f) => !f.endsWith('.map') });
// better-sqlite3 at run time: lib/, package.json, the addon, and `bindings` (which finds it) with its dependency
const runtime = {
  'better-sqlite3': ['package.json', 'lib', 'build/Release/better_sqlite3.node', 'LICENSE'],
  bindings: ['package.json', 'bindings.js', 'LICENSE.md'],
  'file-uri-to-path': ['package.json', 'index.js', 'LICENSE'],
};
for (const [name, files] of Object.entries(runtime)) {
  for (const f of files) {
    const from = join('node_modules', name, f);
    if (existsSync(from)) cpSync(from, join(stage, 'node_modules', name, f), { recursive: true });
  }
}

const { $schema: _schema, ...manifest } = JSON.parse(readFileSync('mcpb/manifest.json', 'utf8'));
const major = Number(process.versions.node.split('.')[0]);
manifest.version = pkg.version;
manifest.compatibility = {
  ...manifest.compatibility,
  platforms: [process.platform],
  runtimes: { node: `>=${major}.0.0 <${major + 1}.0.0` }, // the addon's ABI is per Node major
};
writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const mcpb = join('node_modules', '.bin', 'mcpb');
const out = join('dist', `hindsight-${pkg.version}-${process.platform}-${process.arch}.mcpb`);
execFileSync(mcpb, ['validate', join(stage, 'manifest.json')], { stdio: 'inherit' });
execFileSync(mcpb, ['pack', stage, out], { stdio: 'inherit' });
