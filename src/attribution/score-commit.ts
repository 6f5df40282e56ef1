import type { CommitFacts, SuspectQuery } from './candidates.js';
import { isTestPath } from './filters.js';
import type { Link } from './link.js';
import { pathsMatch } from './paths.js';
import { SUSPECT_MODEL, WEIGHTS, formatHours, round, sizeScore, timeDecay } from './score.js';

// Scoring a shipped commit as a suspect of an incident: timing, the files and modules it shares with the incident,
// how recently it changed a named file, its size, reverts and rollbacks.

/**
 * For each file the incident names, the candidates that changed it, newest first: the latest changes to a
 * broken file are the usual suspects, however long ago their release shipped. Cherry-picks of one change
 * (release branches) share a rank, so backports do not push older changes down the list.
 */
export function fileHistory(inc: SuspectQuery, commits: Map<string, CommitFacts>): Map<string, number> {
  const rank = new Map<string, number>();
  for (const f of inc.files) {
    const touching = [...commits.values()]
      .filter((c) => c.files.some((cf) => pathsMatch(cf.path, f.path)))
      .sort((a, b) => b.authoredAt - a.authoredAt);
    const changes: string[] = [];
    for (const c of touching) {
      const key = changeKey(c);
      if (changes[changes.length - 1] !== key && !changes.includes(key)) changes.push(key);
      rank.set(c.sha, Math.min(rank.get(c.sha) ?? Infinity, changes.indexOf(key)));
    }
  }
  return rank;
}

/** One change, whatever branch it was cherry-picked to: same author date and subject. */
export function changeKey(c: { authoredAt: number; subject: string }): string {
  return `${c.authoredAt}\0${c.subject}`;
}

/** Subjects of changes that rarely carry a bug: documentation, style, typos, renames, cleanups, licences. */
const COSMETIC =
  /\b(?:docs?|man ?pages?|typos?|spelling|comments?|whitespace|style|cleanup|clean up|rename|copyright|license|spdx|readme)\b/i;

/** The evidence SUSPECT_MODEL weighs with fitted weights, each roughly in [0, 1] (0 when absent). */
export const FITTED_FEATURES = [
  'fileMatch',
  'fileOverlap',
  'focus',
  'fileHistory',
  'latest',
  'moduleOnly',
  'size',
  'files',
  'age',
  'liveAge',
  'cosmetic',
  'isRevert',
  'revertedBefore',
  'namedLines',
  'namedShare',
] as const;
export type FittedFeature = (typeof FITTED_FEATURES)[number];
export type SuspectFeatures = Record<FittedFeature, number>;
/** The fitted part of a suspect model: a bias for incidents naming files and one weight per fitted feature. */
export type SuspectWeights = { bias: number } & SuspectFeatures;

/**
 * A commit's evidence as a suspect: the fitted features, the log-odds added by hand-set weights (`fixed`; of which
 * `handSet` is what calibration leaves alone), and the reasons and factors behind them.
 */
export interface SuspectEvidence {
  x: SuspectFeatures;
  fixed: number;
  handSet: number;
  reasons: string[];
  factors: Record<string, number>;
}

