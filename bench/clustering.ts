// Clustering quality on a long history with known answers (issue 17, part 3): candidate search and profile
// shortcuts change which entries cluster together, so every such change is measured here before and after.
// Generates `problems` recurring problems (each: a module, a category, a few specific words, its files) and
// `entries` entries about them in time order — skewed, so some problems have hundreds of entries and most a few —
// written in varied words over a shared everyday vocabulary, then logs them through log_interrupt into a fresh
// SQLite database and compares the clusters with the ground truth: pairwise precision / recall / F1 and the
// adjusted Rand index. Usage: npx tsx bench/clustering.ts [entries] [seeds] [group]; group > 1 logs the entries
// `group` at a time through a server's group commits (src/triage/write-queue.ts), as concurrent agents would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { logInterrupt, type LoggedEntry, type NewEntry } from '../src/triage/interrupts.js';
import { queueInterrupt } from '../src/triage/write-queue.js';
import { pick, rng, skewed } from './stats.js';

export interface ClusteringQuality {
  entries: number;
  problems: number;
  clusters: number;
  precision: number;
  recall: number;
  f1: number;
  ari: number;
  /** CPU per logged entry in this process, ms */
  cpuPerEntry: number;
}

const MODULES = ['payments', 'auth', 'search', 'billing', 'orders', 'catalog', 'api', 'infra'];
const CATEGORIES = ['missing_context', 'policy_gap', 'tool_failure', 'ambiguous_spec'] as const;
// Words every kind of problem uses: they make unrelated entries match in full-text search.
const COMMON = (
  'error failed failing test tests config service request response handler update check build deploy value field ' +
  'function docs unclear missing wrong broken behaviour expected change code module file setting default case ' +
  'should which where whether how'
).split(' ');
// Specific words: each problem draws four; problems of one module share some, as real ones do.
const SPECIFIC = (
  'idempotency gateway charge refund ledger rounding currency settlement webhook signature secret rotation token ' +
  'refresh session cookie csrf oauth scope tenant index reindex ranking synonym facet pagination cursor offset ' +
  'invoice proration coupon tax vat discount subscription renewal cart checkout inventory reservation shipment ' +
  'warehouse sku variant price locale translation migration schema column backfill replica failover queue worker ' +
  'retry backoff timeout deadlock latency cache eviction ttl snapshot fixture flaky e2e typecheck lint bundle ' +
  'docker kubernetes helm terraform certificate dns proxy ratelimit quota audit permission role admin export csv ' +
  'report dashboard metric alert pager oncall rollback canary feature flag experiment'
).split(' ');
const LEADS = ['Unclear', 'Not sure', 'Agent asked', 'Question:', 'Blocked:', 'Reviewer:', 'Human corrected:'];

interface Problem {
  module: string;
  category: string;
  words: string[];
  files: string[];
}

function problemsOf(n: number, random: () => number): Problem[] {
  return Array.from({ length: n }, (_, i) => {
    const module = MODULES[i % MODULES.length]!;
    const words = new Set<string>();
    while (words.size < 4) words.add(pick(random, SPECIFIC));
    const ws = [...words];
    return {
      module,
      category: pick(random, CATEGORIES),
      words: ws,
      files: [`src/${module}/${ws[0]}.ts`, `src/${module}/${ws[1]}-${ws[2]}.ts`],
    };
  });
}

/** An entry about a problem: two or three of its words among everyday ones, usually one of its files. */
function entryText(p: Problem, random: () => number): { summary: string; paths: string[] } {
  const own = shuffle([...p.words], random).slice(0, 2 + Math.floor(random() * 2));
  const filler = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(random, COMMON));
  const parts = shuffle([...own, ...filler], random);
  const paths =
    random() < 0.7 ? [pick(random, p.files)] : random() < 0.5 ? [`src/${p.module}/${pick(random, COMMON)}.ts`] : [];
  return { summary: `${pick(random, LEADS)} ${parts.join(' ')}`, paths };
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Pairwise agreement and the adjusted Rand index of two labelings of the same items. */
export function agreement(truth: readonly number[], found: readonly number[]) {
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const count = (xs: readonly (number | string)[]) => {
    const m = new Map<number | string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const sumPairs = (m: Map<unknown, number>) => [...m.values()].reduce((s, n) => s + pairs(n), 0);
  const both = sumPairs(count(truth.map((t, i) => `${t}:${found[i]}`)));
  const sameTruth = sumPairs(count(truth));
  const sameFound = sumPairs(count(found));
  const all = pairs(truth.length);
  const expected = (sameTruth * sameFound) / all;
  return {
    precision: sameFound === 0 ? 1 : both / sameFound,
    recall: sameTruth === 0 ? 1 : both / sameTruth,
    ari: (both - expected) / ((sameTruth + sameFound) / 2 - expected),
  };
}

export async function measureClustering(o: {
  entries: number;
  problems: number;
  seed: number;
  group?: number;
}): Promise<ClusteringQuality> {
  const group = o.group ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-clustering-'));
  try {
    execFileSync('git', ['init', '-q', dir]);
    const ctx = createContext(loadConfig({ cwd: dir, env: {}, flags: { db: join(dir, 'h.db'), repo: dir } }), {
      log: () => {},
    });
    const random = rng(o.seed);
    const problems = problemsOf(o.problems, random);
    const truth: number[] = [];
    const found: number[] = [];
    const t0 = Date.parse('2026-01-05T09:00:00Z');
    const cpu = process.cpuUsage();
    let waiting: NewEntry[] = [];
    const log = async () => {
      const logged: LoggedEntry[] =
        group === 1
          ? waiting.map((e) => logInterrupt(ctx, e))
          : await Promise.all(waiting.map((e) => queueInterrupt(ctx, e)));
      found.push(...logged.map((r) => r.cluster.id));
      waiting = [];
    };
    for (let i = 0; i < o.entries; i++) {
      const which = skewed(random, problems.length);
      const p = problems[which]!;
      const { summary, paths } = entryText(p, random);
      waiting.push({
        kind: 'interrupt',
        // Agents name the category most of the time; the rest is guessed from the words.
        ...(random() < 0.8 ? { category: p.category as (typeof CATEGORIES)[number] } : {}),
        summary,
        paths,
        agent: 'agent',
        source: 'agent',
        createdAt: t0 + i * 600_000,
      });
      truth.push(which);
      if (waiting.length === group) await log();
    }
    await log();
    const used = process.cpuUsage(cpu);
    ctx.store.close();
    const a = agreement(truth, found);
    return {
      entries: o.entries,
      problems: new Set(truth).size,
      clusters: new Set(found).size,
      ...a,
      f1: (2 * a.precision * a.recall) / (a.precision + a.recall),
      cpuPerEntry: (used.user + used.system) / 1000 / o.entries,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const entries = Number(process.argv[2] ?? 3000);
  const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
  const group = Number(process.argv[4] ?? 1);
  for (const seed of seeds) {
    const q = await measureClustering({ entries, problems: Math.round(entries / 20), seed, group });
    process.stdout.write(
      `seed ${seed}: ${q.entries} entries, ${q.problems} problems → ${q.clusters} clusters; pairwise precision ` +
        `${q.precision.toFixed(3)}, recall ${q.recall.toFixed(3)}, F1 ${q.f1.toFixed(3)}, ARI ${q.ari.toFixed(3)}; ` +
        `${q.cpuPerEntry.toFixed(2)} ms CPU per entry\n`,
    );
  }
}
