import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UserInputError } from '../../errors.js';
import { SIGNAL_FORMATS } from '../../ingest/signal-formats.js';
import { ingestSignals, type SignalIngestResult } from '../../ingest/signals.js';
import { SIGNAL_METRICS } from '../../store/signals.js';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';

interface SignalFlags {
  format?: string;
  service?: string;
  env?: string;
  metric?: string;
  json?: boolean;
}

/** `hindsight ingest signals FILE`: a subcommand of `ingest` (registered after it). */
export function registerSignalsIngest(program: Command, makeContext: ContextFactory): void {
  const ingest = program.commands.find((c) => c.name() === 'ingest');
  if (!ingest) throw new Error('registerSignalsIngest needs the ingest command: call registerIngest first');
  ingest
    .command('signals <file>')
    .description(
      'Ingest production signals (error rate, latency p50/p95/p99, requests, cost) from a Prometheus query_range ' +
        'answer, OTLP/JSON metrics or CSV (timestamp,metric,value,service,endpoint,module,env)',
    )
    .option('--format <format>', `one of ${SIGNAL_FORMATS.join(', ')} (default: from the file)`)
    .option('--service <name>', 'service of series without a service label')
    .option('--env <name>', 'environment of series without an env label (default: config env)')
    .option('--metric <kind>', `kind of series that do not say: ${SIGNAL_METRICS.join(', ')}`)
    .option('--json', 'print the structured result')
    .action(async (file: string, o: SignalFlags) => {
      const format = oneOf(o.format, SIGNAL_FORMATS, '--format');
      const metric = oneOf(o.metric, SIGNAL_METRICS, '--metric');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UserInputError(`cannot read ${file}: ${(err as Error).message}`, 'file', { cause: err });
      }
      const ctx = makeContext();
      try {
        const res = await ingestSignals(ctx, text, {
          name: file,
          ...(format ? { format } : {}),
          ...(metric ? { metric } : {}),
          ...(o.service ? { service: o.service } : {}),
          ...(o.env ? { env: o.env } : {}),
        });
        if (o.json) outJson(res);
        else out(renderSignalIngest(res));
      } finally {
        ctx.store.close();
      }
    });
}

export function renderSignalIngest(r: SignalIngestResult): string {
  const modules = r.modules.length > 0 ? `modules ${r.modules.join(', ')}` : 'no module';
  const unmapped =
    r.unmapped > 0
      ? `; ${r.unmapped} series map to no module (label them module=…, or add endpoint globs to "modules" in hindsight.config.json)`
      : '';
  return (
    `${r.format}: ${r.series} series, ${r.samples} samples (${r.changed} new or changed) from ${r.from ?? '-'} to ${r.to ?? '-'}; ` +
    `${modules}${unmapped}; ${r.attributed} incident(s) re-attributed`
  );
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UserInputError(`${flag} '${value}' must be one of ${allowed.join(', ')}`, flag);
  }
  return value as T;
}
