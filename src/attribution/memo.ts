import type { Db } from '../store/open.js';
import {
  allReverts,
  commitPathModulesOf,
  commitsOfDeploy,
  type CommitRow,
  type CommitFile,
} from '../store/suspect-facts.js';
import { confirmedPairs, type ConfirmedPairRow } from '../store/confirmed-pairs.js';
import { hasSeriesIn } from '../store/signals.js';
import type { CalibrationPoint } from './calibration.js';
import { FailureIndex } from './recurrence.js';

/** Entries per memo before it starts over: incidents attributed in start order share most of their candidates. */
const MEMO_LIMIT = 50_000;

/**
 * What an attribution run keeps from one incident to the next: the same-failure index, and the facts of deploys and
 * commits that do not change while it runs (neighbouring incidents share most of their candidates). Bounded.
 */
export class AttributionMemo {
  readonly failures: FailureIndex;
  private readonly deployCommits = new Map<number, CommitRow[]>();
  private readonly commitFiles = new Map<string, CommitFile[]>();
  private readonly signalEnvs = new Map<string, boolean>();
  private reverts: Map<string, { sha: string; at: number }> | undefined;
  private readonly replayed = new Map<string, CalibrationPoint[]>();
  private pairs: ConfirmedPairRow[] | undefined;

  constructor(
    private readonly db: Db,
    /** entries per map before it starts over */
    private readonly limit = MEMO_LIMIT,
  ) {
    this.failures = new FailureIndex(db);
  }

  commitsOfDeploy(deployId: number): CommitRow[] {
    return remember(this.limit, this.deployCommits, deployId, () => commitsOfDeploy(this.db, deployId));
  }

  /** The files of each of `shas`: those not remembered yet read in one statement (a round trip on PostgreSQL). */
  filesOf(shas: readonly string[]): Map<string, CommitFile[]> {
    const out = new Map<string, CommitFile[]>();
    const missing: string[] = [];
    for (const sha of shas) {
      const files = this.commitFiles.get(sha);
      if (files) out.set(sha, files);
      else missing.push(sha);
    }
    // remembered only after every answer is taken: remembering may start the memo over
    const read = commitPathModulesOf(this.db, missing);
    for (const sha of missing) {
      const files = read.get(sha) ?? [];
      out.set(sha, files);
      remember(this.limit, this.commitFiles, sha, () => files);
    }
    return out;
  }

  /** Whether an env has any signal series: without one, no deploy has an error-rate step to test (one read per env). */
  hasSignals(env: string): boolean {
    return remember(this.limit, this.signalEnvs, env, () => hasSeriesIn(this.db, env));
  }

  /** Every confirmed pair of the store, newest first: read once per run (calibration takes a window of it). */
  confirmedPairs(): ConfirmedPairRow[] {
    return (this.pairs ??= confirmedPairs(this.db));
  }

  /** An earlier confirmed incident's top suspects as of its own start: fixed once computed, so kept. */
  calibrationPoints(key: string, replay: () => CalibrationPoint[]): CalibrationPoint[] {
    return remember(this.limit, this.replayed, key, replay);
  }

  /** The first revert of a commit, whenever it came (attribution reads everything known). */
  revertOf(sha: string): { sha: string; at: number } | null {
    if (!this.reverts) {
      this.reverts = new Map();
      for (const r of allReverts(this.db))
        if (!this.reverts.has(r.revertedSha)) this.reverts.set(r.revertedSha, { sha: r.sha, at: r.at });
    }
    return this.reverts.get(sha) ?? null;
  }
}

function remember<K, V>(limit: number, memo: Map<K, V>, key: K, load: () => V): V {
  if (memo.has(key)) return memo.get(key)!;
  const value = load();
  if (memo.size >= limit) memo.clear();
  memo.set(key, value);
  return value;
}
