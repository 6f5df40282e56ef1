import type { parse as ParseCsv } from 'csv-parse/sync';
import { createRequire } from 'node:module';
import { UserInputError } from '../errors.js';
import { SIGNAL_METRICS, type SignalMetric } from '../store/signals.js';

// Production signals from three formats into one shape. Each parser validates as it reads and names the bad field
// (`data.result[2].values[7][1]`, `resourceMetrics[0]…dataPoints[3].asDouble`, `line 14: value`), so a file either
// parses whole or is rejected with the place to fix.

export type SignalFormat = 'prom' | 'otlp' | 'csv';
export const SIGNAL_FORMATS: readonly SignalFormat[] = ['prom', 'otlp', 'csv'];

/** One series as read: what it measures, its labels, and its samples (unix ms). */
export interface ParsedSeries {
  metric: SignalMetric;
  labels: { service?: string; endpoint?: string; module?: string; env?: string };
  samples: { at: number; value: number }[];
}

export interface ParseOptions {
  /** the metric kind of every series that does not say (a query_range result of `rate(…)` has no name) */
  metric?: SignalMetric;
}

const METRIC_LIST = SIGNAL_METRICS.join(', ');
const QUANTILES: Record<string, SignalMetric> = { '0.5': 'latency_p50', '0.95': 'latency_p95', '0.99': 'latency_p99' };

const load = createRequire(import.meta.url);
let csvParser: typeof ParseCsv | undefined;
const parseCsv = (): typeof ParseCsv => (csvParser ??= (load('csv-parse/sync') as { parse: typeof ParseCsv }).parse);

/** The format a file name suggests (`.csv` → csv); JSON files are told apart by their top-level key. */
export function guessFormat(fileName: string, text: string): SignalFormat {
  if (/\.csv$/i.test(fileName)) return 'csv';
  const head = text.slice(0, 4_000);
  if (head.includes('"resourceMetrics"')) return 'otlp';
  if (head.includes('"resultType"') || head.includes('"data"')) return 'prom';
  throw new UserInputError(`cannot tell the format of ${fileName}; pass --format prom|otlp|csv`, 'format');
}

export function parseSignals(text: string, format: SignalFormat, options: ParseOptions = {}): ParsedSeries[] {
  if (format === 'csv') return parseCsvSignals(text, options);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(`not JSON: ${(err as Error).message}`, 'body');
  }
  return format === 'prom' ? parsePrometheus(json, options) : parseOtlp(json, options);
}

function bad(field: string, message: string): UserInputError {
  return new UserInputError(`${field}: ${message}`, field);
}

/** A metric name (or `metric` label) → our kind; latency names with a quantile map to p50/p95/p99. */
function metricKind(name: string | undefined, quantile: string | undefined, fallback?: SignalMetric) {
  const n = (name ?? '').trim();
  if ((SIGNAL_METRICS as readonly string[]).includes(n)) return n as SignalMetric;
  if (quantile !== undefined && /latency|duration/i.test(n)) return QUANTILES[String(Number(quantile))];
  return fallback;
}

function checkValue(metric: SignalMetric, raw: unknown, field: string): number {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw bad(field, `'${String(raw)}' is not a finite number`);
  }
  if (value < 0) throw bad(field, `${metric} cannot be negative (${value})`);
  if (metric === 'error_rate' && value > 1) {
    throw bad(field, `error_rate is a ratio from 0 to 1 (${value}); send 3.1 % as 0.031`);
  }
  return value;
}

// --- Prometheus query_range: { status, data: { resultType: "matrix", result: [{ metric, values: [[t, "v"]] }] } }

