import { GitCache, runGit } from '../attribution/blame.js';
import { changeKey } from '../attribution/score-commit.js';
import { AttributionMemo, rankSuspects, type SuspectOptions } from '../attribution/suspects.js';
import { blameFix, rankBlame, storeFacts, type FixBlame, type FixFacts } from '../attribution/szz.js';
import { DEFAULT_WEIGHTS, type Weights } from '../attribution/weights.js';
import type { AppContext } from '../context.js';
import { shippedBefore } from '../store/deploy-shipments.js';
import { commitMessage, commitPathModules } from '../store/suspect-facts.js';
import { Learner } from './learner.js';
import { maskForEval } from './leak.js';
import { CalibrationTally, type Calibration } from './calibration.js';
import { ConfirmedTally, RankTally, type ConfirmedMetrics, type RankMetrics } from './metrics.js';
import { openWorkspace } from './setup.js';
import { forEachLimit, loadTruth, type FixPair } from './truth.js';
import { LEARNED, VARIANTS, type Variant } from './variants.js';

export interface EvalOptions {
  repoPath: string;
  /** release tags recorded as deploys */
  tags: string;
  sample?: number;
  /** unix ms */
  since?: number;
  /** pairs blamed at once (each runs git blame processes) */
  concurrency?: number;
  /** leave out the ablations that need another blame per file (−w, −M, +C) */
  quick?: boolean;
  /** fixes on the default branch only (the default), or on every ref (backports too) */
  branches?: 'default' | 'all';
  /** suspect mode only: no blame, no confirmed-cause rows (fast) */
  suspectsOnly?: boolean;
  log: (m: string) => void;
}

/** A suspect-mode setting: where candidates come from before any fix exists. */
interface SuspectSetting {
  name: string;
  options: SuspectOptions;
}

/** The headline suspect row: `rankSuspects` with the product's defaults, exactly what `attribute` stores. */
export const SUSPECTS_HEADLINE = 'what ships (product defaults)';

const SUSPECT_SETTINGS: readonly SuspectSetting[] = [
  { name: SUSPECTS_HEADLINE, options: {} },
  // Ablation: the model's own scores, not mapped by the repository's earlier confirmed incidents.
  { name: 'what ships without calibration (the model’s scores)', options: { calibrate: false } },
  {
    name: 'before issue 16: commits of the deploys of the last 30 days only',
    options: { changesPerFile: 0, calibrate: false },
  },
  // An upper bound on the candidate pool: every earlier release's commits that touched the incident's files.
  {
    name: "all earlier releases, commits touching the incident's files",
    options: {
      lookbackMs: 36_500 * 86_400_000,
      maxDeploys: 100_000,
      relatedOnly: true,
      changesPerFile: 0,
      calibrate: false,
    },
  },
];

export interface PairResult {
  fix: string;
  fixAt: string;
  truth: string[];
  source: FixPair['source'];
  leak: string | null;
  /** variant → the commits it named */
  chosen: Record<string, string[]>;
  /** hindsight's ranked candidates (sha prefix and score), best first */
  candidates: { sha: string; score: number }[];
  why: string | null;
  /** suspect mode: 1-based rank of the first true cause per setting, null when not ranked */
  suspectRank: Record<string, number | null>;
}

export interface EvalReport {
  repo: { path: string; head: string; headDate: string; commits: number; releaseTags: number };
  generatedAt: string;
  options: {
    tags: string;
    sample: number | null;
    since: string | null;
    quick: boolean;
    branches: 'default' | 'all';
    suspectsOnly: boolean;
  };
  dataset: {
    fixesFound: number;
    evaluated: number;
    excluded: Record<string, number>;
    fromReverts: number;
    multiCause: number;
    /** share of pairs whose cause shipped in a release before the fix */
    causeShippedBefore: number;
  };
  leaks: { found: number; examples: string[] };
  confirmed: { variant: string; role: Variant['role']; metrics: ConfirmedMetrics }[];
  /** hindsight's candidate ranking in confirmed mode, as a ranking */
  confirmedRanking: RankMetrics;
  /**
   * `metrics` over every pair; `shipped` over pairs whose cause was in a release before the fix; `calibration`:
   * the scores of each incident's top 5 suspects (what `incident_suspects` lists) against whether each was a cause
   */
  suspects: { setting: string; metrics: RankMetrics; shipped: RankMetrics; calibration: Calibration }[];
  learnedWeights: Weights | null;
  seconds: number;
  pairs: PairResult[];
}

/**
 * `hindsight eval attribution`: builds incidents from the repository's own `Fixes:` trailers and reverts,
 * runs reference B-SZZ, R-SZZ and L-SZZ, hindsight's SZZ and its ablations on the same pairs, and hindsight's
 * suspect ranking as of each incident's start — in a fresh temp database, without reading the answer.
 */
