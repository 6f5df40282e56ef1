/**
 * How suspicion is scored. Each piece of evidence is an independent chance that the change caused the
 * incident; they combine as a noisy-OR, so the score stays in [0, 1], more evidence never lowers it, and
 * each factor's contribution can be read off on its own.
 */
export const WEIGHTS = {
  /** shipped just before the incident; halves every `timeHalfLifeHours` */
  time: 0.3,
  timeHalfLifeHours: 72,
  /** touched a file the incident names: a base for any match, plus the share of the incident's files matched */
  fileMatch: 0.35,
  fileOverlap: 0.15,
  /**
   * among the latest shipped changes to a named file: 1 for the latest, 1/2 for the one before … Measured on
   * real repositories (docs/attribution-eval.md): recency among a file's changes beats how many files matched,
   * which favours old sweeping commits.
   */
  fileHistory: 0.5,
  /** touched the incident's module (when no file matched) */
  module: 0.25,
  /** a commit touching more files than this is a sweep (import, rename, reformat): MA-SZZ drops them; we damp */
  sweepingFiles: 50,
  sweepingFactor: 0.5,
  /** changes that touch only tests rarely break production */
  testOnlyFactor: 0.5,
  /** large changes break more; log-scaled, saturates at 1,000 lines */
  size: 0.1,
  /** reverted after the incident began */
  revertedAfterStart: 0.6,
  /** reverted before the incident began: its change was no longer live (measured: a bonus here misranked) */
  revertedBeforeFactor: 0.5,
  /** its deploy was rolled back after the incident began */
  rolledBack: 0.35,
  /**
   * the error rate stepped up when its deploy finished (src/history/signal-change.ts): full weight at 6 robust
   * standard deviations of the before window, proportionally less below
   */
  errorStep: 0.3,
  errorStepFullZ: 6,
  /** share of the fix's blamed lines that this commit last touched */
  blame: 0.95,
} as const;

/** Links below this are not stored: they would only add noise to the answer. */
export const MIN_SCORE = 0.05;
/** How far back from the incident start candidate deploys are looked for. */
export const LOOKBACK_MS = 30 * 24 * 3600 * 1000;

export function noisyOr(parts: number[]): number {
  let miss = 1;
  for (const p of parts) miss *= 1 - Math.min(1, Math.max(0, p));
  return 1 - miss;
}

export function timeDecay(hours: number): number {
  return Math.pow(0.5, Math.max(0, hours) / WEIGHTS.timeHalfLifeHours);
}

export function sizeScore(lines: number): number {
  return Math.min(1, Math.log10(1 + lines) / 3);
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** An interval for a reason: minutes, hours or days. */
export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}
