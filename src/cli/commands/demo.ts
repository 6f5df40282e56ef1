import type { Command } from 'commander';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { loadConfig } from '../../config.js';
import { createContext, type AppContext } from '../../context.js';
import { refreshAttribution } from '../../attribution/refresh.js';
import { buildScenario, type Scenario } from '../../demo/scenario.js';
import { demoCi, demoSignalsCsv } from '../../demo/scenario-signals.js';
import { ingestSignals } from '../../ingest/signals.js';
import { firstShippingDeploy } from '../../store/delivery.js';
import { upsertBuild } from '../../store/github.js';
import { releaseDeploy, releasesBefore, replaceDeployGates, upsertBuildJobs } from '../../store/release.js';
import { demoInterrupts } from '../../demo/scenario-interrupts.js';
import { importInterrupts } from '../../triage/import.js';
import { UserInputError } from '../../errors.js';
import { recordDeploy } from '../../ingest/deploys.js';
import { writeDashboard } from '../../report/write.js';
import { ingestGit } from '../../ingest/git.js';
import { importIncidents } from '../../ingest/incidents.js';
import { proposeRegressionSpec } from '../../notify/regression-spec.js';
import { notify } from '../../notify/run.js';
import { renderNotifyResult } from '../../notify/report-text.js';
import { upsertPullRequest } from '../../store/github.js';
import { VERSION } from '../../version.js';
import { info, out, outJson } from '../output.js';
import { selfCommand, shellQuote } from '../../shell.js';
import { withTransaction } from '../../store/transaction.js';
import { storeCounts } from '../../store/counts.js';
import { displayTarget, isPostgresUrl } from '../../store/engine/postgres-url.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Build a realistic scenario, ingest it, and show every tool answering over a real MCP stdio session')
    .option('--dir <path>', 'where to build it (an empty or new folder; default a temp folder)')
    .option('--json', 'print the structured answers instead of the text renderings')
    .action((o: { dir?: string; json?: boolean }) => runDemo({ ...o, database: postgresTarget(program) }));
}

interface DemoCall {
  tool: string;
  args: Record<string, unknown>;
  why: string;
}

/**
 * The PostgreSQL database the demo builds into when --db (or HINDSIGHT_DB) is a postgres:// URL; otherwise the
 * demo keeps its own SQLite file beside the scenario, as always.
 */
function postgresTarget(program: Command): string | undefined {
  const { db } = program.opts<{ db?: string }>();
  const target = loadConfig({ cwd: process.cwd(), env: process.env, flags: db === undefined ? {} : { db } }).dbPath;
  return isPostgresUrl(target) ? target : undefined;
}

