import type { Command } from 'commander';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';

/** `hindsight propose-test --incident ID`: a regression-test spec from an incident's confirmed cause and fix. */
export function registerProposeTest(program: Command, makeContext: ContextFactory): void {
  program
    .command('propose-test')
    .description(
      "Write a regression-test spec (Markdown) for an incident with a confirmed cause and a fix, in the repository's test layout",
    )
    .requiredOption('--incident <id>', 'the incident (external id such as INC-101, or its number)')
    .option('--dry-run', 'print the spec and where it would go; write nothing')
    .option('--json', 'print the result as JSON')
    .action(async (o: { incident: string; dryRun?: boolean; json?: boolean }) => {
      const { proposeRegressionSpec } = await import('../../notify/regression-spec.js');
      const ctx = makeContext();
      try {
        const spec = await proposeRegressionSpec(ctx, o.incident, { dryRun: o.dryRun === true });
        if (o.json) outJson(spec);
        else {
          out(`${spec.written ? 'wrote' : 'would write'} ${spec.path} (layout: ${spec.layout})\n`);
          out(spec.content);
        }
      } finally {
        ctx.store.close();
      }
    });
}
