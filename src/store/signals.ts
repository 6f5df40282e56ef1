import type { Db } from './open.js';
import { prepared } from './prepared.js';

export const SIGNAL_METRICS = ['error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'requests', 'cost'] as const;
export type SignalMetric = (typeof SIGNAL_METRICS)[number];

/** What one time series measures and where; '' = not labelled. */
export interface SeriesKey {
  metric: SignalMetric;
  env: string;
  service: string;
  endpoint: string;
  module: string;
}

export interface SeriesRow extends SeriesKey {
  id: number;
}

/** The id of a series, created on first sight. */
export function seriesId(db: Db, key: SeriesKey): number {
  const made = prepared(
    db,
    `INSERT INTO signal_series (metric, env, service, endpoint, module) VALUES (@metric, @env, @service, @endpoint, @module)
     ON CONFLICT (metric, env, service, endpoint, module) DO NOTHING RETURNING id`,
  ).get(key) as { id: number } | undefined;
  if (made) return made.id;
  return (
    prepared(
      db,
      `SELECT id FROM signal_series
       WHERE metric = @metric AND env = @env AND service = @service AND endpoint = @endpoint AND module = @module`,
    ).get(key) as { id: number }
  ).id;
}

/** Stores samples; a sample at an instant already stored replaces it. Returns how many rows changed. */
export function upsertSamples(db: Db, series: number, samples: readonly { at: number; value: number }[]): number {
  const put = prepared(
    db,
    `INSERT INTO signal_samples (series_id, at, value) VALUES (?, ?, ?)
     ON CONFLICT (series_id, at) DO UPDATE SET value = excluded.value WHERE signal_samples.value <> excluded.value`,
  );
  let changed = 0;
  for (const s of samples) changed += put.run(series, s.at, s.value).changes;
  return changed;
}

/** Whether any signal series names `env`. */
export function hasSeriesIn(db: Db, env: string): boolean {
  return prepared(db, 'SELECT 1 FROM signal_series WHERE env = ? LIMIT 1').get(env) !== undefined;
}

/** Series of one metric in an env; a service narrows them ('' or undefined: every service). */
export function seriesOf(db: Db, metric: SignalMetric, env: string, service?: string): SeriesRow[] {
  return (
    service
      ? prepared(db, `SELECT * FROM signal_series WHERE metric = ? AND env = ? AND service = ? ORDER BY id`).all(
          metric,
          env,
          service,
        )
      : prepared(db, `SELECT * FROM signal_series WHERE metric = ? AND env = ? ORDER BY id`).all(metric, env)
  ) as SeriesRow[];
}

/** Sample values of a series in [from, to), oldest first. */
export function samplesBetween(db: Db, series: number, from: number, to: number): { at: number; value: number }[] {
  return prepared(
    db,
    'SELECT at, value FROM signal_samples WHERE series_id = ? AND at >= ? AND at < ? ORDER BY at',
  ).all(series, from, to) as { at: number; value: number }[];
}

/** Sum of a metric's samples per module in [from, to) (module '' = not mapped). */
export function metricTotalsByModule(
  db: Db,
  metric: SignalMetric,
  from: number,
  to: number,
): { module: string; total: number }[] {
  return prepared(
    db,
    `SELECT s.module, SUM(x.value) AS total FROM signal_series s JOIN signal_samples x ON x.series_id = s.id
     WHERE s.metric = ? AND x.at >= ? AND x.at < ? GROUP BY s.module ORDER BY s.module`,
  ).all(metric, from, to) as { module: string; total: number }[];
}

/** The newest sample instant of any series (for a window ending at the data, not at the clock). */
export function lastSampleAt(db: Db): number | null {
  return (prepared(db, 'SELECT MAX(at) AS at FROM signal_samples').get() as { at: number | null }).at;
}

export function countSamples(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM signal_samples').get() as { n: number }).n;
}

/** True when commits touched this module (a service label that names a module maps to it). */
export function isKnownModule(db: Db, module: string): boolean {
  return prepared(db, 'SELECT 1 FROM commit_files WHERE module = ? LIMIT 1').get(module) !== undefined;
}
