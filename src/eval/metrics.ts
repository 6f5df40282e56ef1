/** Confirmed-cause figures, micro-averaged over pairs (as in Rosa et al.): every named commit counts once. */
export interface ConfirmedMetrics {
  pairs: number;
  truePositives: number;
  predicted: number;
  actual: number;
  precision: number;
  recall: number;
  f1: number;
  /** pairs where the variant named nothing */
  empty: number;
}

export class ConfirmedTally {
  private tp = 0;
  private predicted = 0;
  private actual = 0;
  private pairs = 0;
  private empty = 0;

  add(chosen: readonly string[], truth: readonly string[]): void {
    this.pairs++;
    this.predicted += chosen.length;
    this.actual += truth.length;
    this.tp += chosen.filter((c) => truth.includes(c)).length;
    if (chosen.length === 0) this.empty++;
  }

  result(): ConfirmedMetrics {
    const precision = this.predicted > 0 ? this.tp / this.predicted : 0;
    const recall = this.actual > 0 ? this.tp / this.actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return {
      pairs: this.pairs,
      truePositives: this.tp,
      predicted: this.predicted,
      actual: this.actual,
      precision: round(precision),
      recall: round(recall),
      f1: round(f1),
      empty: this.empty,
    };
  }
}

/** Suspect-mode figures: where the first true cause lands in the ranked list. */
export interface RankMetrics {
  incidents: number;
  hit1: number;
  hit5: number;
  mrr: number;
  /** incidents whose true cause was among the candidates at all */
  inPool: number;
}

export class RankTally {
  private n = 0;
  private h1 = 0;
  private h5 = 0;
  private rr = 0;
  private pool = 0;

  add(ranked: readonly string[], truth: readonly string[], pool: ReadonlySet<string>): void {
    this.n++;
    const at = ranked.findIndex((s) => truth.includes(s));
    if (at === 0) this.h1++;
    if (at >= 0 && at < 5) this.h5++;
    if (at >= 0) this.rr += 1 / (at + 1);
    if (truth.some((t) => pool.has(t))) this.pool++;
  }

  result(): RankMetrics {
    const d = this.n || 1;
    return {
      incidents: this.n,
      hit1: round(this.h1 / d),
      hit5: round(this.h5 / d),
      mrr: round(this.rr / d),
      inPool: round(this.pool / d),
    };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
