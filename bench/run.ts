// `npm run bench`: the five benchmarks of issue 6, attribution scaling (6, issue 13) and incremental attribution (7, issue 17), written to bench/RESULTS.md, each on SQLite
// and on PostgreSQL (issue 11: HINDSIGHT_BENCH_PG_URL, else an embedded server the bench starts; a fresh database
// per benchmark). Every figure is a ratio or a distribution against a baseline measured in the same run. Flags:
// --only 1,3 (benchmarks), --engine sqlite|postgres|both (default both), --quick (small scales, no git/git),
// --write-group N and --http-rounds N (benchmark 5 over HTTP: the server's group size against 1, alternated),
// --calls N and --max-seconds S (per tool, benchmark 2), --runs N (cold starts), --cold-baseline MAIN_JS (benchmark
// 3: another build's dist/bundle/main.js, e.g. main's, served on the same SQLite database in the same interleaved
// runs), --max-minutes M (benchmarks 6 and 7, per engine).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { AttributionScaleResult } from './attribution-scale.js';
import { Budgets, cellError, ENGINE_NAME, ENGINES, verdict, withoutCredentials, type Engine } from './budgets.js';
import { measureColdStart, type ColdStartTarget } from './cold-start.js';
import { connectStdio } from './mcp-client.js';
import { syntheticRepo } from './gen-git.js';
import { DENSE_45K, FULL_SCALE, orgDatabase, ORG_NOW, type OrgScale } from './gen-org.js';
import { INCREMENTAL_SCALE, type IncrementalResult, type Timed } from './incremental.js';
import { measureIngest } from './ingest.js';
import { measureToolLatency } from './latency.js';
import { benchPostgres, loadIntoPostgres, type BenchPostgres } from './postgres.js';
import { machine, median, ms, ratio, tokens, BYTES_PER_TOKEN } from './stats.js';
import { measureLargeAnswers, measureTokens, type TokenReport } from './tokens.js';
import { measureHttpWriters, type HttpWritersResult } from './http-writers.js';
import { measureWriters, type WritersResult } from './writers.js';

const ROOT = resolve(import.meta.dirname, '../../../..'); // bench/.work/build/bench → the project
const WORK = join(ROOT, 'bench/.work');
const MAIN_JS = join(ROOT, 'dist/bundle/main.js');
const MIRRORS = '/work/.mirror';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    calls: { type: 'string' },
    'max-seconds': { type: 'string' },
    runs: { type: 'string' },
    'cold-baseline': { type: 'string' },
    'write-group': { type: 'string', default: '64' },
    'http-rounds': { type: 'string' },
    'max-minutes': { type: 'string' },
    out: { type: 'string' },
    engine: { type: 'string', default: 'both' },
  },
});
if (!['sqlite', 'postgres', 'both'].includes(flags.engine!))
  throw new Error(`--engine ${flags.engine}: use sqlite, postgres or both`);
const engines: readonly Engine[] = flags.engine === 'both' ? ENGINES : [flags.engine as Engine];
const only = new Set((flags.only ?? '1,2,3,4,5,6,7').split(',').map((s) => Number(s.trim())));
const quick = flags.quick!;
const log = (m: string) => process.stderr.write(`${m}\n`);

const BUDGET = {
  ingestRatio: 1.2,
  noopMs: 1000,
  agentP99: 20,
  reportP99: 200,
  rssMb: 300,
  coldStartMs: 250,
  listTokens: 4000,
  answerTokens: 2000,
  writesPerSecond: 2000,
  /** attribution time per incident may grow at most this much per 10× incidents (linear: 1×) */
  attributionGrowth: 2,
  /** one new commit into an org-scale database: ingest and re-attribution */
  newCommitMs: 1000,
};
const budgets = new Budgets(engines);
let pg: BenchPostgres | undefined;
const DBS = join(WORK, 'db');

/** A new, empty database of `engine`: a SQLite path under bench/.work/db, or a new PostgreSQL database. */
async function freshDb(engine: Engine, label: string): Promise<string> {
  if (engine === 'postgres') return pg!.database(label);
  mkdirSync(DBS, { recursive: true });
  const path = join(DBS, `${label.replace(/[^\w.-]+/g, '-')}.db`);
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  return path;
}

/** A SQLite database's data in a fresh database of `engine` (a file copy, or loaded into PostgreSQL). */
async function copyOf(engine: Engine, sqlitePath: string, label: string): Promise<string> {
  const target = await freshDb(engine, label);
  if (engine === 'postgres') await loadIntoPostgres(sqlitePath, target, log);
  else copyFileSync(sqlitePath, target);
  return target;
}

/**
 * `measure` on each engine in turn. A failure on one engine (PostgreSQL while the store's SQL is being ported) is
 * recorded — a failed row in the budget table and a line under the section — and the run goes on.
 */
async function perEngine<T>(
  label: string,
  failures: string[],
  measure: (e: Engine) => Promise<T>,
): Promise<Partial<Record<Engine, T>>> {
  const out: Partial<Record<Engine, T>> = {};
  for (const e of engines) {
    log(`  on ${ENGINE_NAME[e]}`);
    try {
      out[e] = await measure(e);
    } catch (err) {
      log(`  ${label} failed on ${ENGINE_NAME[e]}: ${withoutCredentials((err as Error).stack ?? String(err))}`);
      budgets.fail(e, label, '', err);
      failures.push(`**${label} failed on ${ENGINE_NAME[e]}:** \`${cellError(err)}\``, '');
    }
  }
  return out;
}

