// Runs benchmark 6 or 7 (in-process measurements) in a child process of run.ts, so one that stalls — on an engine
// whose SQL is still being ported — is stopped after a time limit instead of blocking the whole bench. Arguments:
// the benchmark (attribution | incremental) and its options as JSON; PostgreSQL when HINDSIGHT_BENCH_PG_URL is
// set (the parent's server). Prints the result as JSON on stdout.
import { measureAttributionScale } from './attribution-scale.js';
import { measureIncremental } from './incremental.js';
import { benchPostgres } from './postgres.js';

const [kind, json] = process.argv.slice(2) as [string, string];
const o = JSON.parse(json) as Record<string, unknown>;
const log = (m: string) => process.stderr.write(`${m}\n`);
const pg = process.env.HINDSIGHT_BENCH_PG_URL ? await benchPostgres(log) : undefined;
try {
  const common = { ...(pg ? { postgres: (label: string) => pg.database(label) } : {}), log };
  const res =
    kind === 'attribution'
      ? await measureAttributionScale({ ...(o as Parameters<typeof measureAttributionScale>[0]), ...common })
      : await measureIncremental({ ...(o as Parameters<typeof measureIncremental>[0]), ...common });
  process.stdout.write(JSON.stringify(res));
} finally {
  await pg?.close();
}
