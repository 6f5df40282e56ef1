import type { Command } from 'commander';
import { storeCounts } from '../../store/counts.js';
import type { ContextFactory } from '../main.js';
import { outJson } from '../output.js';

export function registerStatus(program: Command, makeContext: ContextFactory): void {
  program
    .command('status')
    .description('Show what the database holds')
    .action(() => {
      const ctx = makeContext();
      outJson({ database: ctx.config.dbPath, repository: ctx.config.repoPath, ...storeCounts(ctx.store) });
      ctx.store.close();
    });
}
