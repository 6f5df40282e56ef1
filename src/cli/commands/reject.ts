import type { Command } from 'commander';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';

/** `hindsight reject --incident ID --commit SHA --reason TEXT`: a person's verdict that a suspect is not the cause. */
export function registerReject(program: Command, makeContext: ContextFactory): void {
  program
    .command('reject')
    .description(
      'Record that a commit did not cause an incident: attribution never proposes it again and `notify` withdraws its comment',
    )
    .requiredOption('--incident <id>', 'the incident (external id such as INC-101, or its number)')
    .requiredOption('--commit <sha>', 'the commit (full sha or a unique prefix)')
    .requiredOption('--reason <text>', 'why it is not the cause (kept with the link)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { incident: string; commit: string; reason: string; json?: boolean }) => {
      const { rejectCause } = await import('../../attribution/reject.js');
      const ctx = makeContext();
      try {
        const res = await rejectCause(ctx, o);
        if (o.json) return outJson(res);
        const what = {
          rejected: 'rejected',
          already: 'was already rejected',
          recorded: 'recorded as not the cause (it was not a suspect)',
        }[res.outcome];
        out(`${res.incident}: ${res.commit.slice(0, 12)} ${what}; ${res.links} links after re-attribution\n`);
      } finally {
        ctx.store.close();
      }
    });
}
