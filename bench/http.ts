// `npm run bench:http`: issue 10's concurrency figures for `serve --http`, written to bench/RESULTS-http.md.
// The built server runs in its own process and ingests a 10k-commit repository (a round asked for with POST
// /admin/ingest, run in a child process) while 8 agents, each with its own token, log interrupts over /mcp and a
// ninth times read tools.
// Then the same load with no ingest running, for comparison. Flags: --commits N, --after-seconds S.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { startWebhookServer } from '../src/webhooks/server.js';
import { syntheticRepo } from './gen-git.js';
import { distribution, machine, ms, type Distribution } from './stats.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const WORK = join(ROOT, 'bench/.work');
const MAIN_JS = join(ROOT, 'dist/bundle/main.js');
const WRITERS = 8;
const READS = ['my_deploy_impact', 'change_risk', 'module_incident_history'] as const;

const { values: flags } = parseArgs({
  options: { commits: { type: 'string', default: '10000' }, 'after-seconds': { type: 'string', default: '10' } },
});
const log = (m: string) => process.stderr.write(`${m}\n`);

interface Phase {
  seconds: number;
  writes: number;
  writeErrors: string[];
  writeMs: Distribution;
  readMs: Distribution;
  readErrors: string[];
  /** the latencies behind writeMs and readMs */
  samples: { write: number[]; read: number[] };
}

async function main(): Promise<void> {
  const dir = join(WORK, 'http');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const repo = await syntheticRepo(WORK, Number(flags.commits), log);
  const db = join(dir, 'team.db');
  const token = (agent: string, scope = 'log') => {
    const args = ['--db', db, 'token', 'create', '--agent', agent, '--scope', 'read', '--scope', scope];
    const res = spawnSync(process.execPath, [MAIN_JS, ...args], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(res.stderr);
    return res.stdout.trim().split('\n').at(-1)!;
  };
  const tokens = Array.from({ length: WRITERS }, (_, i) => token(`agent-${i + 1}`));
  const readerToken = token('reader');
  const adminToken = token('ops', 'admin');

  const server = spawn(
    process.execPath,
    [MAIN_JS, '--db', db, '--repo', repo, 'serve', '--http', '--port', '0', '--no-ingest'],
    { env: { ...process.env, HINDSIGHT_INCIDENT_TOKEN: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const url = await new Promise<string>((ok, fail) => {
    server.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /receiver on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) ok(m[1]!);
    });
    server.on('exit', (code) => fail(new Error(`server exited ${code}: ${stderr}`)));
  });
  try {
    const connect = async (t: string) => {
      const c = new Client({ name: 'bench', version: '1' });
      await c.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${t}` } },
        }),
      );
      return c;
    };
    const writers = await Promise.all(tokens.map(connect));
    const reader = await connect(readerToken);
    // The load starts first; the ingest round is asked for once it runs, and the phase lasts until it is over.
    const ingested = () => /hindsight: ingest .*(ingested|failed)/.test(stderr);
    log(`load during the ingest of ${flags.commits} commits …`);
    const started = performance.now();
    setTimeout(() => {
      void fetch(`${url}/admin/ingest`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    }, 500);
    const during = await load(writers, reader, () => Promise.resolve(!ingested()));
    const ingestSeconds = (performance.now() - started) / 1000;
    log(`load with no ingest running (${flags['after-seconds']} s) …`);
    const until = performance.now() + Number(flags['after-seconds']) * 1000;
    const after = await load(writers, reader, () => Promise.resolve(performance.now() < until));
    for (const c of [...writers, reader]) await c.close();
    server.kill('SIGTERM');
    await new Promise((done) => server.once('exit', done));

    const stored = (
      new Database(db, { readonly: true }).prepare('SELECT count(*) AS n FROM interrupts').get() as { n: number }
    ).n;
    const acknowledged = during.writes + after.writes;
    const commits = (
      new Database(db, { readonly: true }).prepare('SELECT count(*) AS n FROM commits').get() as { n: number }
    ).n;
    log('servers reused against one built per request …');
    const compared = await reuseComparison(db, repo, tokens, readerToken);
    const info = machine(ROOT);
    const row = (name: string, p: Phase) =>
      `| ${name} | ${p.seconds.toFixed(1)} | ${p.writes} | ${(p.writes / p.seconds).toFixed(0)} | ${ms(p.writeMs.p50)} / ${ms(p.writeMs.p99)} | ${p.readMs.n} | ${ms(p.readMs.p50)} / ${ms(p.readMs.p99)} / ${ms(p.readMs.max)} | ${p.writeErrors.length + p.readErrors.length} |`;
    const text = [
      '# serve --http under load (issue 10)',
      '',
      `Machine: ${Object.entries(info)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. Generated by \`npm run bench:http\` (bench/http.ts).`,
      '',
      `One \`hindsight serve --http\` process; an ingest round (POST /admin/ingest; a child process, ${commits} commits stored) runs`,
      `while ${WRITERS} MCP clients over Streamable HTTP, each with its own token, call \`log_interrupt\` back to back`,
      `and a ninth calls ${READS.map((r) => `\`${r}\``).join(', ')} in turn. Then the same load with no ingest running.`,
      '',
      '| phase | seconds | writes acknowledged | writes/s | write ms p50 / p99 | reads | read ms p50 / p99 / max | failed calls |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      row(`during ingest (${ingestSeconds.toFixed(1)} s)`, during),
      row('no ingest', after),
      '',
      `Ingest: ${/hindsight: ingest [^\n]*/.exec(stderr)?.[0] ?? 'no log line'}`,
      '',
      '## What a request costs: servers reused, or one built per request',
      '',
      `/mcp answers each request with a server reused per access profile (src/mcp/http/pool.ts); before, it built one per`,
      `request. Both ways in one process over the same database (no ingest), the same ${WRITERS} writers and reader switching`,
      `between them every ${ROUND_SECONDS} s for ${ROUNDS} rounds each, so the machine's load weighs on both alike (the`,
      'clients run in the same process, so absolute figures are lower than with the server on its own):',
      '',
      '| /mcp | seconds | writes acknowledged | writes/s | write ms p50 / p99 | reads | read ms p50 / p99 / max | failed calls |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...compared.map(([name, p]) => row(name, p)),
      '',
      `Every acknowledged write stored: ${stored === acknowledged ? 'yes' : 'NO'} (${acknowledged} acknowledged, ${stored} rows).`,
      `Lock errors (SQLITE_BUSY / "locked"): ${[...during.writeErrors, ...after.writeErrors, ...during.readErrors, ...after.readErrors].filter((e) => /busy|locked/i.test(e)).length}.`,
      ...[...new Set([...during.writeErrors, ...during.readErrors, ...after.writeErrors, ...after.readErrors])]
        .slice(0, 5)
        .map((e) => `- error: ${e}`),
      '',
    ].join('\n');
    writeFileSync(join(ROOT, 'bench/RESULTS-http.md'), text);
    process.stdout.write(text);
  } finally {
    server.kill('SIGTERM');
  }
}

