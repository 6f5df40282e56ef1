import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** The q-quantile (0..1) of numbers, nearest-rank on a sorted copy; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    n: values.length,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** Milliseconds with one decimal, for tables. */
export const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 1) : '–');
export const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

/** Rough token estimate for JSON and English text: ~3.5 bytes per token (conservative vs the usual 4). */
export const BYTES_PER_TOKEN = 3.5;
export const tokens = (bytes: number): number => Math.ceil(bytes / BYTES_PER_TOKEN);

/** Peak resident set (VmHWM) of a live process, in MB; undefined when /proc is not readable. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Where and when the figures were taken: they only compare within one run. */
export function machine(root: string): Record<string, string> {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  let load = '?';
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString(),
    commit: `${git(['rev-parse', '--short=12', 'HEAD'])}${dirty ? ' (+ uncommitted changes)' : ''}`,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    sqlite: '',
    git: git(['--version']),
    'load average at start': load,
  };
}

/** The demo's seeded PRNG (mulberry32), so generated data is identical on every run. */
export { prng as rng } from '../src/demo/scenario-text.js';

/** Index in [0, n) drawn from a Zipf-like skew (s ≈ 1.1): a few hot items, a long tail. */
export function skewed(random: () => number, n: number, s = 1.1): number {
  // Inverse-CDF on a precomputed table would be exact; this power-law approximation is enough for load shape.
  const u = random();
  const x = Math.floor(n * Math.pow(u, 1 + s * 2));
  return Math.min(n - 1, x);
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
