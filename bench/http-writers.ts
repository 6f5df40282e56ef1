import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { rng } from './stats.js';
import { writerEntry } from './writer-entries.js';
import type { WritersResult } from './writers.js';

export interface HttpWritersResult extends WritersResult {
  /** HINDSIGHT_WRITE_GROUP of the server: 1 = each call its own transaction (before group commits) */
  group: number;
  /** the server process's CPU per write, ms (cpuPerWrite adds the clients') */
  serverCpuPerWrite: number;
}

/** A process's user + system CPU so far, ms (Linux /proc; clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15 of stat)
}

/**
 * The team topology (one `hindsight serve --http`, every agent its own token): `clients` MCP clients over
 * Streamable HTTP each call log_interrupt `perClient` times back to back (one call in flight per client), against
 * one built server on a fresh database (`db`), whose concurrent calls commit together up to `group` per
 * transaction. Clients run in this process; their CPU is counted with the server's.
 */
export async function measureHttpWriters(o: {
  mainJs: string;
  db: string;
  repoPath: string;
  clients: number;
  perClient: number;
  group: number;
}): Promise<HttpWritersResult> {
  const ctx = createContext(loadConfig({ cwd: o.repoPath, env: {}, flags: { db: o.db, repo: o.repoPath } }), {
    log: () => {},
  });
  const tokens = Array.from(
    { length: o.clients },
    (_, i) => createToken(ctx, { agent: `agent-${i + 1}`, scopes: ['read', 'log'] }).token,
  );
  ctx.store.close();
  const server = spawn(
    process.execPath,
    [o.mainJs, '--db', o.db, '--repo', o.repoPath, 'serve', '--http', '--port', '0', '--no-ingest'],
    {
      env: { ...process.env, HINDSIGHT_INCIDENT_TOKEN: '', HINDSIGHT_WRITE_GROUP: String(o.group) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  try {
    const url = await new Promise<string>((ok, fail) => {
      server.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /receiver on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) ok(m[1]!);
      });
      server.on('exit', (code) => fail(new Error(`server exited ${code}: ${stderr.slice(-500)}`)));
    });
    const clients = await Promise.all(
      tokens.map(async (t) => {
        const c = new Client({ name: 'bench', version: '1' });
        await c.connect(
          new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
            requestInit: { headers: { authorization: `Bearer ${t}` } },
          }),
        );
        return c;
      }),
    );
    let errors = 0;
    let firstError: string | undefined;
    const serverCpu = processCpuMs(server.pid!);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      clients.map(async (c, k) => {
        const random = rng(k + 1);
        for (let i = 0; i < o.perClient; i++) {
          try {
            const res = await c.callTool({ name: 'log_interrupt', arguments: writerEntry(random, k + 1, i) });
            if (res.isError) throw new Error(JSON.stringify(res.content).slice(0, 300));
          } catch (err) {
            errors++;
            firstError ??= (err as Error).message;
          }
        }
      }),
    );
    const ms = performance.now() - started;
    const serverMs = processCpuMs(server.pid!) - serverCpu;
    const used = process.cpuUsage(cpu);
    for (const c of clients) await c.close();
    const writes = o.clients * o.perClient;
    const check = createContext(loadConfig({ cwd: o.repoPath, env: {}, flags: { db: o.db, repo: o.repoPath } }), {
      log: () => {},
    });
    const rows = Number(check.store.prepare('SELECT count(*) FROM interrupts').pluck().get());
    check.store.close();
    if (rows === 0 && firstError) throw new Error(`every log_interrupt failed: ${firstError}`);
    return {
      ...(firstError ? { firstError } : {}),
      group: o.group,
      processes: o.clients,
      writes,
      rows,
      errors,
      ms,
      perSecond: (writes / ms) * 1000,
      cpuPerWrite: (serverMs + (used.user + used.system) / 1000) / writes,
      serverCpuPerWrite: serverMs / writes,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((done) => (server.exitCode !== null ? done(null) : server.once('exit', done)));
  }
}
