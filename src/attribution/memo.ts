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
import { replayWatermark, saveReplays, storedReplays, type ReplayRow } from '../store/calibration-replays.js';
import { REPLAY_MODEL, replayKey, type CalibrationPoint, type ConfirmedIncident } from './calibration.js';
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

  private readonly limit: number;
  private readonly keepReplays: boolean;

  constructor(
    private readonly db: Db,
    options: {
      /** entries per map before it starts over */
      limit?: number;
      /** store the calibration replays this memo computes (an attribution run, which writes anyway) */
      keepReplays?: boolean;
    } = {},
  ) {
    this.limit = options.limit ?? MEMO_LIMIT;
    this.keepReplays = options.keepReplays ?? false;
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

  /**
   * Earlier confirmed incidents' top suspects, each as of its own start: remembered in this run, else stored by an
   * earlier one (one statement for all that are missing), else replayed — and stored when this memo keeps replays.
   * A replay reads only what came before its start, so it is fixed until an older deploy or commit arrives, which
   * deletes it (migration 0018).
   */
  calibrationPoints(
    env: string,
    incidents: readonly ConfirmedIncident[],
    replay: (inc: ConfirmedIncident) => CalibrationPoint[],
  ): Map<ConfirmedIncident, CalibrationPoint[]> {
    const out = new Map<ConfirmedIncident, CalibrationPoint[]>();
    const keys = new Map(incidents.map((inc) => [inc, replayKey(inc)]));
    const missing: ConfirmedIncident[] = [];
    for (const inc of incidents) {
      const points = this.replayed.get(`${env}\0${keys.get(inc)!}`);
      if (points) out.set(inc, points);
      else missing.push(inc);
    }
    if (missing.length === 0) return out;
    const stored = storedReplays(
      this.db,
      env,
      REPLAY_MODEL,
      missing.map((inc) => keys.get(inc)!),
    );
    const watermark = this.keepReplays && missing.length > stored.size ? replayWatermark(this.db) : undefined;
    const fresh: ReplayRow[] = [];
    for (const inc of missing) {
      const json = stored.get(keys.get(inc)!);
      const points = json !== undefined ? (JSON.parse(json) as CalibrationPoint[]) : replay(inc);
      if (json === undefined)
        fresh.push({ fixKey: keys.get(inc)!, startedAt: inc.startedAt, points: JSON.stringify(points) });
      out.set(inc, points);
    }
    // remembered only after every answer is taken: remembering may start the memo over
    for (const [inc, points] of out) remember(this.limit, this.replayed, `${env}\0${keys.get(inc)!}`, () => points);
    if (watermark && fresh.length > 0) saveReplays(this.db, env, REPLAY_MODEL, fresh, watermark);
    return out;
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
