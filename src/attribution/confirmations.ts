import { existsSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { errorMessage } from '../errors.js';
import { resolveSha } from '../store/commits.js';
import { repoPathOfCommit } from '../store/repos.js';
import { commitMessage, commitPathModules, fixedBy, revertsBetween } from '../store/suspect-facts.js';
import { pathsMatch } from './paths.js';
import type { FailureIndex, FailureQuery } from './recurrence.js';
import { WEIGHTS, noisyOr, round } from './score.js';
import { maskFixMessage } from './similarity.js';
import { HINDSIGHT_SZZ, runSzz, storeFacts, type SzzResult } from './szz.js';

export type ConfirmationMethod = 'fix-blame' | 'root-cause' | 'revert' | 'recurrence';

export interface Confirmation {
  sha: string;
  /** false: the evidence points at this commit but is too weak to call it the cause */
  confirmed: boolean;
  method: ConfirmationMethod;
  score: number;
  reasons: string[];
  blamed?: string[];
}

/** The incident as confirmation reads it. */
export interface ConfirmationQuery extends FailureQuery {
  resolvedAt: number | null;
  fixSha: string | null;
  rootCauseSha: string | null;
  files: { path: string; module: string }[];
}

/** Turns a root-cause sha, a fix (SZZ blame), a revert or a recurrence into confirmed causes. */
export async function confirmations(
  ctx: AppContext,
  inc: ConfirmationQuery,
  failures: FailureIndex,
): Promise<{ commits: Confirmation[]; notes: string[] }> {
  const out: Confirmation[] = [];
  const notes: string[] = [];
  const resolve = (ref: string): string | undefined => {
    try {
      return resolveSha(ctx.store, ref);
    } catch {
      return undefined; // ambiguous prefix: treated as unknown, and said so below
    }
  };

  if (inc.rootCauseSha) {
    const sha = resolve(inc.rootCauseSha);
    if (sha)
      out.push({
        sha,
        confirmed: true,
        method: 'root-cause',
        score: 1,
        reasons: ['named as the root cause by the incident record'],
      });
    else notes.push(`root cause ${inc.rootCauseSha} is not an ingested commit; run 'hindsight ingest git'`);
  }

  if (inc.fixSha) {
    const fix = resolve(inc.fixSha);
    if (!fix) {
      notes.push(
        `fix ${inc.fixSha} is not an ingested commit yet; its blame will be added after 'hindsight ingest git'`,
      );
    } else {
      out.push(...namedByFix(ctx, fix));
      let result: SzzResult | undefined;
      try {
        result = await blameTheFix(ctx, inc, fix);
      } catch (err) {
        notes.push(`could not blame fix ${fix.slice(0, 7)}: ${errorMessage(err)}`);
      }
      for (const c of result ? fromSzz(result, notes) : []) {
        // Named by the fix and found by blame: one confirmation, with both pieces of evidence.
        const named = out.find((o) => o.sha === c.sha);
        if (!named) out.push(c);
        else {
          named.reasons.push(...c.reasons);
          if (c.blamed) named.blamed = c.blamed;
        }
      }
    }
  }

  // A revert that landed after the incident began is the team saying "this change did it".
  for (const r of revertsBetween(ctx.store, inc.startedAt, (inc.resolvedAt ?? inc.startedAt) + 24 * 3_600_000)) {
    const touched = commitPathModules(ctx.store, r.sha);
    const related =
      (inc.files.length === 0 && inc.module === null) ||
      touched.some(
        (t) =>
          inc.files.some((f) => pathsMatch(t.path, f.path)) ||
          t.module === inc.module ||
          inc.files.some((f) => f.module === t.module),
      );
    if (!related) continue;
    if (!out.some((o) => o.sha === r.sha)) {
      out.push({
        sha: r.sha,
        confirmed: true,
        method: 'revert',
        score: 0.85,
        reasons: [`reverted by ${r.revertSha.slice(0, 7)} while the incident was open, in the incident's area`],
      });
    }
  }
  const known = new Set(out.map((o) => o.sha));
  for (const r of failures.recurrenceCauses(inc))
    if (!known.has(r.sha)) out.push({ ...r, confirmed: true, method: 'recurrence' });
  return { commits: out, notes };
}

/** The fix's own `Fixes: <sha>` trailers: the team wrote down the cause. */
function namedByFix(ctx: AppContext, fix: string): Confirmation[] {
  return fixedBy(ctx.store, fix).map((r) => ({
    sha: r.sha,
    confirmed: true,
    method: 'root-cause' as const,
    score: 1,
    reasons: [`named by the fix ${fix.slice(0, 7)} itself (Fixes: ${r.ref})`],
  }));
}

/** SZZ on the incident's fix, with the fix's message masked so similarity never reads a named sha. */
async function blameTheFix(ctx: AppContext, inc: ConfirmationQuery, fix: string): Promise<SzzResult> {
  const msg = commitMessage(ctx.store, fix);
  const maskedMessage = maskFixMessage(msg ? `${msg.subject}\n\n${msg.body}` : '');
  return runSzz(
    fixRepository(ctx, fix),
    { sha: fix, startedAt: inc.startedAt, maskedMessage },
    HINDSIGHT_SZZ,
    storeFacts(ctx.store),
  );
}

/**
 * The repository the fix was ingested from: a team server serves several over one store, and an incident arriving by
 * webhook is attributed with the server's first repository's context, where another repository's fix is unknown to
 * git. The context's own when the stored path is gone (a database copied from another machine).
 */
function fixRepository(ctx: AppContext, fix: string): string {
  const path = repoPathOfCommit(ctx.store, fix);
  return path !== undefined && existsSync(path) ? path : ctx.config.repoPath;
}

/** The SZZ pick becomes confirmed causes; other commits that wrote changed lines stay suspects. */
function fromSzz(result: SzzResult, notes: string[]): Confirmation[] {
  const fix = result.fixSha.slice(0, 7);
  notes.push(...result.notes.slice(0, 3));
  if (result.candidates.length === 0) {
    notes.push(`blaming fix ${fix} found no earlier line to blame`);
    return [];
  }
  const out: Confirmation[] = [];
  for (const c of result.candidates) {
    const confirmed = result.chosen.includes(c.sha);
    const changed = c.lines.filter((l) => l.via === 'changed').length;
    if (!confirmed && changed === 0) continue;
    // The same weighted share the ranking used: a changed line counts 1, a neighbour of an addition less.
    const share = Math.round(c.features.share * 100);
    const what =
      changed > 0
        ? `last changed ${changed} line(s) that fix ${fix} changed`
        : `wrote ${c.lines.length} line(s) around where fix ${fix} added code`;
    const reasons = [`${what} (${share}% of the blamed lines)`];
    if (confirmed && c === result.candidates[0] && result.why) reasons.push(`why this one: ${result.why}`);
    const ordered = [...c.lines].sort((a, b) => Number(b.via === 'changed') - Number(a.via === 'changed'));
    out.push({
      sha: c.sha,
      confirmed,
      method: 'fix-blame',
      score: round(confirmed ? noisyOr([WEIGHTS.blame * c.score, 0.5]) : 0.5 * WEIGHTS.blame * c.score),
      reasons,
      blamed: ordered.slice(0, 5).map((l) => `${l.path}:${l.line}  ${l.text.trim().slice(0, 100)}`),
    });
  }
  return out;
}