const ROUNDS = 3;
const ROUND_SECONDS = 3;

/** The same load against a server that reuses its MCP servers and one that builds one per request, alternating. */
async function reuseComparison(
  db: string,
  repo: string,
  writerTokens: string[],
  readerToken: string,
): Promise<[string, Phase][]> {
  const ctx = createContext(loadConfig({ cwd: repo, env: {}, flags: { db, repo } }), { log: () => {} });
  const variants = [
    { name: 'servers reused', reuseServers: true },
    { name: 'a server built per request', reuseServers: false },
  ];
  const phases: Phase[][] = variants.map(() => []);
  const started = await Promise.all(
    variants.map((v) => startWebhookServer(ctx, { port: 0, mcp: { access: {}, reuseServers: v.reuseServers } })),
  );
  try {
    const clients = await Promise.all(
      started.map(async (s) => ({
        writers: await Promise.all(writerTokens.map((t) => connectTo(s.url, t))),
        reader: await connectTo(s.url, readerToken),
      })),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, c] of clients.entries()) {
        const until = performance.now() + ROUND_SECONDS * 1000;
        phases[i]!.push(await load(c.writers, c.reader, () => Promise.resolve(performance.now() < until)));
      }
    }
    for (const c of clients) for (const client of [...c.writers, c.reader]) await client.close();
  } finally {
    for (const s of started) await s.close();
    ctx.store.close();
  }
  return variants.map((v, i) => [v.name, merge(phases[i]!)]);
}

async function connectTo(url: string, token: string): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return c;
}

/** Rounds of one variant as one phase: their samples together. */
function merge(rounds: Phase[]): Phase {
  return {
    seconds: rounds.reduce((t, p) => t + p.seconds, 0),
    writes: rounds.reduce((t, p) => t + p.writes, 0),
    writeErrors: rounds.flatMap((p) => p.writeErrors),
    readErrors: rounds.flatMap((p) => p.readErrors),
    writeMs: distribution(rounds.flatMap((p) => p.samples.write)),
    readMs: distribution(rounds.flatMap((p) => p.samples.read)),
    samples: { write: rounds.flatMap((p) => p.samples.write), read: rounds.flatMap((p) => p.samples.read) },
  };
}

/** 8 writers and one reader, until `go()` says stop (checked between calls). */
async function load(writers: Client[], reader: Client, go: () => Promise<boolean>): Promise<Phase> {
  const started = performance.now();
  let running = true;
  const watcher = (async () => {
    while (running && (await go())) await new Promise((r) => setTimeout(r, 100));
    running = false;
  })();
  const writeMs: number[] = [];
  const readMs: number[] = [];
  const writeErrors: string[] = [];
  const readErrors: string[] = [];
  let n = 0;
  const writer = async (c: Client, w: number) => {
    for (let i = 0; running; i++) {
      const t = performance.now();
      try {
        const res = await c.callTool({
          name: 'log_interrupt',
          arguments: {
            summary: `Needed the retry policy for queue ${i % 50} before changing the ${w}th worker`,
            paths: [`src/m${i % 20}/worker.ts`],
            task_id: `w${w}-${i}`,
          },
        });
        if (res.isError) writeErrors.push(JSON.stringify(res.content).slice(0, 200));
        else n++;
      } catch (err) {
        writeErrors.push(String(err).slice(0, 200));
      }
      writeMs.push(performance.now() - t);
    }
  };
  const read = async () => {
    for (let i = 0; running; i++) {
      const tool = READS[i % READS.length]!;
      const args =
        tool === 'change_risk'
          ? { paths: ['src/m1/worker.ts'] }
          : tool === 'module_incident_history'
            ? { module: 'm1' }
            : {};
      const t = performance.now();
      try {
        const res = await reader.callTool({ name: tool, arguments: args });
        if (res.isError && /busy|locked|unexpected/i.test(JSON.stringify(res.content))) {
          readErrors.push(JSON.stringify(res.content).slice(0, 200));
        }
      } catch (err) {
        readErrors.push(String(err).slice(0, 200));
      }
      readMs.push(performance.now() - t);
    }
  };
  await Promise.all([...writers.map(writer), read(), watcher]);
  return {
    seconds: (performance.now() - started) / 1000,
    writes: n,
    writeErrors,
    writeMs: distribution(writeMs),
    readMs: distribution(readMs),
    readErrors,
    samples: { write: writeMs, read: readMs },
  };
}

await main();
