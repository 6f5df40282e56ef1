/** One score bucket of a reliability table: how often a suspect scored in [from, to) was a true cause. */
export interface ReliabilityBucket {
  from: number;
  to: number;
  count: number;
  meanScore: number;
  hitRate: number;
}

/** Are the scores probabilities? A reliability table, the Brier score, and the base rate it compares with. */
export interface Calibration {
  /** scored suspects (each incident's top 5) */
  count: number;
  /** mean squared error of the score as a probability of being a cause (lower is better) */
  brier: number;
  /** the Brier score of always answering the observed hit rate: a score that knows nothing */
  brierBaseline: number;
  buckets: ReliabilityBucket[];
  /** (score before calibration, hit): what a mapping is fitted on; only in the JSON report */
  raw: [number, 0 | 1][];
}

const EDGES = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.000001];

export class CalibrationTally {
  private readonly points: [number, 0 | 1][] = [];
  private readonly raw: [number, 0 | 1][] = [];

  /** `raw`: the score before calibration (the same when there is none) */
  add(score: number, hit: boolean, raw = score): void {
    this.points.push([score, hit ? 1 : 0]);
    this.raw.push([raw, hit ? 1 : 0]);
  }

  result(): Calibration {
    const n = this.points.length;
    const rate = n > 0 ? this.points.reduce((a, [, y]) => a + y, 0) / n : 0;
    const brier = n > 0 ? this.points.reduce((a, [s, y]) => a + (s - y) ** 2, 0) / n : 0;
    const buckets: ReliabilityBucket[] = [];
    for (let i = 0; i + 1 < EDGES.length; i++) {
      const inside = this.points.filter(([s]) => s >= EDGES[i]! && s < EDGES[i + 1]!);
      if (inside.length === 0) continue;
      buckets.push({
        from: EDGES[i]!,
        to: Math.min(1, EDGES[i + 1]!),
        count: inside.length,
        meanScore: round(inside.reduce((a, [s]) => a + s, 0) / inside.length),
        hitRate: round(inside.reduce((a, [, y]) => a + y, 0) / inside.length),
      });
    }
    return {
      count: n,
      brier: round(brier, 4),
      brierBaseline: round(rate * (1 - rate), 4),
      buckets,
      raw: [...this.raw],
    };
  }
}

/**
 * Platt scaling: the logistic curve p = 1 / (1 + e^-(a·x + b)) that best predicts `y` from `x`, by Newton's
 * method on the log-loss (with Platt's smoothed targets, so a perfectly separated sample stays finite).
 */
export function fitPlatt(points: readonly (readonly [number, 0 | 1])[]): { a: number; b: number } {
  const pos = points.filter(([, y]) => y === 1).length;
  const neg = points.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (const [x, y] of points) {
      const t = y === 1 ? hi : lo;
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      const d = p - t;
      const w = p * (1 - p);
      ga += d * x;
      gb += d;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a: round(a, 4), b: round(b, 4) };
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
