import { DEFAULT_WEIGHTS, trainWeights, type Feature, type TrainingRow, type Weights } from '../attribution/weights.js';

/** Learned weights are used once this many older pairs exist, and refreshed every `RETRAIN_EVERY` pairs. */
export const MIN_TRAIN_PAIRS = 20;
const RETRAIN_EVERY = 10;

/**
 * Online learning for one variant: the candidates of a pair become training rows only for pairs that are
 * strictly newer, so no pair is ever scored with weights that saw it (or anything after it).
 */
export class Learner {
  private readonly seen: { at: number; rows: TrainingRow[] }[] = [];
  private weights: Weights | null = null;
  private trainedOn = -1;

  constructor(private readonly disabled: readonly Feature[] = []) {}

  /** Weights for a pair whose incident began at `at` (unix ms). */
  weightsBefore(at: number): Weights {
    const older = this.seen.filter((s) => s.at < at);
    if (older.length < MIN_TRAIN_PAIRS) return DEFAULT_WEIGHTS;
    // Retrain when enough new older pairs arrived, or when the older set is not the one trained on.
    if (!this.weights || older.length - this.trainedOn >= RETRAIN_EVERY || older.length < this.trainedOn) {
      this.weights = trainWeights(
        older.flatMap((s) => s.rows),
        { disabled: this.disabled },
      );
      this.trainedOn = older.length;
    }
    return this.weights;
  }

  record(at: number, rows: TrainingRow[]): void {
    this.seen.push({ at, rows });
  }

  latest(): Weights | null {
    return this.weights;
  }
}