export async function evaluateAttribution(options: EvalOptions): Promise<EvalReport> {
  const started = Date.now();
  const ws = await openWorkspace(options.repoPath, { tags: options.tags, log: options.log });
  try {
    return await evaluate(ws.ctx, ws.deploys, ws.commits, options, started);
  } finally {
    ws.dispose();
  }
}

async function evaluate(
  ctx: AppContext,
  releaseTags: number,
  commits: number,
  options: EvalOptions,
  started: number,
): Promise<EvalReport> {
  const repoPath = ctx.config.repoPath;
  const log = options.log;
  const truthSet = await loadTruth(ctx.store, repoPath, {
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
    branches: options.branches ?? 'default',
  });
  const pairs = truthSet.pairs;
  log(`eval: ${truthSet.found} fix pairs found, evaluating ${pairs.length}`);
  const variants = options.suspectsOnly ? [] : VARIANTS.filter((v) => !(options.quick && v.costsBlame));
  const facts = storeFacts(ctx.store);
  const cache = new GitCache();

  // Phase 3: suspect mode, as of each incident's start, with the files the fix touched. It reads no blame, so it
  // runs on the main thread while phase 1 waits for git, yielding between rankings so blames keep being started.
  // Two views: every pair, and only pairs whose cause had shipped (an incident in production needs shipped code).
  const suspects = SUSPECT_SETTINGS.map((s) => ({
    s,
    tally: new RankTally(),
    shippedTally: new RankTally(),
    calibration: new CalibrationTally(),
  }));
  const suspectRanks = (async () => {
    const ranks: Record<string, number | null>[] = pairs.map(() => ({}));
    if (releaseTags === 0) return ranks;
    const suspectsStarted = Date.now();
    // One memo for the run: each earlier confirmed incident is replayed once for the calibration maps.
    const memo = new AttributionMemo(ctx.store);
    const keyOf = (sha: string) => {
      const f = facts(sha);
      return f ? changeKey(f) : sha;
    };
    for (const [i, p] of pairs.entries()) {
      const files = commitPathModules(ctx.store, p.fix);
      const causeShipped = p.truth.some((t) => shippedBefore(ctx.store, t, p.fixAt));
      for (const { s, tally, shippedTally, calibration } of suspects) {
        await new Promise((ok) => setImmediate(ok));
        const links = rankSuspects(
          ctx,
          { startedAt: p.fixAt, env: ctx.config.env, service: null, module: null, files },
          { ...s.options, asOf: p.fixAt },
          memo,
        );
        // Ranked by change: a cherry-pick of the cause on a release branch is the cause.
        const seen = new Set<string>();
        const top = links.filter((l) => !seen.has(keyOf(l.target)) && seen.add(keyOf(l.target)));
        const ranked = top.map((l) => keyOf(l.target));
        const truth = p.truth.map(keyOf);
        tally.add(ranked, truth, new Set(ranked));
        for (const [n, l] of top.slice(0, 5).entries()) calibration.add(l.score, truth.includes(ranked[n]!));
        if (causeShipped) shippedTally.add(ranked, truth, new Set(ranked));
        const at = ranked.findIndex((k) => truth.includes(k));
        ranks[i]![s.name] = at >= 0 ? at + 1 : null;
      }
      if ((i + 1) % 25 === 0 || i + 1 === pairs.length)
        progress(log, `suspect mode ${i + 1}/${pairs.length}`, i + 1, pairs.length, suspectsStarted);
    }
    return ranks;
  })();
  // awaited after phase 2; until then a failure must not surface as an unhandled rejection
  suspectRanks.catch(() => undefined);

  // Phase 1 (git-bound, parallel): mask each fix's message and blame it under every variant.
  const blameStarted = Date.now();
  const masked = new Map<string, { text: string; leaked: string | null }>();
  const blames = new Map<string, Map<string, FixBlame>>();
  let done = 0;
  await forEachLimit(pairs, options.concurrency ?? 2, async (p) => {
    const m = commitMessage(ctx.store, p.fix)!;
    const truth = p.truth.map((sha) => ({ sha, subject: facts(sha)?.subject ?? '' }));
    masked.set(p.fix, maskForEval(`${m.subject}\n\n${m.body}`, truth));
    const fix = fixFacts(p, masked.get(p.fix)!.text);
    const perVariant = new Map<string, FixBlame>();
    for (const v of variants) {
      try {
        perVariant.set(v.name, await blameFix(repoPath, fix, v.config, facts, cache));
      } catch (err) {
        log(`eval: ${v.name} failed on ${p.fix.slice(0, 10)}: ${(err as Error).message.slice(0, 200)}`);
      }
    }
    blames.set(p.fix, perVariant);
    done++;
    if (done % 10 === 0 || done === pairs.length)
      progress(
        log,
        `blamed ${done}/${pairs.length} fixes`,
        done,
        pairs.length,
        blameStarted,
        `${cache.blameRuns} git blame runs`,
      );
  });

  // Phase 2 (in time order): rank, with weights learned only from pairs older than the one under test.
  const tallies = new Map(variants.map((v) => [v.name, new ConfirmedTally()]));
  const ranking = new RankTally();
  const learners = new Map(
    variants.filter((v) => v.learn).map((v) => [v.name, new Learner(v.config.disabledFeatures ?? [])]),
  );
  const results: PairResult[] = [];
  for (const p of pairs) {
    const fix = fixFacts(p, masked.get(p.fix)!.text);
    const result: PairResult = {
      fix: p.fix,
      fixAt: new Date(p.fixAt).toISOString(),
      truth: p.truth,
      source: p.source,
      leak: masked.get(p.fix)!.leaked,
      chosen: {},
      candidates: [],
      why: null,
      suspectRank: {},
    };
    for (const v of variants) {
      const blame = blames.get(p.fix)?.get(v.name);
      if (!blame) continue;
      const learner = learners.get(v.name);
      const weights = learner?.weightsBefore(p.fixAt) ?? DEFAULT_WEIGHTS;
      const keep = v.shippedOnly ? (sha: string) => shippedBefore(ctx.store, sha, p.fixAt) : undefined;
      const r = rankBlame(blame, fix, v.config, facts, { weights, ...(keep ? { keep } : {}) });
      tallies.get(v.name)!.add(r.chosen, p.truth);
      result.chosen[v.name] = r.chosen;
      learner?.record(
        p.fixAt,
        r.candidates.map((c) => ({ x: c.features, y: p.truth.includes(c.sha) ? 1 : 0 })),
      );
      if (v.role === 'ours') {
        const ranked = r.candidates.map((c) => c.sha);
        ranking.add(ranked, p.truth, new Set(ranked));
        result.candidates = r.candidates.slice(0, 5).map((c) => ({ sha: c.sha, score: round(c.score) }));
        result.why = r.why;
      }
    }
    results.push(result);
  }

  // Phase 3 (started before phase 1, on the main thread while git blames): its ranks, now that results exist.
  for (const [i, ranks] of (await suspectRanks).entries()) results[i]!.suspectRank = ranks;

  const head = (await runGit(repoPath, ['log', '-1', '--format=%H %cI', 'HEAD'])).trim().split(' ');
  const leaks = results.filter((r) => r.leak);
  return {
    repo: { path: repoPath, head: head[0] ?? '', headDate: head[1] ?? '', commits, releaseTags },
    generatedAt: new Date().toISOString(),
    options: {
      tags: options.tags,
      sample: options.sample ?? null,
      since: options.since !== undefined ? new Date(options.since).toISOString() : null,
      quick: options.quick === true,
      branches: options.branches ?? 'default',
      suspectsOnly: options.suspectsOnly === true,
    },
    dataset: {
      fixesFound: truthSet.found,
      evaluated: pairs.length,
      excluded: truthSet.excluded,
      fromReverts: pairs.filter((p) => p.source === 'revert').length,
      multiCause: pairs.filter((p) => p.truth.length > 1).length,
      causeShippedBefore: round(
        pairs.filter((p) => p.truth.some((t) => shippedBefore(ctx.store, t, p.fixAt))).length /
          Math.max(1, pairs.length),
      ),
    },
    leaks: { found: leaks.length, examples: leaks.slice(0, 5).map((r) => `${r.fix.slice(0, 10)}: ${r.leak}`) },
    confirmed: variants.map((v) => ({ variant: v.name, role: v.role, metrics: tallies.get(v.name)!.result() })),
    confirmedRanking: ranking.result(),
    suspects:
      releaseTags > 0
        ? suspects.map(({ s, tally, shippedTally, calibration }) => ({
            setting: s.name,
            metrics: tally.result(),
            shipped: shippedTally.result(),
            calibration: calibration.result(),
          }))
        : [],
    learnedWeights: learners.get(LEARNED)?.latest() ?? null,
    seconds: Math.round((Date.now() - started) / 1000),
    pairs: results,
  };
}

function fixFacts(p: FixPair, maskedMessage: string): FixFacts {
  return { sha: p.fix, startedAt: p.fixAt, maskedMessage };
}

/** One phase's progress on stderr: what is done, the rate so far, and the time left at that rate. */
function progress(
  log: (m: string) => void,
  what: string,
  done: number,
  total: number,
  phaseStarted: number,
  extra?: string,
): void {
  const s = (Date.now() - phaseStarted) / 1000;
  const perPair = s / Math.max(1, done);
  const left = Math.round(perPair * (total - done));
  const eta = left >= 120 ? `${Math.round(left / 60)} min` : `${left} s`;
  log(`eval: ${what} (${Math.round(s)} s, ${perPair.toFixed(1)} s per fix, ~${eta} left${extra ? `; ${extra}` : ''})`);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
