// `npm run bench`: the five benchmarks of issue 6, attribution scaling (6, issue 13) and incremental attribution (7, issue 17), written to bench/RESULTS.md. Every figure is a ratio or a
// distribution against a baseline measured in the same run. Flags: --only 1,3 (benchmarks), --quick (small
// scales, no git/git), --calls N and --max-seconds S (per tool, benchmark 2), --runs N (cold starts).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { measureAttributionScale } from './attribution-scale.js';
import { measureColdStart, type ColdStartTarget } from './cold-start.js';
import { syntheticRepo } from './gen-git.js';
import { DENSE_45K, FULL_SCALE, orgDatabase, ORG_NOW, type OrgScale } from './gen-org.js';
import { measureIncremental, type Timed } from './incremental.js';
import { measureIngest, type IngestResult } from './ingest.js';
import { measureToolLatency, type LatencyResult } from './latency.js';
import { machine, median, ms, ratio, tokens, BYTES_PER_TOKEN } from './stats.js';
import { measureLargeAnswers, measureTokens, type TokenReport } from './tokens.js';
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
    out: { type: 'string' },
  },
});
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
const verdict = (ok: boolean) => (ok ? '✅ met' : '❌ not met');

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build (npm run bench does)`);
  const info = machine(ROOT);
  info.sqlite = (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const sections: string[] = [];
  const summary: string[] = [];
  const demo = only.has(3) || only.has(4) ? buildDemo() : undefined;

  if (only.has(1)) sections.push(await ingestSection(summary));
  if (only.has(2)) sections.push(await latencySection(summary));
  if (only.has(3)) sections.push(await coldStartSection(demo!, summary));
  if (only.has(4)) sections.push(await tokenSection(demo!, summary));
  if (only.has(5)) sections.push(await writersSection(summary));
  if (only.has(6)) sections.push(await attributionSection(summary));
  if (only.has(7)) sections.push(await incrementalSection(summary));

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
    '| benchmark | figure | budget | verdict |',
    '| --- | --- | --- | --- |',
    ...summary,
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

async function ingestSection(summary: string[]): Promise<string> {
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
  const results: IngestResult[] = [];
  for (const r of repos)
    results.push(
      await measureIngest({ name: r.name, repo: r.path, mainJs: MAIN_JS, work: WORK, rounds: r.rounds, log }),
    );
  const lines = [
    '## 1. Ingest against git’s own floor',
    '',
    '`hindsight ingest git` (the CLI, fresh database, node start-up included) against `git log --branches --tags --remotes HEAD',
    '-z --numstat -M` with the same format, drained by a reader, alternating in each round. No-op: the same command again on',
    'the up-to-date database (wall time of the whole CLI process).',
    '',
    '| repository | commits | rounds | git log (median) | ingest (median) | ingest / git log | no-op re-ingest (median of 3) | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.repo} | ${r.commits} | ${r.runs} | ${(median(r.gitLogMs) / 1000).toFixed(2)} s | ${(median(r.ingestMs) / 1000).toFixed(2)} s | ${ratio(r.ratio)} | ${ms(median(r.noopMs))} ms | ${r.rssMb ? `${r.rssMb.toFixed(0)} MB` : '–'} |`,
    );
    summary.push(
      `| 1. ingest ${r.repo} | ${ratio(r.ratio)} of git log | ≤ ${BUDGET.ingestRatio}× | ${verdict(r.ratio <= BUDGET.ingestRatio)} |`,
    );
    summary.push(
      `| 1. no-op ${r.repo} | ${ms(median(r.noopMs))} ms | < ${BUDGET.noopMs} ms | ${verdict(median(r.noopMs) < BUDGET.noopMs)} |`,
    );
  }
  return lines.join('\n') + '\n';
}

