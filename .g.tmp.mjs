import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { dirname, join, normalize } from 'node:path';
const files = execSync("git ls-files 'src/**/*.ts' 'src/*.ts'", { encoding: 'utf8' }).trim().split('\n');
const room = (f) => { const p = f.split('/'); return p.length > 2 ? (p[1] === 'mcp' && p[2]==='http' ? 'mcp/http' : p[1]) : f; };
const edges = new Map();
for (const f of files) {
  const src = readFileSync(f, 'utf8');
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const t = normalize(join(dirname(f), m[1])).replace(/\.js$/, '.ts');
    const a = room(f), b = room(t);
    if (a === b) continue;
    const k = `${a} -> ${b}`;
    edges.set(k, [...(edges.get(k) ?? []), `${f}→${t}`]);
  }
}
for (const [k, v] of [...edges].sort()) console.log(k, v.length, process.argv[2] ? v.join(' ') : '');
