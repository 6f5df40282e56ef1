import type { Db } from '../store/open.js';
import { samplesBetween, seriesOf, type SeriesRow, type SignalMetric } from '../store/signals.js';

/**
 * Did a production signal change when a deploy finished? The samples of each series in a window before the deploy
 * finished are compared with those in a window after it. A step needs both:
 * - a Mann-Whitney U test (two-sided, normal approximation with tie correction) below `alpha`: distribution-free, so
 *   skewed error rates and latencies need no normality, and one spike cannot move a rank test much; and
 * - a shift of the medians of at least `minRobustZ` robust standard deviations of the before window (1.4826 × MAD):
 *   with hundreds of samples a rank test calls tiny drifts significant; this keeps only changes worth a look.
 * Fewer than `minSamples` on either side: no verdict, said so.
 */
export interface ChangeTestOptions {
  /** length of each window; default 60 min */
  windowMs: number;
  /** samples needed on each side; default 5 */
  minSamples: number;
  /** default 0.01 */
  alpha: number;
  /** default 3 */
  minRobustZ: number;
}

export const CHANGE_TEST: ChangeTestOptions = { windowMs: 60 * 60_000, minSamples: 5, alpha: 0.01, minRobustZ: 3 };

/** The change test with the window the config sets (`signalWindowMinutes`). */
export function changeTestOptions(config: { signalWindowMinutes?: number }): ChangeTestOptions {
  return config.signalWindowMinutes === undefined
    ? CHANGE_TEST
    : { ...CHANGE_TEST, windowMs: config.signalWindowMinutes * 60_000 };
}

export type ChangeVerdict =
  | { kind: 'insufficient'; before: number; after: number }
  | {
      kind: 'step' | 'none';
      direction: 'up' | 'down';
      before: { n: number; median: number; mad: number };
      after: { n: number; median: number };
      /** median shift in robust standard deviations of the before window */
      robustZ: number;
      /** Mann-Whitney U, two-sided */
      p: number;
    };

export type TestedVerdict = Exclude<ChangeVerdict, { kind: 'insufficient' }>;

export function changeTest(
  before: readonly number[],
  after: readonly number[],
  options: ChangeTestOptions = CHANGE_TEST,
): ChangeVerdict {
  if (before.length < options.minSamples || after.length < options.minSamples) {
    return { kind: 'insufficient', before: before.length, after: after.length };
  }
  const mb = median(before);
  const ma = median(after);
  const mad = median(before.map((v) => Math.abs(v - mb)));
  // A flat before window (MAD 0) would make any change infinite: 1 % of the level, or a tiny absolute floor.
  const scale = Math.max(1.4826 * mad, 0.01 * Math.abs(mb), 1e-9);
  const robustZ = (ma - mb) / scale;
  const p = mannWhitneyP(before, after);
  const step = p < options.alpha && Math.abs(robustZ) >= options.minRobustZ;
  return {
    kind: step ? 'step' : 'none',
    direction: ma >= mb ? 'up' : 'down',
    before: { n: before.length, median: mb, mad },
    after: { n: after.length, median: ma },
    robustZ: Math.round(robustZ * 10) / 10,
    p: Number(p.toPrecision(2)),
  };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Two-sided p of the Mann-Whitney U test, normal approximation with continuity and tie corrections. */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankA = 0;
  let ties = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankA += rank;
    const t = j - i + 1;
    ties += t * t * t - t;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const u = rankA - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  if (sigma === 0) return 1;
  const z = (Math.abs(u - mu) - 0.5) / sigma;
  return Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
}

/** Φ(z), Abramowitz & Stegun 7.1.26 (error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The signals that got worse when they go up. */
const WORSE_UP: ReadonlySet<SignalMetric> = new Set([
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'cost',
]);

export interface SeriesChange {
  metric: SignalMetric;
  /** service/endpoint/module of the series, '' when unlabelled */
  series: string;
  /** the module the series is mapped to, '' when none */
  module: string;
  verdict: ChangeVerdict;
  /** a step in the bad direction */
  worse: boolean;
}

const seriesName = (s: SeriesRow): string =>
  [...new Set([s.service, s.endpoint, s.module])].filter((x) => x !== '').join(' ');

/** Each series of `metrics` in the env (and service, when the deploy has one) tested around `at`. */
export function changesAround(
  db: Db,
  where: { env: string; service?: string | null; at: number },
  metrics: readonly SignalMetric[],
  options: ChangeTestOptions = CHANGE_TEST,
): SeriesChange[] {
  const out: SeriesChange[] = [];
  for (const metric of metrics) {
    for (const s of seriesOf(db, metric, where.env, where.service ?? undefined)) {
      const before = samplesBetween(db, s.id, where.at - options.windowMs, where.at).map((x) => x.value);
      const after = samplesBetween(db, s.id, where.at, where.at + options.windowMs).map((x) => x.value);
      const verdict = changeTest(before, after, options);
      const worse = verdict.kind === 'step' && (verdict.direction === 'up') === WORSE_UP.has(metric);
      out.push({ metric, series: seriesName(s), module: s.module, verdict, worse });
    }
  }
  return out;
}

/** An error rate that stepped up when a deploy finished, with the test's verdict and window. */
export type ErrorRateStep = SeriesChange & { verdict: TestedVerdict; windowMs: number };

/**
 * The strongest rise of an error rate when a deploy finished, if any: evidence for attribution. With a module (the
 * incident's), series mapped to another module are left out: a step there says nothing about this incident.
 */
export function errorRateStep(
  db: Db,
  where: { env: string; service?: string | null; module?: string | null; at: number },
  options: ChangeTestOptions = CHANGE_TEST,
): ErrorRateStep | undefined {
  let best: ErrorRateStep | undefined;
  for (const c of changesAround(db, where, ['error_rate'], options)) {
    const v = c.verdict;
    if (v.kind !== 'step' || !c.worse) continue;
    if (where.module && c.module && c.module !== where.module) continue;
    if (!best || v.robustZ > best.verdict.robustZ) best = { ...c, verdict: v, windowMs: options.windowMs };
  }
  return best;
}

/** "error rate rose from 0.4 % to 3.1 % …" */
export function describeChange(c: SeriesChange, windowMs = CHANGE_TEST.windowMs): string {
  const v = c.verdict;
  const what = `${c.metric.replace('_', ' ')}${c.series ? ` of ${c.series}` : ''}`;
  const minutes = Math.round(windowMs / 60_000);
  if (v.kind === 'insufficient') {
    return `${what}: too few samples to test (${v.before} before, ${v.after} after; ${CHANGE_TEST.minSamples} needed each side)`;
  }
  const fmt = (x: number) => formatSignal(c.metric, x);
  const verb = v.kind === 'step' ? (v.direction === 'up' ? 'rose' : 'fell') : 'stayed';
  const change =
    v.kind === 'step'
      ? `from ${fmt(v.before.median)} to ${fmt(v.after.median)}`
      : `near ${fmt(v.before.median)} (→ ${fmt(v.after.median)})`;
  return `${what} ${verb} ${change} in the ${minutes} min after vs before (median shift ${v.robustZ} robust SD, Mann-Whitney p${v.p < 0.0001 ? '<0.0001' : `=${v.p}`}, n=${v.before.n}/${v.after.n})`;
}

export function formatSignal(metric: SignalMetric, x: number): string {
  if (metric === 'error_rate') return `${Math.round(x * 1000) / 10} %`;
  if (metric.startsWith('latency')) return `${Math.round(x * 10) / 10} ms`;
  return String(Math.round(x * 100) / 100);
}
