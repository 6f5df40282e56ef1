// Answer identity across a change (issue 17): the same varied calls to two built servers, each on its own copy of a
// database, compared call by call, following every cursor. Used when a change must not alter answers (summaries kept
// at write time, covering indexes). Usage, after `tsc -p tsconfig.bench.json`:
//   node bench/.work/build/bench/answer-check.js --old <main.js> --old-db <file> --new <main.js> --new-db <file>
//     [--calls N] [--tools a,b] [--repo DIR]
// The catalog of names comes from the generated database (bench/gen-org.ts). Exit code 1 on any difference.
import { parseArgs } from 'node:util';
import { argumentMakers } from './latency.js';
import { connectStdio } from './mcp-client.js';
import { ORG_NOW, type OrgCatalog } from './gen-org.js';
import { rng } from './stats.js';
import { getMeta, openStore } from '../src/store/open.js';

const { values: flags } = parseArgs({
  options: {
    old: { type: 'string' },
    'old-db': { type: 'string' },
    new: { type: 'string' },
    'new-db': { type: 'string' },
    calls: { type: 'string', default: '300' },
    tools: { type: 'string', default: 'my_deploy_impact,change_risk,module_incident_history' },
    repo: { type: 'string' },
  },
});
for (const f of ['old', 'old-db', 'new', 'new-db'] as const)
  if (!flags[f]) throw new Error(`--${f} is required (see the usage at the top of bench/answer-check.ts)`);

// From the new side's copy: opening it with this (new) code migrates it, as the new server would anyway.
const catalogDb = openStore(flags['new-db']!);
const catalog = JSON.parse(getMeta(catalogDb, 'bench_catalog')!) as OrgCatalog;
catalogDb.close();

const serve = (main: string, db: string) =>
  connectStdio({
    command: process.execPath,
    args: [main, '--db', db, '--repo', flags.repo ?? process.cwd(), 'serve', '--no-ingest'],
    env: { HINDSIGHT_NOW: ORG_NOW },
  });
const before = await serve(flags.old!, flags['old-db']!);
const after = await serve(flags.new!, flags['new-db']!);

/**
 * The answer as the agent sees it: text and structured content (its own database and binary paths, which set-up
 * notes name, as <db> and <main>); a cursor to follow when there is one.
 */
async function call(c: typeof before.client, db: string, main: string, tool: string, args: Record<string, unknown>) {
  const res = await c.callTool({ name: tool, arguments: args });
  const structured = res.structuredContent as Record<string, unknown> | undefined;
  const cursor =
    (structured?.nextCursor as string | undefined) ??
    ((structured?.incidents as Record<string, unknown> | undefined)?.nextCursor as string | undefined);
  return {
    text: JSON.stringify([res.content, structured, res.isError ?? false])
      .replaceAll(db, '<db>')
      .replaceAll(main, '<main>'),
    cursor,
  };
}

const calls = Number(flags.calls);
let compared = 0;
let pages = 0;
const differences: string[] = [];
for (const tool of flags.tools!.split(',')) {
  // The same seed for both servers' arguments: one maker, each argument sent to both.
  const make = argumentMakers(catalog, rng(29))[tool];
  if (!make) throw new Error(`--tools: no argument maker for ${tool} (bench/latency.ts argumentMakers)`);
  for (let i = 0; i < calls; i++) {
    let args: Record<string, unknown> = { ...make(i), ...(i % 3 === 1 && tool !== 'change_risk' ? { limit: 1 } : {}) };
    // Follow the cursors: paging must give the same pages too (at most 5 pages a call).
    for (let page = 0; page < 5; page++) {
      const [a, b] = [
        await call(before.client, flags['old-db']!, flags.old!, tool, args),
        await call(after.client, flags['new-db']!, flags.new!, tool, args),
      ];
      compared++;
      if (page > 0) pages++;
      if (a.text !== b.text) {
        differences.push(
          `${tool} ${JSON.stringify(args)}\n  old: ${a.text.slice(0, 400)}\n  new: ${b.text.slice(0, 400)}`,
        );
        break;
      }
      if (!a.cursor) break;
      args = { ...args, cursor: a.cursor };
    }
  }
}
await before.client.close();
await after.client.close();
process.stdout.write(
  `${compared} answers compared (${pages} of them later pages): ${differences.length} different\n` +
    differences.slice(0, 5).join('\n') +
    '\n',
);
process.exitCode = differences.length ? 1 : 0;
