import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pick, rng, skewed } from './stats.js';

/** Bump when the generated history changes, so cached repositories are rebuilt. */
const GENERATOR_VERSION = 2;

const HUMANS = Array.from({ length: 40 }, (_, i) => ({ name: `Dev ${i}`, email: `dev${i}@acme.dev` }));
const AGENT_AUTHORS = [
  { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
  { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com' },
  { name: 'renovate[bot]', email: '29139614+renovate[bot]@users.noreply.github.com' },
];
const VERBS = ['fix', 'feat', 'refactor', 'perf', 'chore', 'test', 'docs'];
const WORDS = ['timeout', 'retry', 'cache', 'gateway', 'session', 'token', 'limit', 'parser', 'queue', 'index'];

/**
 * A deterministic synthetic history built with `git fast-import` (bare repository): skewed module activity,
 * human, agent and pair authors, merges, renames, tags. Cached under `dir` by commit count and version.
 */
export async function syntheticRepo(dir: string, commits: number, log: (m: string) => void): Promise<string> {
  const path = join(dir, `synthetic-${commits}.git`);
  const stamp = join(path, 'hindsight-bench-version');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === `${GENERATOR_VERSION}`) return path;
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  const init = spawnSync('git', ['init', '--bare', '-q', '-b', 'main', path]);
  if (init.status !== 0) throw new Error(`git init failed: ${init.stderr}`);
  log(`generating a ${commits}-commit repository with git fast-import …`);
  const started = performance.now();
  const child = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: path, stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<void>((ok, fail) =>
    child.on('close', (code) => (code === 0 ? ok() : fail(new Error(`git fast-import exited ${code}`)))),
  );
  let buffered: string[] = [];
  let size = 0;
  const flush = async () => {
    if (!child.stdin.write(buffered.join(''))) await new Promise((r) => child.stdin.once('drain', r));
    buffered = [];
    size = 0;
  };
  const emit = async (s: string) => {
    buffered.push(s);
    size += s.length;
    if (size > 1 << 20) await flush();
  };
  for (const chunk of fastImportStream(commits)) await emit(chunk);
  await emit('done\n');
  await flush();
  child.stdin.end();
  await exited;
  writeFileSync(stamp, `${GENERATOR_VERSION}`);
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return path;
}

const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;

function* fastImportStream(total: number): Generator<string> {
  const random = rng(42);
  const modules = Array.from({ length: 80 }, (_, i) => ({
    name: `m${String(i).padStart(2, '0')}`,
    files: Array.from({ length: 5 + Math.floor(random() * 35) }, (_, j) => `file${j}.ts`),
  }));
  // Per-path line versions; content is regenerated from them, so a change edits one line of ten.
  const versions = new Map<string, number[]>();
  const content = (path: string, bump: number) => {
    const v = versions.get(path) ?? new Array<number>(10).fill(0);
    v[bump % 10]!++;
    versions.set(path, v);
    return `// ${path}\n${v.map((n, i) => `export const k${i} = ${n};`).join('\n')}\n`;
  };
  let at = Date.parse('2019-01-01T00:00:00Z') / 1000;
  let mark = 0;
  const mainMarks: number[] = [];
  for (let i = 0; i < total; i++) {
    at += 60 + Math.floor(random() * (random() < 0.1 ? 20_000 : 2_400));
    const roll = random();
    const human = pick(random, HUMANS);
    const author = roll < 0.08 ? pick(random, AGENT_AUTHORS) : human;
    const coauthor = roll >= 0.08 && roll < 0.3 ? '\nCo-authored-by: Claude <noreply@anthropic.com>\n' : '';
    const m = modules[skewed(random, modules.length)]!;
    const sweeping = random() < 0.004;
    const nFiles = sweeping ? 60 : 1 + skewed(random, 6);
    const ops: string[] = [];
    const touched = new Set<string>();
    for (let f = 0; f < nFiles; f++) {
      const mod = f === 0 || random() < 0.6 ? m : modules[skewed(random, modules.length)]!;
      const file = mod.files[skewed(random, mod.files.length)]!;
      const path = `src/${mod.name}/${file}`;
      if (touched.has(path)) continue;
      touched.add(path);
      if (random() < 0.002 && !sweeping) {
        // A rename with a small edit: exercises -M and the rename branch of the numstat parser.
        const next = `renamed${i}.ts`;
        const to = `src/${mod.name}/${next}`;
        mod.files[mod.files.indexOf(file)] = next;
        versions.set(to, versions.get(path) ?? new Array<number>(10).fill(0));
        versions.delete(path);
        ops.push(`D ${path}\n`, `M 100644 inline ${to}\n${data(content(to, i))}`);
      } else {
        ops.push(`M 100644 inline ${path}\n${data(content(path, i + f))}`);
      }
    }
    const subject = `${pick(random, VERBS)}(${m.name}): ${pick(random, WORDS)} ${pick(random, WORDS)} #${i}`;
    const who = (p: { name: string; email: string }) => `${p.name} <${p.email}> ${at} +0000`;
    const merge = i > 10 && i % 40 === 0;
    if (merge) {
      // A topic commit from a few commits back, merged into main now.
      mark++;
      yield (
        `commit refs/heads/topic\nmark :${mark}\nauthor ${who(human)}\ncommitter ${who(human)}\n` +
        data(`feat(${m.name}): topic work #${i}\n`) +
        `from :${mainMarks[mainMarks.length - 5]}\n` +
        ops.join('')
      );
      const side = mark;
      mark++;
      yield (
        `commit refs/heads/main\nmark :${mark}\nauthor ${who(human)}\ncommitter ${who(human)}\n` +
        data(`Merge branch 'topic' #${i}\n`) +
        `from :${mainMarks[mainMarks.length - 1]}\nmerge :${side}\n`
      );
      mainMarks.push(mark);
      i++; // the topic commit counts
    } else {
      mark++;
      yield (
        `commit refs/heads/main\nmark :${mark}\nauthor ${who(author)}\ncommitter ${who(author)}\n` +
        data(`${subject}\n\nWhy: ${pick(random, WORDS)} under load.\n${coauthor}`) +
        (mainMarks.length ? `from :${mainMarks[mainMarks.length - 1]}\n` : '') +
        ops.join('')
      );
      mainMarks.push(mark);
    }
    if (mainMarks.length % 500 === 0) yield `reset refs/tags/v${mainMarks.length / 500}\nfrom :${mark}\n\n`;
  }
}