/**
 * Benchmark 6 or 7 on `engine` in a child process (bench/in-child.ts), stopped after --max-minutes (default 20 with
 * --quick, else 180): an in-process run that stalls cannot be interrupted from its own thread.
 */
function inChild<T>(engine: Engine, kind: 'attribution' | 'incremental', options: object): Promise<T> {
  const limitMs = Number(flags['max-minutes'] ?? (quick ? 20 : 180)) * 60_000;
  const env = { ...process.env };
  delete env.HINDSIGHT_BENCH_PG_URL;
  if (engine === 'postgres') env.HINDSIGHT_BENCH_PG_URL = pg!.adminUrl;
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'in-child.js'), kind, JSON.stringify(options)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let said = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      process.stderr.write(b);
      said = (said + b.toString()).slice(-20_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') fail(new Error(`did not finish within ${limitMs / 60_000} min (stopped)`));
      else if (code !== 0) {
        const error = said.split('\n').findLast((l) => /^\w*Error: /.test(l));
        fail(new Error(`exited ${code}: ${error ?? 'see the bench log'}`));
      } else ok(JSON.parse(out) as T);
    });
  });
}

/** Detail-table rows in engine order, each with its engine's name first. */
function byEngine<T>(results: Partial<Record<Engine, T>>, row: (e: Engine, r: T) => string): string[] {
  return engines.flatMap((e) => (results[e] === undefined ? [] : [row(e, results[e]!)]));
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build (npm run bench does)`);
  const info = machine(ROOT);
  info.sqlite = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  if (engines.includes('postgres')) {
    pg = await benchPostgres(log);
    info.postgresql = pg.describe;
  }
  const sections: string[] = [];
  try {
    const demo = only.has(3) || only.has(4) ? buildDemo() : undefined;
    if (only.has(1)) sections.push(await ingestSection());
    if (only.has(2)) sections.push(await latencySection());
    if (only.has(3)) sections.push(await coldStartSection(demo!));
    if (only.has(4)) sections.push(await tokenSection(demo!));
    if (only.has(5)) sections.push(await writersSection());
    if (only.has(6)) sections.push(await attributionSection());
    if (only.has(7)) sections.push(await incrementalSection());
  } finally {
    await pg?.close();
    rmSync(DBS, { recursive: true, force: true });
  }

  const findings = join(ROOT, 'bench/FINDINGS.md');
  const doc = [
    '# Benchmark results',
    '',
    '_Written by `npm run bench` (bench/run.ts); edit bench/FINDINGS.md, not this file. Figures compare only within one run:',
    'the machine is shared and noisy, so every figure is a ratio or a distribution against a baseline measured in the same run._',
    '',
    '| | |',
    '| --- | --- |',
    ...Object.entries(info).map(([k, v]) => `| ${k} | ${v} |`),
    `| flags | ${process.argv.slice(2).join(' ') || '(none)'} |`,
    '',
    '## Budgets',
    '',
    ...budgets.render(),
    '',
    ...sections,
    existsSync(findings) ? readFileSync(findings, 'utf8') : '',
  ].join('\n');
  const out = flags.out ? resolve(flags.out) : join(ROOT, 'bench/RESULTS.md');
  writeFileSync(out, doc);
  // Formatted as the project's `prettier --check .` expects, so a fresh RESULTS.md never fails lint.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--write', out], {
    stdio: 'ignore',
  });
  log(`wrote ${out}`);
}

async function ingestSection(): Promise<string> {
  log('1. ingest vs git log');
  const repos: { name: string; path: string; rounds: number }[] = [];
  repos.push({
    name: `synthetic ${quick ? '20k' : '100k'}`,
    path: await syntheticRepo(WORK, quick ? 20_000 : 100_000, log),
    rounds: 3,
  });
  const express = join(MIRRORS, 'expressjs+express/repo');
  if (existsSync(express)) repos.push({ name: 'expressjs/express', path: express, rounds: 3 });
  const gitgit = join(MIRRORS, 'git+git/repo');
  if (!quick && existsSync(gitgit)) repos.push({ name: 'git/git', path: gitgit, rounds: 1 });
  const failures: string[] = [];
  const rows: string[] = [];
  for (const r of repos) {
    const label = `ingest-${r.name}`;
    const results = await perEngine(`1. ingest ${r.name}`, failures, (e) =>
      measureIngest({
        name: r.name,
        repo: r.path,
        mainJs: MAIN_JS,
        rounds: r.rounds,
        fresh: () => freshDb(e, label),
        log,
      }),
    );
    for (const e of engines) {
      const x = results[e];
      if (!x) continue;
      const noop = median(x.noopMs);
      budgets.add(e, `1. ingest ${x.repo}`, `≤ ${BUDGET.ingestRatio}× of git log`, {
        value: x.ratio,
        text: `${ratio(x.ratio)} of git log`,
        ok: x.ratio <= BUDGET.ingestRatio,
      });
      budgets.add(e, `1. no-op ${x.repo}`, `< ${BUDGET.noopMs} ms`, {
        value: noop,
        text: `${ms(noop)} ms`,
        ok: noop < BUDGET.noopMs,
      });
    }
    rows.push(
      ...byEngine(
        results,
        (e, x) =>
          `| ${x.repo} | ${ENGINE_NAME[e]} | ${x.commits} | ${x.runs} | ${(median(x.gitLogMs) / 1000).toFixed(2)} s | ${(median(x.ingestMs) / 1000).toFixed(2)} s | ${ratio(x.ratio)} | ${ms(median(x.noopMs))} ms | ${x.rssMb ? `${x.rssMb.toFixed(0)} MB` : '–'} |`,
      ),
    );
  }
  return [
    '## 1. Ingest against git’s own floor',
    '',
    '`hindsight ingest git` (the CLI, fresh database, node start-up included) against `git log --branches --tags --remotes HEAD',
    '-z --numstat -M` with the same format, drained by a reader, alternating in each round. No-op: the same command again on',
    'the up-to-date database (wall time of the whole CLI process). Peak RSS is the CLI process (PostgreSQL’s server is another).',
    '',
    '| repository | engine | commits | rounds | git log (median) | ingest (median) | ingest / git log | no-op re-ingest (median of 3) | peak RSS |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...failures,
  ].join('\n');
}

