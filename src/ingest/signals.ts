import { refreshAttribution } from '../attribution/refresh.js';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { changeTestOptions } from '../history/signal-change.js';
import { isKnownModule, seriesId, upsertSamples, type SignalMetric } from '../store/signals.js';
import { guessFormat, parseSignals, type ParsedSeries, type SignalFormat } from './signal-formats.js';
import { withTransaction } from '../store/transaction.js';

export interface SignalIngestOptions {
  /** default: from the file name or the JSON's top-level key */
  format?: SignalFormat;
  /** names the input in errors and picks the format (`.csv`) */
  name?: string;
  /** the service of series that carry no service label */
  service?: string;
  /** the env of series that carry none (default: the config's env) */
  env?: string;
  /** the metric kind of series that do not say */
  metric?: SignalMetric;
}

export interface SignalIngestResult {
  format: SignalFormat;
  series: number;
  samples: number;
  /** samples new or with a new value (re-sending a file changes nothing) */
  changed: number;
  /** modules the series map to; series mapped to none are counted in `unmapped` */
  modules: string[];
  unmapped: number;
  from: string | null;
  to: string | null;
  /** incidents re-attributed (a deploy followed by an error-rate step is more suspect) */
  attributed: number;
}

/** Samples per ingest: a day of one-minute samples for ~700 series. Bigger exports: split them by time. */
export const MAX_SIGNAL_SAMPLES = 1_000_000;

/**
 * Production signals from a Prometheus query_range answer, OTLP/JSON metrics or CSV: validated whole, mapped to
 * modules, written in one transaction, then the incidents they can change are re-attributed.
 */
export async function ingestSignals(
  ctx: AppContext,
  text: string,
  options: SignalIngestOptions = {},
): Promise<SignalIngestResult> {
  const format = options.format ?? guessFormat(options.name ?? 'signals', text);
  const parsed = parseSignals(text, format, options.metric ? { metric: options.metric } : {});
  const total = parsed.reduce((n, s) => n + s.samples.length, 0);
  if (total > MAX_SIGNAL_SAMPLES) {
    throw new UserInputError(
      `${total} samples in one ingest; send at most ${MAX_SIGNAL_SAMPLES} (split by time)`,
      'body',
    );
  }
  const modules = new Set<string>();
  let unmapped = 0;
  let from = Infinity;
  let to = -Infinity;
  const envs = new Map<string, number>();
  const changed = withTransaction(ctx.store, () => {
    let n = 0;
    for (const s of parsed) {
      const env = s.labels.env ?? options.env ?? ctx.config.env;
      const service = s.labels.service ?? options.service ?? '';
      const module = moduleOfSeries(ctx, s, service);
      if (module) modules.add(module);
      else unmapped++;
      const id = seriesId(ctx.store, { metric: s.metric, env, service, endpoint: s.labels.endpoint ?? '', module });
      n += upsertSamples(ctx.store, id, s.samples);
      for (const x of s.samples) {
        from = Math.min(from, x.at);
        to = Math.max(to, x.at);
        envs.set(env, Math.min(envs.get(env) ?? Infinity, x.at));
      }
    }
    return n;
  });
  // A deploy up to one window before the first sample can now show a step: its incidents are re-attributed.
  const attributed =
    changed > 0
      ? (
          await refreshAttribution(ctx, {
            deploys: [...envs].map(([env, at]) => ({ env, finishedAt: at - changeTestOptions(ctx.config).windowMs })),
          })
        ).incidents
      : 0;
  return {
    format,
    series: parsed.length,
    samples: total,
    changed,
    modules: [...modules].sort(),
    unmapped,
    from: Number.isFinite(from) ? new Date(from).toISOString() : null,
    to: Number.isFinite(to) ? new Date(to).toISOString() : null,
    attributed,
  };
}

/**
 * Which module a series measures: its `module` label; else the module a config glob gives its endpoint
 * (`"payments": ["src/payments/**", "api/payments/**"]`); else its service, when that names a module the
 * config or the history knows; else none.
 */
function moduleOfSeries(ctx: AppContext, s: ParsedSeries, service: string): string {
  if (s.labels.module) return s.labels.module;
  const byEndpoint = s.labels.endpoint ? ctx.modules.configuredModuleOf(s.labels.endpoint) : undefined;
  if (byEndpoint) return byEndpoint;
  if (service && (ctx.modules.isConfigured(service) || isKnownModule(ctx.store, service))) return service;
  return '';
}
