import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { AGENTS, ORG_NOW, type OrgCatalog } from './gen-org.js';
import { distribution, peakRssMb, pick, rng, skewed, type Distribution } from './stats.js';

/** Tools whose answers are reports over a window (budget p99 ≤ 200 ms); every other tool is an agent tool (≤ 20 ms). */
export const REPORT_TOOLS = new Set(['triage_report']);

type Args = Record<string, unknown>;

/** Varied, valid arguments per tool, drawn from names that exist in the generated data. */
export function argumentMakers(c: OrgCatalog, random: () => number): Record<string, (i: number) => Args> {
  const path = () => c.paths[skewed(random, c.paths.length)]!;
  const module = () => c.modules[skewed(random, c.modules.length)]!;
  return {
    my_deploy_impact: () => {
      const r = random();
      if (r < 0.4) return {};
      if (r < 0.6) return { agent: pick(random, AGENTS), env: 'production' };
      if (r < 0.8) return { author: pick(random, c.authors) };
      return { shas: Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(random, c.shas)) };
    },
    change_risk: () => ({ paths: Array.from({ length: 1 + Math.floor(random() * 4) }, path) }),
    module_incident_history: () => (random() < 0.75 ? { module: module() } : { path: path() }),
    incident_suspects: () => ({ incident: pick(random, c.incidents) }),
    triage_report: () => (random() < 0.5 ? {} : { since: '2025-12-01T00:00:00Z' }),
    log_interrupt: () => ({
      summary: `needed the ${module()} retry policy before changing ${path()}`,
      paths: [path()],
      agent: pick(random, AGENTS),
      ...(random() < 0.5 ? { category: 'missing_context' } : {}),
    }),
    resolve_interrupt: () => ({
      id: 1 + Math.floor(random() * c.interruptIds),
      response: 'use the shared retry helper',
    }),
    record_task: (i) =>
      i % 2 === 0
        ? { action: 'start', id: `bench-${i}`, title: 'bench task' }
        : { action: 'finish', id: `bench-${i - 1}`, outcome: 'completed' },
  };
}

export interface ToolLatency {
  tool: string;
  kind: 'agent' | 'report';
  latency: Distribution;
  errors: number;
  firstError?: string;
  /** the server's peak RSS once this tool's calls are done (tools run in order, so growth points at a tool) */
  rssMb?: number;
}

export interface LatencyResult {
  tools: ToolLatency[];
  /** JSON-RPC ping round trips in the same session: the protocol floor every figure includes. */
  ping: Distribution;
  skipped: string[];
  rssMb: number | undefined;
}

/**
 * Drives the built server over stdio with the real SDK client: `calls` timed calls per tool (after a warm-up),
 * read-only tools first, then the writers, then ping as the floor. The database is the caller's copy.
 */
export async function measureToolLatency(o: {
  mainJs: string;
  dbPath: string;
  repoPath: string;
  catalog: OrgCatalog;
  calls: number;
  /** only these tools (default: every tool with an argument maker) */
  tools?: readonly string[];
  /** a tool far over budget stops after this long, with fewer calls (reported) */
  maxSecondsPerTool: number;
  log: (m: string) => void;
}): Promise<LatencyResult> {
  const stderr: string[] = [];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [o.mainJs, '--db', o.dbPath, '--repo', o.repoPath, 'serve', '--no-ingest'],
    env: { ...(process.env as Record<string, string>), HINDSIGHT_NOW: ORG_NOW },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  await client.connect(transport);
  const random = rng(11);
  const makers = argumentMakers(o.catalog, random);
  try {
    const { tools } = await client.listTools();
    const listed = tools.map((t) => t.name);
    const known = listed.filter((n) => makers[n] && (o.tools?.includes(n) ?? true));
    const readOnly = tools.filter((t) => known.includes(t.name) && t.annotations?.readOnlyHint).map((t) => t.name);
    const order = [...readOnly, ...known.filter((n) => !readOnly.includes(n))];
    const results: ToolLatency[] = [];
    for (const tool of order) {
      const make = makers[tool]!;
      const times: number[] = [];
      let errors = 0;
      let firstError: string | undefined;
      const warmup = Math.min(20, Math.ceil(o.calls / 10));
      const deadline = performance.now() + o.maxSecondsPerTool * 1000;
      for (let i = 0; i < warmup + o.calls && performance.now() < deadline; i++) {
        const args = make(i);
        const t = performance.now();
        const res = await client.callTool({ name: tool, arguments: args });
        const elapsed = performance.now() - t;
        if (i >= warmup) times.push(elapsed);
        if (res.isError) {
          errors++;
          firstError ??= `${JSON.stringify(args)} → ${JSON.stringify(res.content).slice(0, 300)}`;
        }
      }
      const latency = distribution(times);
      o.log(
        `  ${tool}: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms${errors ? `, ${errors} errors` : ''}`,
      );
      const rssMb = transport.pid ? peakRssMb(transport.pid) : undefined;
      results.push({
        ...(rssMb ? { rssMb } : {}),
        tool,
        kind: REPORT_TOOLS.has(tool) ? 'report' : 'agent',
        latency,
        errors,
        ...(firstError ? { firstError } : {}),
      });
    }
    const pings: number[] = [];
    for (let i = 0; i < o.calls; i++) {
      const t = performance.now();
      await client.ping();
      pings.push(performance.now() - t);
    }
    const pid = transport.pid;
    return {
      tools: results,
      ping: distribution(pings),
      skipped: listed.filter((n) => !makers[n]),
      rssMb: pid ? peakRssMb(pid) : undefined,
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver stderr:\n${stderr.join('').slice(-2000)}`, { cause: err });
  } finally {
    await client.close();
  }
}