export function suspectEvidence(inc: SuspectQuery, c: CommitFacts, history: Map<string, number>): SuspectEvidence {
  const M = SUSPECT_MODEL;
  const reasons: string[] = [];
  const factors: Record<string, number> = {};
  const x = Object.fromEntries(FITTED_FEATURES.map((f) => [f, 0])) as SuspectFeatures;
  const hasLocation = inc.files.length > 0 || inc.module !== null;
  // Naming files makes most candidates unrelated (the fitted prior, in the weights); otherwise the recent deploys are
  // the field.
  let fixed = inc.files.length > 0 ? 0 : M.unlocatedBias;
  // Evidence calibration adds unchanged, as hand-set: what happened after the start (a replayed confirmed incident is
  // read as of its start, so the fit never sees it) and a deploy shortly before it (a replayed incident starts at
  // its fix's date, not when it began, so the timing it shows is an artefact of the replay).
  let handSet = 0;

  if (c.deploy) {
    const hours = (inc.startedAt - c.deploy.finishedAt) / 3_600_000;
    const t = timeDecay(hours);
    factors['time'] = round(t);
    x.liveAge = ageScore(hours / 24);
    handSet += M.time * t;
    reasons.push(`shipped in deploy #${c.deploy.id} ${formatHours(hours)} before the incident began`);
  } else {
    reasons.push('no shipped deploy of this commit found before the incident in this environment');
  }
  x.age = ageScore((inc.startedAt - c.authoredAt) / 86_400_000);

  const matched = inc.files.filter((f) => c.files.some((cf) => pathsMatch(cf.path, f.path)));
  if (inc.files.length > 0) {
    const overlap = matched.length / inc.files.length;
    factors['fileOverlap'] = round(overlap);
    if (matched.length > 0) {
      // its own files the incident names: how focused the change is, and how much of it went there
      const namedFiles = c.files.filter((cf) => inc.files.some((f) => pathsMatch(cf.path, f.path)));
      const focus = namedFiles.length / c.files.length;
      factors['focus'] = round(focus);
      x.fileMatch = 1;
      x.fileOverlap = overlap;
      x.focus = focus;
      // a one-line touch of a named file rarely breaks it
      const linesOf = (files: typeof c.files) => files.reduce((n, cf) => n + (cf.lines ?? 0), 0);
      const lines = linesOf(c.files);
      const named = linesOf(namedFiles);
      x.namedLines = sizeScore(named);
      x.namedShare = lines > 0 ? named / lines : 0;
      factors['namedLines'] = named;
      const names = [...new Set(matched.map((f) => f.path))];
      reasons.push(
        `changed ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` (+${names.length - 3})` : ''} named by the incident`,
      );
    }
    const rank = history.get(c.sha);
    if (rank !== undefined) {
      const recent = 1 / (1 + rank);
      factors['fileHistory'] = round(recent);
      x.fileHistory = recent;
      x.latest = rank === 0 ? 1 : 0;
      if (rank === 0) reasons.push('the most recent shipped change to a file the incident names');
      else if (rank < 5) reasons.push(`among the ${rank + 1} most recent shipped changes to a file the incident names`);
    }
  }
  const incidentModules = new Set([...(inc.module ? [inc.module] : []), ...inc.files.map((f) => f.module)]);
  const sharedModules = [...new Set(c.files.map((f) => f.module))].filter((m) => incidentModules.has(m));
  if (sharedModules.length > 0) factors['module'] = 1;
  if (sharedModules.length > 0 && matched.length === 0) {
    if (inc.files.length > 0) x.moduleOnly = 1;
    else fixed += M.module;
    reasons.push(`touched the incident's module ${sharedModules.join(', ')}`);
  } else if (inc.files.length === 0 && inc.module !== null) {
    fixed += M.otherModule;
  }

  const size = sizeScore(c.size);
  factors['size'] = round(size);
  x.size = size;
  x.files = Math.log10(1 + c.files.length);
  if (c.size >= 200) reasons.push(`large change (${c.size} lines)`);
  if (c.files.length > WEIGHTS.sweepingFiles) {
    reasons.push(`sweeping change (${c.files.length} files): imports and reformats rarely carry the bug`);
  }
  if (COSMETIC.test(c.subject)) {
    factors['cosmetic'] = 1;
    x.cosmetic = 1;
  }
  if (/^revert\b/i.test(c.subject)) x.isRevert = 1;

  const revertedBefore = c.revertedBy !== null && c.revertedBy.at < inc.startedAt;
  if (c.revertedBy) {
    const after = !revertedBefore;
    factors['reverted'] = after ? 1 : 0;
    // Its change was no longer live when the incident began, or it was pulled once the incident was seen.
    if (after) handSet += M.revertedAfterStart;
    else x.revertedBefore = 1;
    reasons.push(
      `reverted by ${c.revertedBy.sha.slice(0, 7)} ${after ? 'after' : 'before'} the incident began (${formatHours(
        Math.abs(c.revertedBy.at - inc.startedAt) / 3_600_000,
      )} ${after ? 'later' : 'earlier'})`,
    );
  }
  if (c.deploy?.rolledBackAt && c.deploy.rolledBackAt >= inc.startedAt) {
    factors['rolledBack'] = 1;
    handSet += M.rolledBack;
    reasons.push(`its deploy #${c.deploy.id} was rolled back after the incident began`);
  }
  if (c.files.length > 0 && c.files.every((f) => isTestPath(f.path))) {
    fixed += M.testOnly;
    reasons.push('changes only tests');
  }
  const related = matched.length > 0 || sharedModules.length > 0 || c.revertedBy !== null;
  if (!related && hasLocation) reasons.push('touches none of the files or modules the incident names');
  return { x, fixed, handSet, reasons, factors };
}

/** The fitted log-odds of some evidence under some weights (the bias only when the incident names files). */
export function fittedLogOdds(inc: SuspectQuery, e: SuspectEvidence, w: SuspectWeights): number {
  let z = (inc.files.length > 0 ? w.bias : 0) + e.fixed;
  for (const f of FITTED_FEATURES) z += w[f] * e.x[f];
  return z;
}

/**
 * A commit's heuristic link: a suspect scored by SUSPECT_MODEL (the chance that it is the cause), with the reasons
 * and factors behind the score. `weights` replaces the model's fitted weights (a repository's own refit).
 */
export function scoreCommit(
  inc: SuspectQuery,
  c: CommitFacts,
  history: Map<string, number>,
  weights: SuspectWeights = SUSPECT_MODEL,
): Link {
  return linkOf(inc, c.sha, suspectEvidence(inc, c, history), weights);
}

/** The link for a suspect's evidence under some weights. */
function linkOf(inc: SuspectQuery, sha: string, e: SuspectEvidence, weights: SuspectWeights): Link {
  const fitted = fittedLogOdds(inc, e, weights);
  const factors: Record<string, number> = { ...e.factors, logOdds: round(fitted) };
  if (e.handSet !== 0) factors['handSet'] = round(e.handSet);
  return {
    kind: 'commit',
    target: sha,
    score: round(1 / (1 + Math.exp(-(fitted + e.handSet)))),
    status: 'suspect',
    method: 'heuristic',
    evidence: { reasons: [...e.reasons], factors },
  };
}

/** Days as a log-scaled age in about [0, 1]: 0 today, 0.5 after 100 days, 1 after 27 years. */
function ageScore(days: number): number {
  return Math.log10(1 + Math.max(0, days)) / 4;
}
