import type { Db } from '../store/open.js';
import {
  allReverts,
  commitPathModules,
  commitsOfDeploy,
  type CommitRow,
  type PathModule,
} from '../store/suspect-facts.js';
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
  private readonly commitFiles = new Map<string, PathModule[]>();
  private reverts: Map<string, { sha: string; at: number }> | undefined;
  private readonly replayed = new Map<string, CalibrationPoint[]>();

  constructor(private readonly db: Db) {
    this.failures = new FailureIndex(db);
  }

  commitsOfDeploy(deployId: number): CommitRow[] {
    return remember(this.deployCommits, deployId, () => commitsOfDeploy(this.db, deployId));
  }

  filesOf(sha: string): PathModule[] {
    return remember(this.commitFiles, sha, () => commitPathModules(this.db, sha));
  }

  /** An earlier confirmed incident's top suspects as of its own start: fixed once computed, so kept. */
  calibrationPoints(key: string, replay: () => CalibrationPoint[]): CalibrationPoint[] {
    return remember(this.replayed, key, replay);
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

function remember<K, V>(memo: Map<K, V>, key: K, load: () => V): V {
  if (memo.has(key)) return memo.get(key)!;
  const value = load();
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}