async function latencySection(summary: string[]): Promise<string> {
  log('2. tool latency at org scale');
  const scale: OrgScale = quick
    ? { commits: 100_000, deploys: 10_000, incidents: 5_000, interrupts: 50_000 }
    : FULL_SCALE;
  const cached = join(WORK, `org-${scale.commits}.db`);
  const catalog = orgDatabase(cached, scale, log);
  // The writers among the tools add rows: run on a copy so the cached database stays as generated.
  const run = join(WORK, 'org-run.db');
  for (const s of ['', '-wal', '-shm']) rmSync(run + s, { force: true });
  copyFileSync(cached, run);
  const repo = emptyRepo('org-repo');
  const calls = Number(flags.calls ?? (quick ? 200 : 1000));
  const maxSecondsPerTool = Number(flags['max-seconds'] ?? 150);
  const res: LatencyResult = await measureToolLatency({
    maxSecondsPerTool,
    mainJs: MAIN_JS,
    dbPath: run,
    repoPath: repo,
    catalog,
    calls,
    log,
  });
  for (const s of ['', '-wal', '-shm']) rmSync(run + s, { force: true });
  const lines = [
    '## 2. Tool latency at org scale',
    '',
    `Generated database: ${scale.commits.toLocaleString('en')} commits, ${scale.deploys.toLocaleString('en')} deploys, ` +
      `${scale.incidents.toLocaleString('en')} incidents, ${scale.interrupts.toLocaleString('en')} interrupts (bench/gen-org.ts: 12 repositories, ` +
      '240 Zipf-skewed modules — the hottest touched by ~23% of commits —, 30% agent or pair commits, incidents in bursts after bad deploys). ' +
      `The built server over stdio, real SDK client as \`claude-code\`, HINDSIGHT_NOW=${ORG_NOW}; ${calls} timed calls per tool with varied ` +
      `arguments after a warm-up, one at a time (a tool still running after ${maxSecondsPerTool} s stops there: n says how many). ` +
      'Baseline: JSON-RPC `ping` in the same session (the protocol floor inside every figure).',
    '',
    '| tool | kind | n | p50 | p95 | p99 | max | p99 / ping p99 | budget (p99) | verdict | errors | server peak RSS after |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const t of res.tools) {
    const budget = t.kind === 'report' ? BUDGET.reportP99 : BUDGET.agentP99;
    const ok = t.latency.p99 <= budget;
    lines.push(
      `| ${t.tool} | ${t.kind} | ${t.latency.n} | ${ms(t.latency.p50)} | ${ms(t.latency.p95)} | ${ms(t.latency.p99)} | ${ms(t.latency.max)} | ${ratio(t.latency.p99 / res.ping.p99)} | ${budget} ms | ${verdict(ok)} | ${t.errors} | ${t.rssMb ? `${t.rssMb.toFixed(0)} MB` : '–'} |`,
    );
    summary.push(`| 2. ${t.tool} p99 | ${ms(t.latency.p99)} ms | ≤ ${budget} ms | ${verdict(ok)} |`);
  }
  lines.push(
    `| (ping) | floor | ${res.ping.n} | ${ms(res.ping.p50)} | ${ms(res.ping.p95)} | ${ms(res.ping.p99)} | ${ms(res.ping.max)} | 1.00× | | | | |`,
    '',
  );
  if (res.skipped.length)
    lines.push(`Not timed (they write files into the repository; no hot path): ${res.skipped.join(', ')}.`, '');
  for (const t of res.tools.filter((x) => x.firstError))
    lines.push(`First error of ${t.tool}: \`${t.firstError}\``, '');
  const rss = res.rssMb;
  lines.push(
    `Server peak RSS (VmHWM) after all calls: ${rss ? `${rss.toFixed(0)} MB` : 'unknown'} (budget ≤ ${BUDGET.rssMb} MB).`,
    '',
  );
  summary.push(
    `| 2. server peak RSS | ${rss ? `${rss.toFixed(0)} MB` : '–'} | ≤ ${BUDGET.rssMb} MB | ${verdict((rss ?? Infinity) <= BUDGET.rssMb)} |`,
  );
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

async function coldStartSection(demo: Demo, summary: string[]): Promise<string> {
  log('3. cold start');
  const runs = Number(flags.runs ?? (quick ? 10 : 21));
  const targets: ColdStartTarget[] = [
    {
      name: 'hindsight serve',
      server: {
        command: process.execPath,
        args: [MAIN_JS, '--db', demo.db, '--repo', demo.repo, 'serve'],
        env: { HINDSIGHT_NOW: demo.now },
      },
    },
    {
      name: 'SDK floor (1 tool)',
      server: { command: process.execPath, args: [join(import.meta.dirname, 'min-server.js')] },
    },
  ];
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
  const ours = res.get('hindsight serve')!;
  const reference = res.get('server-memory') ?? res.get('SDK floor (1 tool)')!;
  const refName = res.has('server-memory') ? 'server-memory' : 'the SDK floor';
  const lines = [
    '## 3. Cold start',
    '',
    `Process spawn → initialize → first \`tools/list\` answered, over stdio with the SDK client; ${runs} runs per server, interleaved, ` +
      'after one warm-up round. `hindsight serve` runs as users start it: the demo database, its repository, ingest on (a no-op,',
    'started after the first `tools/list`). The reference is `@modelcontextprotocol/server-memory` (same SDK, 9 tools); the one-tool',
    'server on the same SDK (bench/min-server.ts) shows the floor that loading the SDK and zod alone costs.',
    '',
    '| server | tools | median | p95 | max | median / ' + refName + ' |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[...res].map(
      ([name, d]) =>
        `| ${name} | ${d.tools} | ${ms(d.p50)} ms | ${ms(d.p95)} ms | ${ms(d.max)} ms | ${ratio(d.p50 / reference.p50)} |`,
    ),
    '',
  ];
  if (!memory) {
    lines.push(
      '`@modelcontextprotocol/server-memory` is not installed (a devDependency the lead adds); until then the reference is a one-tool',
      'server on the same SDK (bench/min-server.ts), a stricter floor.',
      '',
    );
  }
  summary.push(
    `| 3. cold start median | ${ms(ours.p50)} ms | ≤ ${BUDGET.coldStartMs} ms | ${verdict(ours.p50 <= BUDGET.coldStartMs)} |`,
  );
  summary.push(
    `| 3. cold start vs ${refName} | ${ratio(ours.p50 / reference.p50)} | ≤ 1.00×${res.has('server-memory') ? '' : ' (of server-memory; floor shown)'} | ${res.has('server-memory') ? verdict(ours.p50 <= reference.p50) : '–'} |`,
  );
  return lines.join('\n');
}