function parsePrometheus(json: unknown, options: ParseOptions): ParsedSeries[] {
  const root = json as { status?: unknown; data?: { resultType?: unknown; result?: unknown } };
  if (typeof root !== 'object' || root === null) throw bad('(root)', 'expected a query_range answer object');
  if (root.status !== undefined && root.status !== 'success') {
    throw bad('status', `'${String(root.status)}': only a successful query_range answer carries data`);
  }
  const data = root.data;
  if (typeof data !== 'object' || data === null) throw bad('data', 'missing; expected { resultType, result }');
  if (data.resultType !== 'matrix' && data.resultType !== 'vector') {
    throw bad('data.resultType', `'${String(data.resultType)}': expected matrix (query_range) or vector`);
  }
  if (!Array.isArray(data.result)) throw bad('data.result', 'expected an array of series');
  return data.result.map((raw: unknown, i) => {
    const at = `data.result[${i}]`;
    const s = raw as { metric?: Record<string, unknown>; values?: unknown; value?: unknown };
    const labels = (typeof s.metric === 'object' && s.metric !== null ? s.metric : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof labels[k] === 'string' ? (labels[k] as string) : undefined);
    const metric = metricKind(str('metric') ?? str('__name__'), str('quantile'), options.metric);
    if (!metric) {
      throw bad(
        `${at}.metric`,
        `no metric kind: label the series metric="error_rate" (one of ${METRIC_LIST}) or pass --metric`,
      );
    }
    const pairs = data.resultType === 'vector' ? [s.value] : s.values;
    if (!Array.isArray(pairs)) throw bad(`${at}.values`, 'expected [[unix seconds, "value"], …]');
    const samples = pairs.map((p: unknown, j) => {
      const field = data.resultType === 'vector' ? `${at}.value` : `${at}.values[${j}]`;
      if (!Array.isArray(p) || p.length !== 2) throw bad(field, 'expected [unix seconds, "value"]');
      const t = Number(p[0]);
      if (!Number.isFinite(t) || t <= 0) throw bad(`${field}[0]`, `'${String(p[0])}' is not a unix time in seconds`);
      return { at: Math.round(t * 1000), value: checkValue(metric, p[1], `${field}[1]`) };
    });
    return {
      metric,
      labels: pick({
        service: str('service') ?? str('job'),
        endpoint: str('endpoint') ?? str('route') ?? str('handler'),
        module: str('module'),
        env: str('env') ?? str('environment'),
      }),
      samples,
    };
  });
}

// --- OTLP/JSON metrics (ExportMetricsServiceRequest): gauges, sums and summaries (quantiles → latency pNN)

interface OtlpAttr {
  key?: string;
  value?: { stringValue?: string; intValue?: string | number; doubleValue?: number };
}

function attrs(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const a of list as OtlpAttr[]) {
    const v = a.value?.stringValue ?? a.value?.intValue ?? a.value?.doubleValue;
    if (typeof a.key === 'string' && v !== undefined) out[a.key] = String(v);
  }
  return out;
}

function nanosToMs(raw: unknown, field: string): number {
  const s = typeof raw === 'number' ? String(Math.trunc(raw)) : raw;
  if (typeof s !== 'string' || !/^\d{1,20}$/.test(s) || s === '0') {
    throw bad(field, `'${String(raw)}' is not a time in unix nanoseconds`);
  }
  return Number(BigInt(s) / 1_000_000n);
}

