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
  /** (score, hit) of every scored suspect, for refitting the model's weights; only in the JSON report */
  points: [number, 0 | 1][];
}

const EDGES = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.000001];

export class CalibrationTally {
  private readonly points: [number, 0 | 1][] = [];

  add(score: number, hit: boolean): void {
    this.points.push([score, hit ? 1 : 0]);
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
      points: [...this.points],
    };
  }
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