function resolveMemoryServer(): string | undefined {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('@modelcontextprotocol/server-memory/dist/index.js');
  } catch {
    return undefined;
  }
}

async function tokenSection(demo: Demo, summary: string[]): Promise<string> {
  log('4. token budget');
  const res: TokenReport = await measureTokens(
    {
      command: process.execPath,
      args: [MAIN_JS, '--db', demo.db, '--repo', demo.repo, 'serve', '--no-ingest'],
      env: { HINDSIGHT_NOW: demo.now },
    },
    demo.paymentsIncident,
  );
  const k = (b: number | undefined) => (b === undefined ? '–' : `${(b / 1024).toFixed(1)} KB`);
  const lines = [
    '## 4. Token budget',
    '',
    `Sizes on the demo scenario, over stdio. Tokens ≈ bytes / ${BYTES_PER_TOKEN} (JSON and English; conservative next to the usual 4).`,
    `An answer counts as the larger of its text and its structured content (a client passes one or the other to the model).`,
    '',
    `**tools/list: ${res.listBytes.toLocaleString('en')} bytes ≈ ${res.listTokens.toLocaleString('en')} tokens** for ${res.tools.length} tools ` +
      `(budget ≤ ${BUDGET.listTokens.toLocaleString('en')} tokens: ${verdict(res.listTokens <= BUDGET.listTokens)}).`,
    '',
    '| tool | in tools/list | description | input schema | output schema | default answer: text | structured | ≈ tokens | verdict |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  summary.push(
    `| 4. tools/list | ${res.listTokens.toLocaleString('en')} tokens (${res.tools.length} tools) | ≤ ${BUDGET.listTokens} | ${verdict(res.listTokens <= BUDGET.listTokens)} |`,
  );
  let worst = 0;
  for (const t of res.tools) {
    const answer = Math.max(t.textBytes ?? 0, t.structuredBytes ?? 0);
    const tk = t.textBytes === undefined ? undefined : tokens(answer);
    worst = Math.max(worst, tk ?? 0);
    lines.push(
      `| ${t.tool} | ${k(t.listBytes)} | ${t.descriptionBytes} B | ${k(t.inputSchemaBytes)} | ${k(t.outputSchemaBytes)} | ${k(t.textBytes)} | ${k(t.structuredBytes)} | ${tk ?? '–'} | ${tk === undefined ? 'not called' : verdict(tk <= BUDGET.answerTokens)}${t.error ? ` (error: ${t.error.replace(/\|/g, '/').slice(0, 80)})` : ''} |`,
    );
  }
  const listShare = res.tools.reduce((s, t) => s + t.outputSchemaBytes, 0) / res.listBytes;
  lines.push('', `Output schemas are ${(listShare * 100).toFixed(0)}% of tools/list.`, '');
  summary.push(
    `| 4. largest default answer | ${worst.toLocaleString('en')} tokens | ≤ ${BUDGET.answerTokens} | ${verdict(worst <= BUDGET.answerTokens)} |`,
  );
  // The same budget on a generated history the size of a 45k-commit repository (test/mcp/token-budget-large.test.ts).
  const dbPath = join(WORK, `org-dense-${DENSE_45K.commits}.db`);
  const catalog = orgDatabase(dbPath, DENSE_45K, log);
  const budgetBytes = BUDGET.answerTokens * BYTES_PER_TOKEN;
  const large = await measureLargeAnswers(
    {
      command: process.execPath,
      args: [MAIN_JS, '--db', dbPath, '--repo', emptyRepo('org-repo'), 'serve', '--no-ingest'],
      env: { HINDSIGHT_NOW: ORG_NOW },
    },
    catalog,
    quick ? 20 : 100,
    budgetBytes,
  );
  lines.push(
    `On a generated history (${JSON.stringify(DENSE_45K)}), the read tools over bench/latency.ts's varied calls:`,
    '',
    '| tool | calls | largest answer | ≈ tokens | calls over 2k tokens | verdict |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...large.map(
      (r) =>
        `| ${r.tool} | ${r.calls} | ${k(r.largest)} | ${tokens(r.largest)} | ${r.over} | ${verdict(r.over === 0)} |`,
    ),
    '',
  );
  const largest = Math.max(...large.map((r) => tokens(r.largest)));
  summary.push(
    `| 4. largest answer, generated 45k-commit history | ${largest.toLocaleString('en')} tokens | ≤ ${BUDGET.answerTokens} | ${verdict(largest <= BUDGET.answerTokens)} |`,
  );
  return lines.join('\n');
}

