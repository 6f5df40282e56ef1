import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openStore } from '../src/store/open.js';

export interface WritersResult {
  processes: number;
  writes: number;
  rows: number;
  errors: number;
  ms: number;
  perSecond: number;
  /** CPU the writers used per write (all processes), ms */
  cpuPerWrite: number;
  /** the first error a writer met */
  firstError?: string;
}

/**
 * `processes` writer processes log `perProcess` interrupts each into one fresh database (`db`: a SQLite path or a
 * PostgreSQL URL) at the same moment (they start together on a signal). Throughput counts from the signal to the
 * last exit.
 */
export async function measureWriters(o: {
  db: string;
  repoPath: string;
  processes: number;
  perProcess: number;
}): Promise<WritersResult> {
  const { db } = o;
  openStore(db).close(); // migrated once, so the writers measure writing rather than racing to create the schema
  const child = join(import.meta.dirname, 'writer-child.js');
  const kids = Array.from({ length: o.processes }, (_, i) =>
    spawn(process.execPath, [child, db, o.repoPath, String(o.perProcess), String(i + 1)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const lines = kids.map((k) => createInterface({ input: k.stdout }));
  await Promise.all(lines.map((l) => new Promise((ready) => l.once('line', ready))));
  const done = lines.map(
    (l) =>
      new Promise<{ ms: number; cpuMs: number; errors: number; firstError?: string }>((ok) =>
        l.once('line', (s) => ok(JSON.parse(s))),
      ),
  );
  const exits = kids.map((k) => new Promise((ok) => k.once('close', ok)));
  const started = performance.now();
  for (const k of kids) k.stdin.end('go\n'); // end: a child's open stdin would keep it alive
  const results = await Promise.all(done);
  const ms = performance.now() - started;
  await Promise.all(exits);
  const check = openStore(db);
  const rows = Number(check.prepare('SELECT count(*) FROM interrupts').pluck().get());
  check.close();
  const writes = o.processes * o.perProcess;
  const firstError = results.find((r) => r.firstError)?.firstError;
  // Nothing written is no throughput figure: the benchmark failed (and says why).
  if (rows === 0 && firstError) throw new Error(`every logInterrupt failed: ${firstError}`);
  return {
    ...(firstError ? { firstError } : {}),
    processes: o.processes,
    writes,
    rows,
    errors: results.reduce((s, r) => s + r.errors, 0),
    ms,
    perSecond: (writes / ms) * 1000,
    cpuPerWrite: results.reduce((s, r) => s + r.cpuMs, 0) / writes,
  };
}
