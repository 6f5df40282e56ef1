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

/**
 * A commit's heuristic link: a suspect scored by SUSPECT_MODEL (the chance that it is the cause), with the reasons
 * and factors behind the score.
 */
export function scoreCommit(inc: SuspectQuery, c: CommitFacts, history: Map<string, number>): Link {
  const M = SUSPECT_MODEL;
  const reasons: string[] = [];
  const factors: Record<string, number> = {};
  const hasLocation = inc.files.length > 0 || inc.module !== null;
  // Naming files makes most candidates unrelated (the fitted prior); otherwise the recent deploys are the field.
  let z = inc.files.length > 0 ? M.bias : M.unlocatedBias;
  // Evidence calibration adds unchanged, as hand-set: what happened after the start (a replayed confirmed incident is
  // read as of its start, so the fit never sees it) and a deploy shortly before it (a replayed incident starts at
  // its fix's date, not when it began, so the timing it shows is an artefact of the replay).
  let handSet = 0;

  if (c.deploy) {
    const hours = (inc.startedAt - c.deploy.finishedAt) / 3_600_000;
    const t = timeDecay(hours);
    factors['time'] = round(t);
    z += M.time * t + M.liveAge * ageScore(hours / 24);
    handSet += M.time * t;
    reasons.push(`shipped in deploy #${c.deploy.id} ${formatHours(hours)} before the incident began`);
  } else {
    reasons.push('no shipped deploy of this commit found before the incident in this environment');
  }
  z += M.age * ageScore((inc.startedAt - c.authoredAt) / 86_400_000);

  const matched = inc.files.filter((f) => c.files.some((cf) => pathsMatch(cf.path, f.path)));
  if (inc.files.length > 0) {
    const overlap = matched.length / inc.files.length;
    factors['fileOverlap'] = round(overlap);
    if (matched.length > 0) {
      const focus = c.files.filter((cf) => inc.files.some((f) => pathsMatch(cf.path, f.path))).length / c.files.length;
      factors['focus'] = round(focus);
      z += M.fileMatch + M.fileOverlap * overlap + M.focus * focus;
      const names = [...new Set(matched.map((f) => f.path))];
      reasons.push(
        `changed ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` (+${names.length - 3})` : ''} named by the incident`,
      );
    }
    const rank = history.get(c.sha);
    if (rank !== undefined) {
      const recent = 1 / (1 + rank);
      factors['fileHistory'] = round(recent);
      z += M.fileHistory * recent + (rank === 0 ? M.latest : 0);
      if (rank === 0) reasons.push('the most recent shipped change to a file the incident names');
      else if (rank < 5) reasons.push(`among the ${rank + 1} most recent shipped changes to a file the incident names`);
    }
  }
  const incidentModules = new Set([...(inc.module ? [inc.module] : []), ...inc.files.map((f) => f.module)]);
  const sharedModules = [...new Set(c.files.map((f) => f.module))].filter((m) => incidentModules.has(m));
  if (sharedModules.length > 0) factors['module'] = 1;
  if (sharedModules.length > 0 && matched.length === 0) {
    z += inc.files.length > 0 ? M.moduleOnly : M.module;
    reasons.push(`touched the incident's module ${sharedModules.join(', ')}`);
  } else if (inc.files.length === 0 && inc.module !== null) {
    z += M.otherModule;
  }

  const size = sizeScore(c.size);
  factors['size'] = round(size);
  z += M.size * size + M.files * Math.log10(1 + c.files.length);
  if (c.size >= 200) reasons.push(`large change (${c.size} lines)`);
  if (c.files.length > WEIGHTS.sweepingFiles) {
    reasons.push(`sweeping change (${c.files.length} files): imports and reformats rarely carry the bug`);
  }
  if (COSMETIC.test(c.subject)) {
    factors['cosmetic'] = 1;
    z += M.cosmetic;
  }
  if (/^revert\b/i.test(c.subject)) z += M.isRevert;

  const revertedBefore = c.revertedBy !== null && c.revertedBy.at < inc.startedAt;
  if (c.revertedBy) {
    const after = !revertedBefore;
    factors['reverted'] = after ? 1 : 0;
    // Its change was no longer live when the incident began, or it was pulled once the incident was seen.
    z += after ? M.revertedAfterStart : M.revertedBefore;
    if (after) handSet += M.revertedAfterStart;
    reasons.push(
      `reverted by ${c.revertedBy.sha.slice(0, 7)} ${after ? 'after' : 'before'} the incident began (${formatHours(
        Math.abs(c.revertedBy.at - inc.startedAt) / 3_600_000,
      )} ${after ? 'later' : 'earlier'})`,
    );
  }
  if (c.deploy?.rolledBackAt && c.deploy.rolledBackAt >= inc.startedAt) {
    factors['rolledBack'] = 1;
    z += M.rolledBack;
    handSet += M.rolledBack;
    reasons.push(`its deploy #${c.deploy.id} was rolled back after the incident began`);
  }
  if (c.files.length > 0 && c.files.every((f) => isTestPath(f.path))) {
    z += M.testOnly;
    reasons.push('changes only tests');
  }
  const related = matched.length > 0 || sharedModules.length > 0 || c.revertedBy !== null;
  if (!related && hasLocation) reasons.push('touches none of the files or modules the incident names');
  factors['logOdds'] = round(z - handSet);
  if (handSet !== 0) factors['handSet'] = round(handSet);
  return {
    kind: 'commit',
    target: c.sha,
    score: round(1 / (1 + Math.exp(-z))),
    status: 'suspect',
    method: 'heuristic',
    evidence: { reasons, factors },
  };
}

/** Days as a log-scaled age in about [0, 1]: 0 today, 0.5 after 100 days, 1 after 27 years. */
function ageScore(days: number): number {
  return Math.log10(1 + Math.max(0, days)) / 4;
}