export async function runDemo(o: { dir?: string; json?: boolean; database?: string | undefined }): Promise<void> {
  const dir = o.dir ? resolve(o.dir) : mkdtempSync(join(tmpdir(), 'hindsight-demo-'));
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserInputError(`--dir ${dir} is not empty; pass a new or empty folder`, 'dir');
  }
  info(`building the demo scenario in ${dir} …`);
  const { scenario, dbPath, env } = await buildDemoDatabase(dir, info, o.database);
  const dashboard = await writeDemoDashboard(dir, dbPath, scenario.repoPath, env);

  // A real MCP session over stdio against our own binary, as Claude Code would open it. The binary is the script
  // running now, not a path relative to this module, so the demo also serves from a bundled build.
  const mainJs = process.argv[1]!;
  const transport = new StdioClientTransport({
    command: process.execPath,
    // The database through the environment: a PostgreSQL URL's password stays out of argv (ps).
    args: [mainJs, '--repo', scenario.repoPath, 'serve', '--no-ingest', '--toolsets', 'all'],
    env: { ...(process.env as Record<string, string>), ...env, HINDSIGHT_DB: dbPath },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'claude-code', version: VERSION });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    const listBytes = Buffer.byteLength(JSON.stringify(tools));
    const paymentsIncident = scenario.expected.paymentsIncidentIds.at(-1)!;
    const calls: DemoCall[] = [
      { tool: 'my_deploy_impact', args: {}, why: 'Claude Code asks what happened after its changes shipped' },
      { tool: 'change_risk', args: { paths: ['src/payments/gateway.ts'] }, why: 'before editing the payments gateway' },
      { tool: 'module_incident_history', args: { module: 'payments' }, why: "the payments module's incident history" },
      {
        tool: 'incident_suspects',
        args: { incident: scenario.expected.paymentsIncidentIds[0]! },
        why: `the first payments incident: production signals point at the deploy too`,
      },
      {
        tool: 'incident_suspects',
        args: { incident: paymentsIncident },
        why: `which change caused ${paymentsIncident}?`,
      },
      {
        tool: 'release_review',
        args: {},
        why: 'the team looks back at the latest release',
      },
      {
        tool: 'delivery_metrics',
        args: { env: 'production', window_days: 90 },
        why: 'a head of engineering asks: are agent changes failing more than human ones?',
      },
    ];
    const answers: Record<string, unknown> = {};
    if (!o.json) {
      out(`hindsight demo — ${scenario.repoPath}`);
      out(
        `MCP session over stdio as client 'claude-code': ${tools.tools.length} tools, tools/list = ${listBytes} bytes\n`,
      );
    }
    const call = async (c: DemoCall): Promise<Record<string, unknown> | undefined> => {
      const res = await client.callTool({ name: c.tool, arguments: c.args });
      answers[c.tool] = res.structuredContent;
      if (!o.json) {
        out(`━━ ${c.tool} ${JSON.stringify(c.args)} — ${c.why}`);
        const text = (res.content as { type: string; text?: string }[]).map((p) => p.text ?? '').join('\n');
        out(`${res.isError ? 'ERROR: ' : ''}${text}\n`);
      }
      return res.structuredContent as Record<string, unknown> | undefined;
    };
    for (const c of calls) await call(c);

    // The triage loop: a correction is logged, pointed at what covers it; the weekly report; a structural fix.
    await call({
      tool: 'log_interrupt',
      args: {
        kind: 'correction',
        category: 'missing_context',
        source: 'human',
        summary: 'Corrected again: a payment retry generated a new idempotency key instead of reusing the first one',
        paths: ['src/payments/gateway.ts'],
      },
      why: 'a human corrects the agent; hindsight points it at what already covers this',
    });
    const report = (await call({ tool: 'triage_report', args: {}, why: 'what do we triage this week?' })) as
      { recurringWithoutFix: { items: { id: number; suggestedFix: string; label: string }[] } } | undefined;
    const policy = report?.recurringWithoutFix.items.find((c) => c.suggestedFix === 'rule');
    if (policy) {
      await call({
        tool: 'propose_rule',
        args: {
          rule: 'Agents MUST NOT run database migrations against production; open a PR and request a DBA approval instead.',
          rationale: `Recurring policy gap: cluster #${policy.id} "${policy.label}".`,
          cluster_id: policy.id,
        },
        why: 'the recurring policy gap becomes a rule in the file the agents read',
      });
    }
    // Telling the author: the comment the causing PR would get, and the regression test the incident asks for.
    const told = await tellTheAuthor(scenario.repoPath, dbPath, env, paymentsIncident);
    if (!o.json) {
      out(`━━ hindsight notify --dry-run --incident ${paymentsIncident} — the causing PR hears of its incident`);
      out(`${told.notifyText}\n`);
      out(`━━ hindsight propose-test --incident ${paymentsIncident} --dry-run — the incident as a regression test`);
      out(`would write ${told.spec.path}\n\n${told.spec.content}`);
      out('');
    }
    const suspects = answers['incident_suspects'] as { commits: { sha: string; status: string }[] } | undefined;
    const top = suspects?.commits[0];
    const tryIt = tryItLines(dbPath, scenario.repoPath, env.HINDSIGHT_NOW);
    const traced =
      top !== undefined && scenario.expected.paymentsInducingSha.startsWith(top.sha) && top.status === 'confirmed';
    if (o.json) {
      outJson({
        scenario: scenario.repoPath,
        database: displayTarget(dbPath),
        dashboard,
        toolsListBytes: listBytes,
        traced,
        answers,
        notify: told.notify,
        regressionSpec: told.spec,
        tryIt,
      });
    } else {
      out(
        traced
          ? `✓ the recurring payments timeouts are traced to ${top.sha} (confirmed from the fix, with the blamed lines above)`
          : `✗ the payments timeouts were not traced to ${scenario.expected.paymentsInducingSha.slice(0, 10)}`,
      );
      out(
        `\ndatabase: ${displayTarget(dbPath)}\ntry it (the scenario's clock is fixed at ${scenario.now}):\n${tryIt.map((l) => `  ${l}`).join('\n')}`,
      );
    }
    if (!traced) process.exitCode = 1;
  } finally {
    await client.close();
  }
}