async function latencySection(): Promise<string> {
  log('2. tool latency at org scale');
  const scale: OrgScale = quick
    ? { commits: 100_000, deploys: 10_000, incidents: 5_000, interrupts: 50_000 }
    : FULL_SCALE;
  const cached = join(WORK, `org-${scale.commits}.db`);
  const catalog = orgDatabase(cached, scale, log);
  const repo = emptyRepo('org-repo');
  const calls = Number(flags.calls ?? (quick ? 200 : 1000));
  const maxSecondsPerTool = Number(flags['max-seconds'] ?? 150);
  const failures: string[] = [];
  // The writers among the tools add rows: each engine runs on a copy, so the cached database stays as generated.
  const results = await perEngine('2. tool latency', failures, async (e) =>
    measureToolLatency({
      maxSecondsPerTool,
      mainJs: MAIN_JS,
      dbPath: await copyOf(e, cached, 'org-run'),
      repoPath: repo,
      catalog,
      calls,
      log,
    }),
  );
  const lines = [
    '## 2. Tool latency at org scale',
    '',
    `Generated database: ${scale.commits.toLocaleString('en')} commits, ${scale.deploys.toLocaleString('en')} deploys, ` +
      `${scale.incidents.toLocaleString('en')} incidents, ${scale.interrupts.toLocaleString('en')} interrupts (bench/gen-org.ts: 12 repositories, ` +
      '240 Zipf-skewed modules — the hottest touched by ~23% of commits —, 30% agent or pair commits, incidents in bursts after bad deploys); ' +
      'on PostgreSQL the same rows loaded into a fresh database (bench/postgres.ts, then ANALYZE). ' +
      `The built server over stdio, real SDK client as \`claude-code\`, HINDSIGHT_NOW=${ORG_NOW}; ${calls} timed calls per tool with varied ` +
      `arguments after a warm-up, one at a time (a tool still running after ${maxSecondsPerTool} s stops there: n says how many). ` +
      'Baseline: JSON-RPC `ping` in the same session (the protocol floor inside every figure). RSS is the server process ' +
      '(PostgreSQL’s own memory is another process).',
    '',
    '| tool | kind | engine | n | p50 | p95 | p99 | max | p99 / ping p99 | budget (p99) | verdict | errors | server peak RSS after |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  const first = engines.map((e) => results[e]).find((r) => r !== undefined);
  for (const tool of first?.tools.map((t) => t.tool) ?? []) {
    for (const e of engines) {
      const res = results[e];
      const t = res?.tools.find((x) => x.tool === tool);
      if (!res || !t) continue;
      const budget = t.kind === 'report' ? BUDGET.reportP99 : BUDGET.agentP99;
      const ok = t.latency.p99 <= budget;
      lines.push(
        `| ${t.tool} | ${t.kind} | ${ENGINE_NAME[e]} | ${t.latency.n} | ${ms(t.latency.p50)} | ${ms(t.latency.p95)} | ${ms(t.latency.p99)} | ${ms(t.latency.max)} | ${ratio(t.latency.p99 / res.ping.p99)} | ${budget} ms | ${t.errors ? '❌ failed' : verdict(ok)} | ${t.errors} | ${t.rssMb ? `${t.rssMb.toFixed(0)} MB` : '–'} |`,
      );
      // An error answer is no latency figure: the tool failed on this engine (its first error is below the table).
      if (t.errors > 0)
        budgets.fail(e, `2. ${t.tool} p99`, `≤ ${budget} ms`, `${t.errors} calls (warm-up included) answered an error`);
      else
        budgets.add(e, `2. ${t.tool} p99`, `≤ ${budget} ms`, {
          value: t.latency.p99,
          text: `${ms(t.latency.p99)} ms`,
          ok,
        });
    }
  }
  lines.push(
    ...byEngine(
      results,
      (e, res) =>
        `| (ping) | floor | ${ENGINE_NAME[e]} | ${res.ping.n} | ${ms(res.ping.p50)} | ${ms(res.ping.p95)} | ${ms(res.ping.p99)} | ${ms(res.ping.max)} | 1.00× | | | | |`,
    ),
    '',
  );
  if (first?.skipped.length)
    lines.push(`Not timed (they write files into the repository; no hot path): ${first.skipped.join(', ')}.`, '');
  for (const e of engines) {
    const res = results[e];
    if (!res) continue;
    for (const t of res.tools.filter((x) => x.firstError))
      lines.push(`First error of ${t.tool} on ${ENGINE_NAME[e]}: \`${t.firstError}\``, '');
    const rss = res.rssMb;
    lines.push(
      `Server peak RSS (VmHWM) after all calls on ${ENGINE_NAME[e]}: ${rss ? `${rss.toFixed(0)} MB` : 'unknown'} (budget ≤ ${BUDGET.rssMb} MB).`,
      '',
    );
    budgets.add(e, '2. server peak RSS', `≤ ${BUDGET.rssMb} MB`, {
      value: rss ?? NaN,
      text: rss ? `${rss.toFixed(0)} MB` : '–',
      ok: (rss ?? Infinity) <= BUDGET.rssMb,
    });
  }
  lines.push(...failures);
  return lines.join('\n');
}

interface Demo {
  db: string;
  repo: string;
  now: string;
  paymentsIncident: string;
}

/** The demo scenario as `hindsight demo --json` builds it (fresh each run: the tools write into it). */
function buildDemo(): Demo {
  const dir = join(WORK, 'demo');
  rmSync(dir, { recursive: true, force: true });
  log('building the demo scenario (hindsight demo) …');
  const res = spawnSync(process.execPath, [MAIN_JS, 'demo', '--dir', dir, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) throw new Error(`hindsight demo failed: ${res.stderr.slice(-1000)}`);
  const out = JSON.parse(res.stdout) as {
    scenario: string;
    database: string;
    answers: { my_deploy_impact: { window: { until: string } }; incident_suspects: { incident: { id: string } } };
  };
  return {
    db: out.database,
    repo: out.scenario,
    now: out.answers.my_deploy_impact.window.until,
    paymentsIncident: out.answers.incident_suspects.incident.id,
  };
}

function emptyRepo(name: string): string {
  const dir = join(WORK, name);
  if (!existsSync(join(dir, '.git'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('git', ['init', '-q', dir]);
  }
  return dir;
}

const demoCopies = new Map<Engine, Promise<string>>();

/** The demo database on `engine`: the file `hindsight demo` built, or its rows in a PostgreSQL database. */
function demoDb(demo: Demo, e: Engine): Promise<string> {
  let db = demoCopies.get(e);
  if (!db) demoCopies.set(e, (db = e === 'sqlite' ? Promise.resolve(demo.db) : copyOf(e, demo.db, 'demo')));
  return db;
}

const serveName = (e: Engine) => `hindsight serve (${ENGINE_NAME[e]})`;

async function coldStartSection(demo: Demo): Promise<string> {
  log('3. cold start');
  const runs = Number(flags.runs ?? (quick ? 10 : 21));
  const failures: string[] = [];
  // Each engine's server is started once first: one that cannot start is reported, and the others still measured.
  const servers = await perEngine('3. cold start', failures, async (e) => {
    const server = {
      command: process.execPath,
      args: [MAIN_JS, '--db', await demoDb(demo, e), '--repo', demo.repo, 'serve'],
      env: { HINDSIGHT_NOW: demo.now },
    };
    const { client, stderr } = await connectStdio(server);
    try {
      await client.listTools();
    } catch (err) {
      throw new Error(`${(err as Error).message} ${stderr.join('').slice(-300)}`, { cause: err });
    } finally {
      await client.close();
    }
    return server;
  });
  const targets: ColdStartTarget[] = engines
    .filter((e) => servers[e])
    .map((e) => ({ name: serveName(e), server: servers[e]! }));
  const baseline = flags['cold-baseline'];
  if (baseline && servers.sqlite) {
    const [, ...args] = servers.sqlite.args;
    targets.push({
      name: 'baseline build: serve (SQLite)',
      server: { ...servers.sqlite, args: [resolve(baseline), ...args] },
    });
  }
  targets.push({
    name: 'SDK floor (1 tool)',
    server: { command: process.execPath, args: [join(import.meta.dirname, 'min-server.js')] },
  });
  const memory = resolveMemoryServer();
  // Its knowledge graph goes to a temp file: the reference server writes nothing into the project.
  const memoryFile = join(mkdtempSync(join(tmpdir(), 'hindsight-bench-memory-')), 'memory.jsonl');
  if (memory)
    targets.push({
      name: 'server-memory',
      server: { command: process.execPath, args: [memory], env: { MEMORY_FILE_PATH: memoryFile } },
    });
  const res = await measureColdStart(targets, runs);
  rmSync(dirname(memoryFile), { recursive: true, force: true });
  const reference = res.get('server-memory') ?? res.get('SDK floor (1 tool)')!;
  const refName = res.has('server-memory') ? 'server-memory' : 'the SDK floor';
  const lines = [
    '## 3. Cold start',
    '',
    `Process spawn → initialize → first \`tools/list\` answered, over stdio with the SDK client; ${runs} runs per server, interleaved, ` +
      'after one warm-up round. `hindsight serve` runs as users start it: the demo database, its repository, ingest on (a no-op,',
    'started after the first `tools/list`); on PostgreSQL the demo’s rows in their own database, so its start adds the worker',
    'thread, the connection and the schema check. The reference is `@modelcontextprotocol/server-memory` (same SDK, 9 tools); the one-tool',
    'server on the same SDK (bench/min-server.ts) shows the floor that loading the SDK and zod alone costs.',
    '',
    '| server | tools | median | p95 | max | median / ' + refName + ' |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[...res].map(
      ([name, d]) =>
        `| ${name} | ${d.tools} | ${ms(d.p50)} ms | ${ms(d.p95)} ms | ${ms(d.max)} ms | ${ratio(d.p50 / reference.p50)} |`,
    ),
    '',
    ...failures,
  ];
  if (!memory) {
    lines.push(
      '`@modelcontextprotocol/server-memory` is not installed (a devDependency the lead adds); until then the reference is a one-tool',
      'server on the same SDK (bench/min-server.ts), a stricter floor.',
      '',
    );
  }
  for (const e of engines) {
    const ours = res.get(serveName(e));
    if (!ours) continue;
    budgets.add(e, '3. cold start median', `≤ ${BUDGET.coldStartMs} ms`, {
      value: ours.p50,
      text: `${ms(ours.p50)} ms`,
      ok: ours.p50 <= BUDGET.coldStartMs,
    });
    budgets.add(
      e,
      `3. cold start vs ${refName}`,
      `≤ 1.00×${res.has('server-memory') ? '' : ' (of server-memory; floor shown)'}`,
      {
        value: ours.p50 / reference.p50,
        text: ratio(ours.p50 / reference.p50),
        ...(res.has('server-memory') ? { ok: ours.p50 <= reference.p50 } : {}),
      },
    );
  }
  return lines.join('\n');
}

function resolveMemoryServer(): string | undefined {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('@modelcontextprotocol/server-memory/dist/index.js');
  } catch {
    return undefined;
  }
}

/** Bytes as KB for the tables. */
const k = (b: number | undefined) => (b === undefined ? '–' : `${(b / 1024).toFixed(1)} KB`);

async function tokenSection(demo: Demo): Promise<string> {
  log('4. token budget');
  const failures: string[] = [];
  const results = await perEngine('4. token budget', failures, async (e) =>
    measureTokens(
      {
        command: process.execPath,
        args: [MAIN_JS, '--db', await demoDb(demo, e), '--repo', demo.repo, 'serve', '--no-ingest'],
        env: { HINDSIGHT_NOW: demo.now },
      },
      demo.paymentsIncident,
    ),
  );
  const answerTokens = (t: TokenReport['tools'][number]) =>
    t.textBytes === undefined ? undefined : tokens(Math.max(t.textBytes ?? 0, t.structuredBytes ?? 0));
  const shown = engines.find((e) => results[e]);
  const others = engines.filter((e) => e !== shown && results[e]);
  const lines = [
    '## 4. Token budget',
    '',
    `Sizes on the demo scenario, over stdio. Tokens ≈ bytes / ${BYTES_PER_TOKEN} (JSON and English; conservative next to the usual 4).`,
    `An answer counts as the larger of its text and its structured content (a client passes one or the other to the model).`,
    'The sizes are shown for the first engine; each other engine’s answer size sits beside it (the same answers on both engines',
    'give the same size).',
    '',
  ];
  for (const e of engines) {
    const res = results[e];
    if (!res) continue;
    lines.push(
      `**tools/list on ${ENGINE_NAME[e]}: ${res.listBytes.toLocaleString('en')} bytes ≈ ${res.listTokens.toLocaleString('en')} tokens** for ${res.tools.length} tools ` +
        `(budget ≤ ${BUDGET.listTokens.toLocaleString('en')} tokens: ${verdict(res.listTokens <= BUDGET.listTokens)}).`,
      '',
    );
    budgets.add(e, '4. tools/list', `≤ ${BUDGET.listTokens} tokens`, {
      value: res.listTokens,
      text: `${res.listTokens.toLocaleString('en')} tokens (${res.tools.length} tools)`,
      ok: res.listTokens <= BUDGET.listTokens,
    });
    const worst = Math.max(0, ...res.tools.map((t) => answerTokens(t) ?? 0));
    const errored = res.tools.filter((t) => t.error).map((t) => t.tool);
    // An error answer is short: the size budget is only met by answers.
    if (errored.length)
      budgets.fail(
        e,
        '4. largest default answer',
        `≤ ${BUDGET.answerTokens} tokens`,
        `${errored.length} tools answered an error (${errored.join(', ')})`,
      );
    else
      budgets.add(e, '4. largest default answer', `≤ ${BUDGET.answerTokens} tokens`, {
        value: worst,
        text: `${worst.toLocaleString('en')} tokens`,
        ok: worst <= BUDGET.answerTokens,
      });
  }
  if (shown) {
    const res = results[shown]!;
    lines.push(
      `| tool | in tools/list | description | input schema | output schema | default answer: text | structured | ≈ tokens | verdict${others.map((e) => ` | ≈ tokens on ${ENGINE_NAME[e]}`).join('')} |`,
      `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---${others.map(() => ' | ---:').join('')} |`,
    );
    for (const t of res.tools) {
      const tk = answerTokens(t);
      const beside = others.map((e) => {
        const o = results[e]!.tools.find((x) => x.tool === t.tool);
        const n = o && answerTokens(o);
        return ` | ${n ?? '–'}${o?.error ? ` (error: ${o.error.replace(/\|/g, '/').slice(0, 80)})` : ''}`;
      });
      lines.push(
        `| ${t.tool} | ${k(t.listBytes)} | ${t.descriptionBytes} B | ${k(t.inputSchemaBytes)} | ${k(t.outputSchemaBytes)} | ${k(t.textBytes)} | ${k(t.structuredBytes)} | ${tk ?? '–'} | ${tk === undefined ? 'not called' : verdict(tk <= BUDGET.answerTokens)}${t.error ? ` (error: ${t.error.replace(/\|/g, '/').slice(0, 80)})` : ''}${beside.join('')} |`,
      );
    }
    const listShare = res.tools.reduce((s, t) => s + t.outputSchemaBytes, 0) / res.listBytes;
    lines.push('', `Output schemas are ${(listShare * 100).toFixed(0)}% of tools/list.`, '');
  }
  lines.push(...failures);
  if (engines.includes('sqlite')) lines.push(...(await largeAnswers()));
  return lines.join('\n');
}

/**
 * The answer budget on a generated history the size of a 45k-commit repository (as test/mcp/token-budget-large.test.ts),
 * SQLite: the answers are the same on both engines (test/e2e/postgres.test.ts), so their sizes are too.
 */
async function largeAnswers(): Promise<string[]> {
  const dbPath = join(WORK, `org-dense-${DENSE_45K.commits}.db`);
  const catalog = orgDatabase(dbPath, DENSE_45K, log);
  const large = await measureLargeAnswers(
    {
      command: process.execPath,
      args: [MAIN_JS, '--db', dbPath, '--repo', emptyRepo('org-repo'), 'serve', '--no-ingest'],
      env: { HINDSIGHT_NOW: ORG_NOW },
    },
    catalog,
    quick ? 20 : 100,
    BUDGET.answerTokens * BYTES_PER_TOKEN,
  );
  const largest = Math.max(...large.map((r) => tokens(r.largest)));
  budgets.add('sqlite', '4. largest answer, generated 45k-commit history', `≤ ${BUDGET.answerTokens} tokens`, {
    value: largest,
    text: `${largest.toLocaleString('en')} tokens`,
    ok: largest <= BUDGET.answerTokens,
  });
  return [
    `On a generated history (${JSON.stringify(DENSE_45K)}), the read tools over bench/latency.ts's varied calls:`,
    '',
    '| tool | calls | largest answer | ≈ tokens | calls over 2k tokens | verdict |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...large.map(
      (r) =>
        `| ${r.tool} | ${r.calls} | ${k(r.largest)} | ${tokens(r.largest)} | ${r.over} | ${verdict(r.over === 0)} |`,
    ),
    '',
  ];
}

async function writersSection(): Promise<string> {
  log('5. many writers');
  const per = quick ? 150 : 500;
  const repo = emptyRepo('writers-repo');
  const failures: string[] = [];
  // The single writer writes the same total as 8 (the baseline of the budget row); 2, 4 and 8 processes write `per`
  // each, so writes/s across them shows whether adding processes adds throughput.
  const shapes = [
    { processes: 1, perProcess: per * 8 },
    { processes: 2, perProcess: per },
    { processes: 4, perProcess: per },
    { processes: 8, perProcess: per },
  ];
  const results = await perEngine('5. many writers', failures, async (e) => {
    const out: WritersResult[] = [];
    for (const s of shapes) {
      log(`    ${s.processes} × ${s.perProcess}`);
      out.push(await measureWriters({ db: await freshDb(e, 'writers'), repoPath: repo, ...s }));
    }
    return out;
  });
  // The team topology: 8 MCP clients over HTTP, one server. Its group commits against the same server writing
  // each call in its own transaction (HINDSIGHT_WRITE_GROUP=1, the behaviour before them), alternated.
  const group = Number(flags['write-group']);
  const rounds = Number(flags['http-rounds'] ?? (quick ? 2 : 3));
  const http = await perEngine('5. many writers over HTTP', failures, async (e) => {
    const out: HttpWritersResult[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const g of [1, group]) {
        log(`    HTTP, 8 clients × ${per}, group ${g} (round ${r + 1})`);
        const db = await freshDb(e, 'http-writers');
        out.push(
          await measureHttpWriters({ mainJs: MAIN_JS, db, repoPath: repo, clients: 8, perClient: per, group: g }),
        );
      }
    }
    return out;
  });
  const lines = [
    '## 5. Many writers',
    '',
    'Processes call `logInterrupt` (src/triage/interrupts.ts: redaction, category, module, full-text candidates and scoring',
    'from a snapshot, then one short IMMEDIATE transaction: insert, score what other writers added since, attach to the',
    'cluster) into one fresh database, all starting on one signal. SQLite: one file (WAL), the write lock awaited in short',
    'random sleeps (src/store/write-lock.ts). PostgreSQL: one database, each process its own connection; a writer takes',
    'a transaction-level advisory lock on its entry’s module (src/store/interrupts.ts: interruptWriteLock), so writers of',
    'different modules (6 here) run at once; writers of one day and category still meet at its rollup row from insert to commit.',
    `Baseline: one process writing ${(per * 8).toLocaleString('en')} (the 8 writers’ total) in the same run; 2, 4 and 8 processes write`,
    `${per} each. CPU per write counts every writer process (not PostgreSQL’s server): above the single writer’s, the`,
    'difference is contention (retries, re-scoring, a busy machine).',
    '',
    '| engine | writers | writes | rows at the end | errors | wall | writes/s | vs 1 writer | CPU per write |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const e of engines) {
    const rs = results[e];
    if (!rs) continue;
    const one = rs[0]!;
    const eight = rs.find((r) => r.processes === 8)!;
    lines.push(
      ...rs.map(
        (r) =>
          `| ${ENGINE_NAME[e]} | ${r.processes} | ${r.writes} | ${r.rows} | ${r.errors} | ${ms(r.ms)} ms | ${r.perSecond.toFixed(0)} | ${ratio(r.perSecond / one.perSecond)} | ${r.cpuPerWrite.toFixed(2)} ms |`,
      ),
    );
    for (const r of rs.filter((x) => x.firstError))
      failures.push(`${ENGINE_NAME[e]}, ${r.processes} writers: ${r.errors} errors, the first \`${r.firstError}\``, '');
    budgets.add(e, '5. 8 writers throughput', `≥ ${BUDGET.writesPerSecond} writes/s`, {
      value: eight.perSecond,
      text: `${eight.perSecond.toFixed(0)} writes/s`,
      ok: eight.perSecond >= BUDGET.writesPerSecond,
    });
    budgets.add(e, '5. 8 writers vs 1 writer', '(no budget)', {
      value: eight.perSecond / one.perSecond,
      text: ratio(eight.perSecond / one.perSecond),
    });
    const lost = rs.filter((r) => r.rows !== r.writes);
    budgets.add(e, '5. rows = writes (every shape)', 'equal', {
      value: eight.rows,
      text: lost.length
        ? lost.map((r) => `${r.processes}: ${r.rows} / ${r.writes}`).join(', ')
        : `${eight.rows} / ${eight.writes}`,
      ok: lost.length === 0,
    });
  }
  lines.push(
    '',
    `**Over HTTP** (issue 17): one \`serve --http\` process, 8 MCP clients (Streamable HTTP, each its own token, one call`,
    `in flight each) log ${per} interrupts each. The server commits the calls that arrive together in one transaction`,
    `(src/triage/write-queue.ts, at most ${group}); baseline: the same server with HINDSIGHT_WRITE_GROUP=1 (each call its`,
    'own transaction, as before), alternated in the same run. CPU per write: server and clients (the clients run in the',
    'bench process), then the server alone.',
    '',
    '| engine | round | group | writes | rows at the end | errors | wall | writes/s | vs group 1 | CPU per write | server CPU per write |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const e of engines) {
    const rs = http[e];
    if (!rs) continue;
    for (const [i, r] of rs.entries()) {
      const base = rs[i - (i % 2)]!;
      lines.push(
        `| ${ENGINE_NAME[e]} | ${Math.floor(i / 2) + 1} | ${r.group} | ${r.writes} | ${r.rows} | ${r.errors} | ${ms(r.ms)} ms | ${r.perSecond.toFixed(0)} | ${ratio(r.perSecond / base.perSecond)} | ${r.cpuPerWrite.toFixed(2)} ms | ${r.serverCpuPerWrite.toFixed(2)} ms |`,
      );
      if (r.firstError)
        failures.push(
          `${ENGINE_NAME[e]}, HTTP group ${r.group}: ${r.errors} errors, the first \`${r.firstError}\``,
          '',
        );
    }
    const grouped = rs.filter((r) => r.group !== 1);
    const single = rs.filter((r) => r.group === 1);
    const best = grouped.reduce((b, r) => (r.perSecond > b.perSecond ? r : b), grouped[0]!);
    const mean = (xs: HttpWritersResult[]) => xs.reduce((t, r) => t + r.perSecond, 0) / xs.length;
    budgets.add(e, '5. 8 MCP clients over HTTP, one server', `≥ ${BUDGET.writesPerSecond} writes/s`, {
      value: best.perSecond,
      text: `${best.perSecond.toFixed(0)} writes/s (best of ${grouped.length})`,
      ok: best.perSecond >= BUDGET.writesPerSecond,
    });
    budgets.add(e, '5. HTTP group commits vs one transaction per call', '(no budget)', {
      value: mean(grouped) / mean(single),
      text: `${ratio(mean(grouped) / mean(single))} (means)`,
    });
    const lost = rs.filter((r) => r.rows !== r.writes);
    budgets.add(e, '5. HTTP rows = writes (every round)', 'equal', {
      value: best.rows,
      text: lost.length ? lost.map((r) => `group ${r.group}: ${r.rows} / ${r.writes}`).join(', ') : 'yes',
      ok: lost.length === 0,
    });
  }
  lines.push('', ...failures);
  return lines.join('\n');
}

