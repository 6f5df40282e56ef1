// One of the concurrent writers of benchmark 5: logs `n` interrupts through the public triage function once the
// parent says go (a line on stdin), then prints what it did as JSON on stdout.
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { logInterrupt } from '../src/triage/interrupts.js';
import { rng } from './stats.js';
import { writerEntry } from './writer-entries.js';

const [dbPath, repoPath, count, seed] = process.argv.slice(2) as [string, string, string, string];
const ctx = createContext(loadConfig({ cwd: repoPath, env: {}, flags: { db: dbPath, repo: repoPath } }), {
  log: () => {},
});
const random = rng(Number(seed));

process.stdout.write('ready\n');
await new Promise<void>((go) => {
  const rl = createInterface({ input: process.stdin });
  rl.once('line', () => {
    rl.close();
    go();
  });
});
const started = performance.now();
const cpu = process.cpuUsage();
let errors = 0;
let firstError: string | undefined;
for (let i = 0; i < Number(count); i++) {
  const { summary, paths } = writerEntry(random, Number(seed), i);
  try {
    logInterrupt(ctx, {
      kind: 'interrupt',
      summary,
      paths,
      agent: `agent-${seed}`,
      source: 'agent',
      createdAt: Date.now(),
    });
  } catch (err) {
    errors++;
    firstError ??= (err as Error).message;
  }
}
const used = process.cpuUsage(cpu);
// CPU next to wall time: whether the writers wait (for the lock) or compute.
process.stdout.write(
  `${JSON.stringify({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, errors, firstError })}\n`,
);
ctx.store.close();