async function writersSection(summary: string[]): Promise<string> {
  log('5. many writers');
  const per = quick ? 150 : 500;
  const repo = emptyRepo('writers-repo');
  const eight: WritersResult = await measureWriters({ work: WORK, repoPath: repo, processes: 8, perProcess: per });
  const one: WritersResult = await measureWriters({ work: WORK, repoPath: repo, processes: 1, perProcess: per * 8 });
  const lines = [
    '## 5. Many writers',
    '',
    'Processes call `logInterrupt` (src/triage/interrupts.ts: redaction, category, module, full-text candidates and scoring',
    'from a snapshot, then one short IMMEDIATE transaction: insert, score what other writers added since, attach to the',
    'cluster) into one fresh database (WAL), all starting on one signal; the write lock is awaited in short random sleeps',
    '(src/store/write-lock.ts). Baseline: one process writing the same total in the same run. CPU per write counts every',
    'writer process: above the single writer’s, the difference is contention (retries, re-scoring, a busy machine).',
    '',
    '| writers | writes | rows at the end | errors | wall | writes/s | vs 1 writer | CPU per write |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[eight, one].map(
      (r) =>
        `| ${r.processes} | ${r.writes} | ${r.rows} | ${r.errors} | ${ms(r.ms)} ms | ${r.perSecond.toFixed(0)} | ${ratio(r.perSecond / one.perSecond)} | ${r.cpuPerWrite.toFixed(2)} ms |`,
    ),
    '',
  ];
  summary.push(
    `| 5. 8 writers throughput | ${eight.perSecond.toFixed(0)} writes/s | ≥ ${BUDGET.writesPerSecond} | ${verdict(eight.perSecond >= BUDGET.writesPerSecond)} |`,
  );
  summary.push(
    `| 5. rows = writes | ${eight.rows} / ${eight.writes} | equal | ${verdict(eight.rows === eight.writes)} |`,
  );
  return lines.join('\n');
}

await main();