/** The scenario's dashboard, written beside its database (said on stderr, so stdout keeps the answers). */
async function writeDemoDashboard(
  dir: string,
  dbPath: string,
  repoPath: string,
  env: Record<string, string>,
): Promise<string> {
  const file = join(dir, 'dashboard.html');
  const ctx = createContext(loadConfig({ cwd: repoPath, env, flags: { db: dbPath, repo: repoPath } }), { log: info });
  try {
    const { bytes } = await writeDashboard(ctx, file);
    info(`dashboard written to ${file} (${bytes.toLocaleString('en-US')} bytes): open it in a browser`);
  } finally {
    ctx.store.close();
  }
  return file;
}

/** notify --dry-run and propose-test --dry-run for the payments incident, in-process over the demo database. */
async function tellTheAuthor(repoPath: string, dbPath: string, env: Record<string, string>, incident: string) {
  const config = loadConfig({ cwd: repoPath, env, flags: { db: dbPath, repo: repoPath } });
  const ctx = createContext(config, { log: info });
  try {
    const result = await notify(ctx, { dryRun: true, incident });
    const spec = await proposeRegressionSpec(ctx, incident, { dryRun: true });
    // The demo's output is deterministic: no timing in it.
    return { notify: { ...result, ms: 0 }, notifyText: renderNotifyResult(result, { timing: false }), spec };
  } finally {
    ctx.store.close();
  }
}

/**
 * The lines the demo ends with, runnable as printed: the scenario's history ends at its own fixed clock, so each
 * line carries that HINDSIGHT_NOW (without it, "the last 30 days" of the real clock hold none of its deploys).
 */
export function tryItLines(dbPath: string, repoPath: string, now: string): string[] {
  // A PostgreSQL URL is not printed (it may carry a password): the lines read it from HINDSIGHT_DB, as set for the demo.
  const db = isPostgresUrl(dbPath) ? '--db "$HINDSIGHT_DB"' : `--db ${shellQuote(dbPath)}`;
  const base = `HINDSIGHT_NOW=${now} ${selfCommand()} ${db} --repo ${shellQuote(repoPath)}`;
  return [`${base} serve`, `${base} loop --dry-run`];
}

/**
 * The demo scenario's repository and database, ingested and attributed, in `dir`: what `hindsight demo` serves,
 * and what the token-budget test measures default answers on.
 */