function parseOtlp(json: unknown, options: ParseOptions): ParsedSeries[] {
  const root = json as { resourceMetrics?: unknown };
  if (!Array.isArray(root?.resourceMetrics)) throw bad('resourceMetrics', 'expected an array (OTLP/JSON metrics)');
  const bySeries = new Map<string, ParsedSeries>();
  root.resourceMetrics.forEach((rm: { resource?: { attributes?: unknown }; scopeMetrics?: unknown }, r) => {
    const resource = attrs(rm.resource?.attributes);
    if (!Array.isArray(rm.scopeMetrics)) throw bad(`resourceMetrics[${r}].scopeMetrics`, 'expected an array');
    rm.scopeMetrics.forEach((sm: { metrics?: unknown }, s) => {
      if (!Array.isArray(sm.metrics))
        throw bad(`resourceMetrics[${r}].scopeMetrics[${s}].metrics`, 'expected an array');
      sm.metrics.forEach((m: Record<string, unknown>, k) => {
        const at = `resourceMetrics[${r}].scopeMetrics[${s}].metrics[${k}]`;
        const name = typeof m['name'] === 'string' ? m['name'] : undefined;
        const kind = (['gauge', 'sum', 'summary'] as const).find((x) => m[x] !== undefined);
        if (!kind) {
          throw bad(
            at,
            `metric '${name ?? ''}': only gauge, sum and summary points are read; export percentiles as a gauge or summary`,
          );
        }
        const points = (m[kind] as { dataPoints?: unknown }).dataPoints;
        if (!Array.isArray(points)) throw bad(`${at}.${kind}.dataPoints`, 'expected an array');
        points.forEach((p: Record<string, unknown>, j) => {
          const field = `${at}.${kind}.dataPoints[${j}]`;
          const labels = { ...resource, ...attrs(p['attributes']) };
          const time = nanosToMs(p['timeUnixNano'], `${field}.timeUnixNano`);
          const values: { metric: SignalMetric | undefined; raw: unknown; field: string }[] =
            kind === 'summary'
              ? (Array.isArray(p['quantileValues']) ? (p['quantileValues'] as Record<string, unknown>[]) : []).map(
                  (q, n) => ({
                    metric: metricKind(name, String(q['quantile']), undefined),
                    raw: q['value'],
                    field: `${field}.quantileValues[${n}].value`,
                  }),
                )
              : [
                  {
                    metric: metricKind(labels['metric'] ?? name, undefined, options.metric),
                    raw: p['asDouble'] ?? p['asInt'],
                    field: `${field}.${p['asDouble'] !== undefined ? 'asDouble' : 'asInt'}`,
                  },
                ];
          for (const v of values) {
            if (!v.metric) {
              throw bad(
                `${at}.name`,
                `'${name ?? ''}' is not a signal; name it one of ${METRIC_LIST} or pass --metric`,
              );
            }
            const series = pick({
              service: labels['service.name'] ?? labels['service'],
              endpoint: labels['http.route'] ?? labels['endpoint'],
              module: labels['module'],
              env: labels['deployment.environment.name'] ?? labels['deployment.environment'] ?? labels['env'],
            });
            const key = JSON.stringify([v.metric, series]);
            let entry = bySeries.get(key);
            if (!entry) bySeries.set(key, (entry = { metric: v.metric, labels: series, samples: [] }));
            entry.samples.push({ at: time, value: checkValue(v.metric, v.raw, v.field) });
          }
        });
      });
    });
  });
  return [...bySeries.values()];
}

// --- CSV, one sample a row: timestamp,metric,value[,service,endpoint,module,env]

function parseCsvSignals(text: string, options: ParseOptions): ParsedSeries[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv()(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
    });
  } catch (err) {
    throw new UserInputError(`CSV: ${(err as Error).message}`, 'body');
  }
  const bySeries = new Map<string, ParsedSeries>();
  rows.forEach((row, i) => {
    const line = `line ${i + 2}`;
    const rawTime = row['timestamp'] ?? row['time'] ?? row['at'];
    if (rawTime === undefined) throw bad(`${line}: timestamp`, 'missing; the header needs timestamp,metric,value');
    const metric = metricKind(row['metric'], row['quantile'], options.metric);
    if (!metric) throw bad(`${line}: metric`, `'${row['metric'] ?? ''}' is not one of ${METRIC_LIST}`);
    const at = csvTime(rawTime);
    if (at === undefined) {
      throw bad(`${line}: timestamp`, `'${rawTime}' is not an ISO date-time or a unix time in seconds or ms`);
    }
    const labels = pick({ service: row['service'], endpoint: row['endpoint'], module: row['module'], env: row['env'] });
    const key = JSON.stringify([metric, labels]);
    let entry = bySeries.get(key);
    if (!entry) bySeries.set(key, (entry = { metric, labels, samples: [] }));
    entry.samples.push({ at, value: checkValue(metric, row['value'], `${line}: value`) });
  });
  return [...bySeries.values()];
}

function csvTime(raw: string): number | undefined {
  if (/^\d{9,10}(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  if (/^\d{12,13}$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : ms;
}

function pick<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v.trim() !== '') out[k] = v.trim().slice(0, 200);
  return out as { [K in keyof T]?: string };
}