await main();

async function attributionSection(): Promise<string> {
  log('6. attribution against the number of incidents');
  const scale: OrgScale = quick
    ? { commits: 100_000, deploys: 10_000, incidents: 10_000, interrupts: 1_000 }
    : { commits: 1_000_000, deploys: 100_000, incidents: 100_000, interrupts: 1_000 };
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const failures: string[] = [];
  const growthLabel = (from: number, to: number) =>
    `6. attribution time per incident, ${from.toLocaleString('en')} → ${to.toLocaleString('en')} incidents`;
  // One child per size: a size that does not finish in time still leaves the smaller sizes' figures.
  const results = await perEngine('6. attribution', failures, async (e) => {
    const runs: AttributionScaleResult['runs'] = [];
    for (const [i, n] of sizes.entries()) {
      try {
        const r = await inChild<AttributionScaleResult>(e, 'attribution', {
          work: WORK,
          repo: emptyRepo('org-repo'),
          scale,
          sizes: [n],
        });
        runs.push(...r.runs);
      } catch (err) {
        if (runs.length === 0) throw err;
        failures.push(
          `**6. attribution of ${n.toLocaleString('en')} incidents on ${ENGINE_NAME[e]}:** ${cellError(err)}`,
          '',
        );
        budgets.fail(e, growthLabel(sizes[i - 1]!, n), `growth ≤ ${BUDGET.attributionGrowth}×`, err);
        break;
      }
    }
    return { scale, runs };
  });
  const lines = [
    '## 6. Attribution against the number of incidents',
    '',
    `Generated database (bench/gen-org.ts): ${scale.commits.toLocaleString('en')} commits, ${scale.deploys.toLocaleString('en')} ` +
      'deploys over three years; the first N of its incidents (they span the same three years, so incidents per day grow ' +
      'with N), without links and all pending, attributed from scratch in process by `refreshAttribution` (what ' +
      '`hindsight attribute` runs). Fixes are given as root causes: the repositories exist only in the database, so ' +
      'blaming a fix in git is not timed. No-op: the same call again with nothing pending. The growth compares CPU per ' +
      'incident on SQLite (one synchronous thread; the machine is shared) and wall time per incident on PostgreSQL (its ' +
      'server’s work is in another process, so this process’s CPU would leave it out).',
    '',
    '| engine | incidents | wall | CPU (this process) | per incident | its growth vs the previous size | links | no-op (wall) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const e of engines) {
    const res = results[e];
    if (!res) continue;
    let prev: { n: number; per: number } | undefined;
    for (const r of res.runs) {
      const per = (e === 'sqlite' ? r.cpuMs : r.ms) / r.incidents;
      const growth = prev ? per / prev.per : undefined;
      lines.push(
        `| ${ENGINE_NAME[e]} | ${r.incidents.toLocaleString('en')} | ${(r.ms / 1000).toFixed(1)} s | ${(r.cpuMs / 1000).toFixed(1)} s | ${ms(per)} ms ${e === 'sqlite' ? 'CPU' : 'wall'} | ${growth === undefined ? '–' : ratio(growth)} | ${r.links.toLocaleString('en')} | ${ms(r.noopMs)} ms |`,
      );
      if (growth !== undefined && prev)
        budgets.add(e, growthLabel(prev.n, r.incidents), `growth ≤ ${BUDGET.attributionGrowth}×`, {
          value: growth,
          text: ratio(growth),
          ok: growth <= BUDGET.attributionGrowth,
        });
      budgets.add(e, `6. attribution of ${r.incidents.toLocaleString('en')} incidents (wall)`, '(no budget)', {
        value: r.ms,
        text: `${(r.ms / 1000).toFixed(1)} s`,
      });
      prev = { n: r.incidents, per };
    }
  }
  lines.push('', ...failures);
  return lines.join('\n') + '\n';
}

