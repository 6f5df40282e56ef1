/**
 * How the commits a fix's blame points at are weighed against each other. Instead of one rule (B-SZZ: all of
 * them; R-SZZ: the most recent) each candidate gets a logistic score from a few readable features, so a
 * recent commit that wrote one blamed line does not beat an older one that wrote the whole broken function.
 */

/** Candidate features, each roughly in [0, 1]. */
export const FEATURES = [
  /** weighted share of the blamed lines this commit last touched (changed lines 1, lines next to an addition 0.5) */
  'share',
  /** 1 when at least one line the fix changed or removed is this commit's (not only neighbours of an addition) */
  'changed',
  /** share of the fix's blamed hunks in which this commit appears */
  'hunks',
  /** 1 for the most recent candidate (R-SZZ's rule, as one piece of evidence among others) */
  'latest',
  /** 1 / (1 + rank by recency): the second most recent gets 0.5 */
  'recency',
  /** log-scaled age at the fix: 0 for the same day, 1 for ~27 years */
  'age',
  /** share of the fix's code files this commit also touched */
  'files',
  /** log-scaled size of the commit (lines added + deleted) */
  'size',
  /** word similarity between the fix's (masked) message and this commit's message */
  'message',
  /** same area before the subject's colon (`netdev-dpdk: …`) */
  'area',
] as const;

export type Feature = (typeof FEATURES)[number];
export type FeatureVector = Record<Feature, number>;

export interface Weights {
  bias: number;
  w: FeatureVector;
}

/**
 * Starting weights, used until a repository has enough older confirmed pairs to learn from (and by the
 * product, which does not learn yet). Hand-set, then refined once on iproute2's pairs (the development
 * repository in docs/attribution-eval.md); the other repositories there were not used to set them.
 */
export const DEFAULT_WEIGHTS: Weights = {
  bias: -4.9,
  w: {
    share: 2.5,
    changed: 0.65,
    hunks: 1.1,
    latest: 0.35,
    recency: 0.4,
    age: -1.3,
    files: 1.35,
    size: 0.35,
    message: 2.45,
    area: 0.35,
  },
};

export function logistic(weights: Weights, x: FeatureVector): number {
  let z = weights.bias;
  for (const f of FEATURES) z += weights.w[f] * x[f];
  return 1 / (1 + Math.exp(-z));
}

/** A candidate of an earlier, confirmed pair: its features and whether it was the true cause. */
export interface TrainingRow {
  x: FeatureVector;
  y: 0 | 1;
}

/**
 * L2-regularised logistic regression by batch gradient descent, starting from (and pulled towards) the
 * defaults, so a few dozen pairs refine the hand-set weights instead of replacing them with noise.
 * Features in `disabled` stay at zero weight.
 */
export function trainWeights(
  rows: readonly TrainingRow[],
  options: { start?: Weights; l2?: number; epochs?: number; rate?: number; disabled?: readonly Feature[] } = {},
): Weights {
  const start = options.start ?? DEFAULT_WEIGHTS;
  const l2 = options.l2 ?? 0.05;
  const rate = options.rate ?? 0.5;
  const epochs = options.epochs ?? 300;
  const off = new Set(options.disabled ?? []);
  const w: FeatureVector = { ...start.w };
  for (const f of off) w[f] = 0;
  let bias = start.bias;
  if (rows.length === 0) return { bias, w };
  for (let e = 0; e < epochs; e++) {
    const grad: FeatureVector = Object.fromEntries(FEATURES.map((f) => [f, 0])) as FeatureVector;
    let gb = 0;
    const norm = rows.length;
    for (const r of rows) {
      const err = logistic({ bias, w }, r.x) - r.y;
      gb += err;
      for (const f of FEATURES) grad[f] += err * r.x[f];
    }
    bias -= (rate * gb) / norm;
    for (const f of FEATURES) {
      if (off.has(f)) continue;
      w[f] -= rate * (grad[f] / norm + l2 * (w[f] - start.w[f]));
    }
  }
  return { bias, w };
}

export function zeroFeatures(): FeatureVector {
  return Object.fromEntries(FEATURES.map((f) => [f, 0])) as FeatureVector;
}

/**
 * The version of how suspects are scored and calibrated (SUSPECT_MODEL, scoreCommit's evidence, the calibration map
 * and its fit). Anything kept from an earlier scoring — replayed calibration points — is only valid for the same
 * version: bump it whenever suspect scoring changes. 2: the calibration map weighs hand-set evidence (c); 3: the
 * lines a change made in the named files (namedLines, namedShare), the model and the global map refitted.
 */
export const SUSPECT_MODEL_VERSION = '3';