async function attributionSection(summary: string[]): Promise<string> {
  log('6. attribution against the number of incidents');
  const scale: OrgScale = quick
    ? { commits: 100_000, deploys: 10_000, incidents: 10_000, interrupts: 1_000 }
    : { commits: 1_000_000, deploys: 100_000, incidents: 100_000, interrupts: 1_000 };
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const res = await measureAttributionScale({ work: WORK, repo: emptyRepo('org-repo'), scale, sizes, log });
  const lines = [
    '## 6. Attribution against the number of incidents',
    '',
    `Generated database (bench/gen-org.ts): ${scale.commits.toLocaleString('en')} commits, ${scale.deploys.toLocaleString('en')} ` +
      'deploys over three years; the first N of its incidents (they span the same three years, so incidents per day grow ' +
      'with N), without links and all pending, attributed from scratch in process by `refreshAttribution` (what ' +
      '`hindsight attribute` runs). Fixes are given as root causes: the repositories exist only in the database, so ' +
      'blaming a fix in git is not timed. No-op: the same call again with nothing pending.',
    '',
    '| incidents | wall | CPU | CPU per incident | its growth vs the previous size | links | no-op (wall) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  let prev: { n: number; per: number } | undefined;
  for (const r of res.runs) {
    // CPU time, not wall time: the machine is shared, and attribution is one synchronous thread (no git here).
    const per = r.cpuMs / r.incidents;
    const growth = prev ? per / prev.per : undefined;
    lines.push(
      `| ${r.incidents.toLocaleString('en')} | ${(r.ms / 1000).toFixed(1)} s | ${(r.cpuMs / 1000).toFixed(1)} s | ${ms(per)} ms | ${growth === undefined ? '–' : ratio(growth)} | ${r.links.toLocaleString('en')} | ${ms(r.noopMs)} ms |`,
    );
    if (growth !== undefined && prev)
      summary.push(
        `| 6. attribution CPU per incident, ${prev.n.toLocaleString('en')} → ${r.incidents.toLocaleString('en')} incidents | ${ratio(growth)} | ≤ ${BUDGET.attributionGrowth}× | ${verdict(growth <= BUDGET.attributionGrowth)} |`,
      );
    prev = { n: r.incidents, per };
  }
  return lines.join('\n') + '\n';
}

async function incrementalSection(summary: string[]): Promise<string> {
  log('7. one new commit, deploy or incident');
  const runs = Number(flags.runs ?? (quick ? 3 : 5));
  const res = await measureIncremental({ work: WORK, runs, log });
  const full = median(res.full.ms);
  const row = (what: string, t: Timed) =>
    `| ${what} | ${ms(median(t.ms))} ms | ${ms(Math.max(...t.ms))} ms | ${Math.min(...t.incidents)}–${Math.max(...t.incidents)} | ${ratio(full / median(t.ms))} |`;
  const lines = [
    '## 7. One new commit, deploy or incident',
    '',
    `Generated database (bench/gen-org.ts): ${res.scale.commits.toLocaleString('en')} commits, ${res.scale.deploys.toLocaleString('en')} ` +
      `deploys, ${res.scale.incidents} incidents (fixes as root causes, as in 6), plus a real repository attached by a first ` +
      'ingest. Each round, interleaved: a full re-attribution of every incident (`hindsight attribute`); one new commit through ' +
      '`ingestGit` + `refreshAttribution` as `hindsight ingest git` runs them; the same with the rule new commits followed ' +
      'before (every incident of the last 90 days); one new production deploy (`recordDeploy` + refresh, an hour or more ' +
      'before now); one new incident (`importIncidents` + refresh). In process, wall time; ' +
      `${runs} rounds.`,
    '',
    '| new data | median | max | incidents re-attributed | full re-attribution / median (speed-up) |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('full re-attribution (baseline)', res.full),
    row('one new commit, previous rule (90 days)', res.previousCommit),
    row('one new commit', res.commit),
    row('one new deploy', res.deploy),
    row('one new incident', res.incident),
    '',
  ];
  const commit = median(res.commit.ms);
  summary.push(
    `| 7. one new commit into ${res.scale.commits.toLocaleString('en')} commits / ${res.scale.incidents} incidents | ${ms(commit)} ms | ≤ ${BUDGET.newCommitMs} ms | ${verdict(commit <= BUDGET.newCommitMs)} |`,
  );
  return lines.join('\n') + '\n';
}
