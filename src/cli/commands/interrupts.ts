import type { Command } from 'commander';
import { importInterrupts } from '../../triage/import.js';
import type { ContextFactory } from '../main.js';
import { out } from '../output.js';

export function registerInterrupts(program: Command, makeContext: ContextFactory): void {
  const interrupts = program.command('interrupts').description('Interrupts and corrections kept outside hindsight');
  interrupts
    .command('import <file>')
    .description(
      'Import interrupts/corrections (and tasks): a .json array or { "tasks": [...], "interrupts": [...] }, or .ndjson',
    )
    .option('--skip-invalid', 'import the valid rows and list the rejected ones (default: reject the whole file)')
    .action((file: string, o: { skipInvalid?: boolean }) => {
      const ctx = makeContext();
      try {
        const res = importInterrupts(ctx, file, { skipInvalid: o.skipInvalid === true });
        const i = res.interrupts;
        const t = res.tasks;
        const lines = [
          `interrupts: ${i.inserted} new (${i.clustersCreated} new cluster(s)), ${i.alreadyImported} already imported` +
            (i.redactions > 0 ? `; ${i.redactions} secret(s) redacted` : ''),
          `tasks: ${t.created} new, ${t.updated} updated, ${t.unchanged} unchanged`,
        ];
        if (res.rejected.length > 0) {
          lines.push(`${res.rejected.length} problem(s), those rows skipped:`);
          for (const p of res.rejected) lines.push(`  ${p.file}:${p.line} ${p.field}: ${p.message}`);
        }
        out(lines.join('\n'));
      } finally {
        ctx.store.close();
      }
    });
}
