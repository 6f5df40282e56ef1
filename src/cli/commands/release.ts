import type { Command } from 'commander';
import { renderReleaseReview, reviewRelease } from '../../delivery/release-review.js';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';

export function registerRelease(program: Command, makeContext: ContextFactory): void {
  const release = program.command('release').description('Look back at a delivery');
  release
    .command('review [deploy]')
    .description(
      'The checklist after a release: lead time, failed CI runs and why, approval waits, manual steps, checks that ' +
        'never fail or missed an incident, incidents, signal steps, deltas vs the previous release, one suggested change',
    )
    .option('--releases <n>', 'releases read for the check history (default 10)')
    .option('--json', 'print the structured review')
    .addHelpText('after', '\nDEPLOY: a deploy id, a sha or a tag (default: the latest deploy of the config env)')
    .action(async (deploy: string | undefined, o: { releases?: string; json?: boolean }) => {
      const releases = o.releases === undefined ? 10 : Number(o.releases);
      if (!Number.isInteger(releases) || releases < 2 || releases > 50) {
        throw new UserInputError(`--releases '${o.releases}' must be a whole number from 2 to 50`, '--releases');
      }
      const ctx = makeContext();
      try {
        const r = await reviewRelease(ctx, { ...(deploy !== undefined ? { deploy } : {}), releases });
        if (o.json) outJson(r);
        else out(renderReleaseReview(r));
      } finally {
        ctx.store.close();
      }
    });
}
