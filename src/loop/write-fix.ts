import type { AppContext } from '../context.js';
import { proposeDraft, type FixDraft } from '../decisions/draft.js';
import type { FixLinks, ProposalResult } from '../decisions/fixes.js';
import { withTransaction } from '../store/transaction.js';

/** Thrown to roll the proposal's database writes back once its files are in place. */
class KeepFilesOnly extends Error {}

/**
 * Writes the drafted fix into `root` (a temporary checkout of the base branch) with the same writers the
 * propose_* tools use — ADR numbering, rule sections and skill names all follow what the base branch holds —
 * but records nothing: the loop records the fix only once its pull request exists. With `dryRun` nothing is
 * written either; the result still carries the path, the action and the content.
 */
export function writeFixFiles(
  ctx: AppContext,
  root: string,
  draft: FixDraft,
  links: FixLinks,
  options: { now: number; dryRun: boolean },
): ProposalResult {
  const at: AppContext = { ...ctx, config: { ...ctx.config, repoPath: root }, clock: () => options.now };
  if (options.dryRun) return proposeDraft(at, draft, links, true);
  let result: ProposalResult | undefined;
  try {
    withTransaction(ctx.store, () => {
      result = proposeDraft(at, draft, links, false);
      throw new KeepFilesOnly();
    });
  } catch (err) {
    if (!(err instanceof KeepFilesOnly)) throw err;
  }
  return result!;
}
