import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UserInputError } from '../../errors.js';
import { writeDashboard } from '../../report/write.js';
import type { ContextFactory } from '../main.js';
import { info } from '../output.js';

export function registerReport(program: Command, makeContext: ContextFactory): void {
  program
    .command('report')
    .description(
      'Write the dashboard (DORA human vs agent, incidents, hotspots, triage loop, suspects) as one HTML file',
    )
    .requiredOption('--html <file>', 'the HTML file to write (self-contained: no script, no network)')
    .option('--window-days <n>', 'the span the charts cover, ending now (or HINDSIGHT_NOW); default 90')
    .action(async (o: { html: string; windowDays?: string }) => {
      const days = o.windowDays === undefined ? 90 : Number(o.windowDays);
      if (!Number.isInteger(days) || days < 7 || days > 730)
        throw new UserInputError(`--window-days '${o.windowDays}' must be a whole number from 7 to 730`, 'window-days');
      const ctx = makeContext();
      try {
        const file = resolve(o.html);
        const { bytes } = await writeDashboard(ctx, file, days);
        info(`dashboard written to ${file} (${bytes.toLocaleString('en-US')} bytes)`);
      } finally {
        ctx.store.close();
      }
    });
}
