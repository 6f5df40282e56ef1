/**
 * How suspicion is scored. Each piece of evidence is an independent chance that the change caused the
 * incident; they combine as a noisy-OR, so the score stays in [0, 1], more evidence never lowers it, and
 * each factor's contribution can be read off on its own.
 */
export const WEIGHTS = {
  /** shipped just before the incident; halves every `timeHalfLifeHours` */
  time: 0.3,
  timeHalfLifeHours: 72,
  /** a commit touching more files than this is a sweep (import, rename, reformat) */
  sweepingFiles: 50,
  /**
   * the error rate stepped up when its deploy finished (src/history/signal-change.ts): full weight at 6 robust
   * standard deviations of the before window, proportionally less below
   */
  errorStep: 0.3,
  errorStepFullZ: 6,
  /** share of the fix's blamed lines that this commit last touched */
  blame: 0.95,
} as const;

/**
 * A shipped commit's chance of being an incident's cause, as a logistic model over readable evidence: each weight
 * adds to the log-odds, so a score reads as a probability (issue 16: "0.8" should be right about 80 % of the time).
 * The weights marked fitted come from one logistic regression on the pooled fix pairs of the two development
 * repositories (shemminger/iproute2 and linux-nvme/nvme-cli: incidents naming the fix's files, as of the fix; see
 * docs/attribution-eval.md), refitted once when the lines changed in the named files joined them (pulled towards
 * the first fit), shipped as constants and measured on repositories they were not fitted on. What the
 * evaluation cannot see — a deploy hours before, a revert or rollback after the start, an incident naming no
 * file — is hand-set.
 */
export const SUSPECT_MODEL = {
  /** fitted: log-odds of a candidate touching nothing the incident names, when it names files */
  bias: -11.39,
  /** fitted: touched a file the incident names */
  fileMatch: 0.93,
  /** fitted: share of the incident's files it touched */
  fileOverlap: 2.33,
  /** fitted: share of its own files the incident names (a focused change over a sweep that brushed the file) */
  focus: -0.12,
  /** fitted: 1 / (1 + n) for the change with n later shipped changes to a named file */
  fileHistory: 5.99,
  /** fitted: the very latest change is less likely than 1 / (1 + n) alone says (it is often the cosmetic one) */
  latest: -2.34,
  /** fitted: touched the incident's module but none of its files */
  moduleOnly: 1.76,
  /** fitted: sizeScore (bigger changes break more) */
  size: 3.13,
  /** fitted: log10(1 + files it touched): sweeping changes rarely carry the bug */
  files: -0.72,
  /** fitted: ageScore of the days since it was written */
  age: 0.25,
  /** fitted: ageScore of the days since it went live */
  liveAge: 0.15,
  /** fitted: its subject says documentation, style, typo, rename, cleanup, licence */
  cosmetic: -1.26,
  /** fitted: it is itself a revert */
  isRevert: -1.74,
  /** fitted: reverted before the incident began (its change was no longer live) */
  revertedBefore: -1.2,
  /** fitted: sizeScore of the lines it changed in the named files */
  namedLines: 2.33,
  /** fitted: share of its changed lines that are in the named files */
  namedShare: 1.16,
  /** hand-set: an incident that names no file: the prior of a recently shipped change */
  unlocatedBias: -6.5,
  /** hand-set: with no file named, touched the incident's module, or not */
  module: 1.5,
  otherModule: -1.5,
  /** hand-set: shipped just before the incident (timeDecay of the hours between) */
  time: 4,
  /** hand-set: reverted after the incident began */
  revertedAfterStart: 3,
  /** hand-set: its deploy was rolled back after the incident began */
  rolledBack: 2,
  /** hand-set: changes only tests */
  testOnly: -1.5,
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
