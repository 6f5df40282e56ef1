import type { Db } from './open.js';
import { inJson } from './dialect.js';
import { prepared as stmt } from './prepared.js';

// Calibration replays kept between runs (migration 0018 says what invalidates them). Points are stored as the JSON
// the caller gives: the store does not interpret them.

/** One replayed confirmed incident: its key (fix and causes), its start, and its points as JSON. */
export interface ReplayRow {
  fixKey: string;
  startedAt: number;
  points: string;
}

/** Replays at most this many rows per INSERT (5 parameters each). */
const ROWS_PER_INSERT = 100;

/**
 * The newest deploy and commit stored: taken before replays are computed and checked when they are saved, so a
 * replay computed while another writer stored an older deploy or commit is not kept (the writer's trigger could
 * have run before the replay was saved, leaving nothing to delete).
 */
export function replayWatermark(db: Db): [number, number] {
  const row = stmt(
    db,
    `SELECT (SELECT coalesce(max(id), 0) FROM deploys) AS deploys, (SELECT coalesce(max(rowid), 0) FROM commits) AS commits`,
  ).get() as { deploys: number; commits: number };
  return [Number(row.deploys), Number(row.commits)];
}

/** The stored replays of `keys` for one env and model: key → points JSON. */
export function storedReplays(db: Db, env: string, model: string, keys: readonly string[]): Map<string, string> {
  if (keys.length === 0) return new Map();
  const rows = stmt(
    db,
    `SELECT fix_key AS fixKey, points FROM calibration_replays
     WHERE env = ? AND model = ? AND fix_key IN (${inJson(db, '?')})`,
  ).all(env, model, JSON.stringify(keys)) as { fixKey: string; points: string }[];
  return new Map(rows.map((r) => [r.fixKey, r.points]));
}

/** Keeps replays computed from the data at `watermark`; none when a deploy or commit was stored since. */
export function saveReplays(
  db: Db,
  env: string,
  model: string,
  rows: readonly ReplayRow[],
  watermark: readonly [number, number],
): number {
  let saved = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    saved += stmt(
      db,
      `INSERT INTO calibration_replays (env, model, fix_key, started_at, points)
       SELECT column1, column2, column3, column4, column5
       FROM (VALUES ${chunk.map(() => '(?, ?, ?, CAST(? AS BIGINT), ?)').join(', ')}) AS v
       WHERE (SELECT coalesce(max(id), 0) FROM deploys) = ? AND (SELECT coalesce(max(rowid), 0) FROM commits) = ?
       ON CONFLICT (env, model, fix_key) DO UPDATE SET started_at = excluded.started_at, points = excluded.points`,
    ).run(...chunk.flatMap((r) => [env, model, r.fixKey, r.startedAt, r.points]), ...watermark).changes;
  }
  return saved;
}
