import type { Command } from 'commander';
import { findIncident } from '../../attribution/incident-view.js';
import { refreshAttribution } from '../../attribution/refresh.js';
import type { ContextFactory } from '../main.js';
import { out } from '../output.js';

export function registerAttribute(program: Command, makeContext: ContextFactory): void {
  program
    .command('attribute')
    .description('Recompute suspects and confirmed causes for incidents (runs after each ingest anyway)')
    .option('--incident <id>', 'only this incident')
    .action(async (o: { incident?: string }) => {
      const ctx = makeContext();
      const ids = o.incident ? [findIncident(ctx, o.incident).id] : undefined;
      const res = await refreshAttribution(ctx, ids ? { incidentIds: ids } : { all: true });
      out(
        `attributed ${res.incidents} incident(s): ${res.links} link(s)${res.failed ? `, ${res.failed} failed (see stderr)` : ''}`,
      );
      ctx.store.close();
    });
}