export async function buildDemoDatabase(dir: string, log: (message: string) => void, database?: string) {
  mkdirSync(join(dir, 'scenario'), { recursive: true });
  const scenario = await buildScenario(join(dir, 'scenario'));
  const dbPath = database ?? join(dir, 'hindsight.db');
  const env = { HINDSIGHT_NOW: scenario.now };
  const config = loadConfig({ cwd: scenario.repoPath, env, flags: { db: dbPath, repo: scenario.repoPath } });
  const ctx = createContext(config, { log });
  const counts = storeCounts(ctx.store);
  if (counts.commits + counts.incidents > 0) {
    ctx.store.close();
    throw new UserInputError(
      `--db ${displayTarget(dbPath)} already holds data (${counts.commits} commits, ${counts.incidents} incidents); ` +
        'the demo builds into an empty database: give it a new one, or leave --db out for a SQLite file of its own',
      'db',
    );
  }

  const git = await ingestGit(ctx);
  for (const [i, d] of scenario.deploys.entries()) {
    await recordDeploy(ctx, {
      ref: d.sha,
      env: d.env,
      status: d.status,
      finishedAt: Date.parse(d.at),
      source: 'demo',
      externalId: `demo-${i + 1}`,
      ...(d.service ? { service: d.service } : {}),
    });
  }
  for (const pr of scenario.pullRequests) {
    upsertPullRequest(ctx.store, {
      repo: pr.repo,
      number: pr.number,
      title: pr.title,
      author: pr.author,
      state: 'merged',
      draft: false,
      createdAt: Date.parse(pr.mergedAt) - 3_600_000,
      mergedAt: Date.parse(pr.mergedAt),
      closedAt: Date.parse(pr.mergedAt),
      mergeSha: pr.mergeSha,
      headRef: pr.headRef,
      baseRef: 'main',
      url: `https://github.com/${pr.repo}/pull/${pr.number}`,
    });
  }
  const production = await seedProduction(ctx, scenario);
  const incidents = importIncidents(ctx, scenario.incidentsFile);
  const postmortems = importIncidents(ctx, scenario.postmortemsDir);
  const attributed = await refreshAttribution(ctx);
  // Two weeks of agent tasks, interrupts and corrections, so the triage loop has something to show.
  const interruptsFile = join(dir, 'interrupts.json');
  writeFileSync(interruptsFile, JSON.stringify(demoInterrupts(Date.parse(scenario.now)), null, 2));
  const triage = importInterrupts(ctx, interruptsFile);
  ctx.store.close();
  log(
    `ingested ${git.added} commits, ${scenario.deploys.length} deploys, ${incidents.inserted} incidents ` +
      `(+${postmortems.updated + postmortems.inserted} post-mortems), ${attributed.links} attribution links, ` +
      `${triage.interrupts.inserted} interrupts/corrections over ${triage.tasks.created} tasks, ${production}`,
  );
  return { scenario, dbPath, env };
}

/**
 * Production signals and CI runs (src/demo/scenario-signals.ts): an error-rate step after the deploy that first
 * shipped the payments timeout, a module's share of requests and cost, and the CI runs, approval waits and manual
 * step the release review reads. Before the incidents, so their attribution sees the step.
 */
async function seedProduction(ctx: AppContext, scenario: Scenario): Promise<string> {
  const now = Date.parse(scenario.now);
  const recent = releasesBefore(ctx.store, { env: 'production', service: '', until: now }, 6).reverse();
  const stepped = firstShippingDeploy(ctx.store, {
    sha: scenario.expected.paymentsInducingSha,
    env: 'production',
    service: null,
    before: now,
  });
  const windows = new Map(recent.map((d) => [d.id, d.finishedAt]));
  const step = stepped !== undefined ? releaseDeploy(ctx.store, stepped) : undefined;
  if (step) windows.set(step.id, step.finishedAt);
  const csv = demoSignalsCsv(
    [...windows].map(([id, at]) => ({ at, stepped: id === stepped })),
    now,
  );
  const signals = await ingestSignals(ctx, csv, { format: 'csv' });
  const lastFour = recent.slice(-4);
  const ci = demoCi(lastFour.map((d) => ({ sha: d.sha, at: d.finishedAt })));
  withTransaction(ctx.store, () => {
    for (const b of ci.builds) upsertBuild(ctx.store, b);
    upsertBuildJobs(ctx.store, ci.jobs);
    for (const [i, gates] of ci.gates) replaceDeployGates(ctx.store, lastFour[i]!.id, gates);
  });
  return `${signals.samples} signal samples (error-rate step after deploy #${stepped ?? '-'}), ${ci.builds.length} CI runs`;
}