async function incrementalSection(): Promise<string> {
  log('7. one new commit, deploy or incident');
  const runs = Number(flags.runs ?? (quick ? 3 : 5));
  const failures: string[] = [];
  const label = (scale: OrgScale) =>
    `7. one new commit into ${scale.commits.toLocaleString('en')} commits / ${scale.incidents} incidents`;
  const results = await perEngine(label(INCREMENTAL_SCALE), failures, (e) =>
    inChild<IncrementalResult>(e, 'incremental', { work: WORK, runs }),
  );
  const row = (e: Engine, what: string, t: Timed, full: number) =>
    `| ${ENGINE_NAME[e]} | ${what} | ${ms(median(t.ms))} ms | ${ms(Math.max(...t.ms))} ms | ${Math.min(...t.incidents)}–${Math.max(...t.incidents)} | ${ratio(full / median(t.ms))} |`;
  const any = engines.map((e) => results[e]).find((r) => r);
  const scale = any?.scale ?? INCREMENTAL_SCALE;
  const lines = [
    '## 7. One new commit, deploy or incident',
    '',
    `Generated database (bench/gen-org.ts): ${scale.commits.toLocaleString('en')} commits, ${scale.deploys.toLocaleString('en')} ` +
      `deploys, ${scale.incidents} incidents (fixes as root causes, as in 6), plus a real repository attached by a first ` +
      'ingest. Each round, interleaved: a full re-attribution of every incident (`hindsight attribute`); one new commit through ' +
      '`ingestGit` + `refreshAttribution` as `hindsight ingest git` runs them; the same with the rule new commits followed ' +
      'before (every incident of the last 90 days); one new production deploy (`recordDeploy` + refresh, an hour or more ' +
      'before now); one new incident (`importIncidents` + refresh). In process, wall time; ' +
      `${runs} rounds.`,
    '',
    '| engine | new data | median | max | incidents re-attributed | full re-attribution / median (speed-up) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const e of engines) {
    const res = results[e];
    if (!res) continue;
    const full = median(res.full.ms);
    lines.push(
      row(e, 'full re-attribution (baseline)', res.full, full),
      row(e, 'one new commit, previous rule (90 days)', res.previousCommit, full),
      row(e, 'one new commit', res.commit, full),
      row(e, 'one new deploy', res.deploy, full),
      row(e, 'one new incident', res.incident, full),
    );
    const commit = median(res.commit.ms);
    budgets.add(e, label(res.scale), `≤ ${BUDGET.newCommitMs} ms`, {
      value: commit,
      text: `${ms(commit)} ms`,
      ok: commit <= BUDGET.newCommitMs,
    });
  }
  lines.push('', ...failures);
  return lines.join('\n') + '\n';
}
