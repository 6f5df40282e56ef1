import { UserInputError } from '../../errors.js';
import { defineResource } from '../define-resource.js';

export const rulesResource = defineResource({
  name: 'rules',
  title: 'Agent rule files',
  description:
    'The rule files coding agents read in this repository — AGENTS.md, CLAUDE.md, .cursor/rules/*.mdc, ' +
    '.github/copilot-instructions.md, the spec-kit constitution — by repository path. Load them at session start ' +
    'when your client does not already.',
  mimeType: 'text/markdown',
  uriTemplate: 'hindsight://rules/{+path}',
  async list(ctx) {
    const { detectRuleFiles } = await import('../../decisions/rules.js');
    return detectRuleFiles(ctx.config.repoPath).map((f) => ({
      uri: `hindsight://rules/${f.path}`,
      name: f.path,
      title: `${f.path} (${f.kind})`,
      mimeType: 'text/markdown',
    }));
  },
  async read(ctx, _uri, vars) {
    const { detectRuleFiles } = await import('../../decisions/rules.js');
    const { readInRepo } = await import('../../decisions/safe-path.js');
    const path = vars['path'] ?? '';
    // Only files detected as rule files are served, so the path can never reach anything else; the read resolves
    // links again, so a link swapped in since detection cannot lead out of the repository either.
    const files = detectRuleFiles(ctx.config.repoPath);
    const file = files.find((f) => f.path === path);
    if (!file) {
      const known = files.map((f) => f.path).join(', ');
      throw new UserInputError(
        `'${path}' is not a rule file of this repository${known ? `; known: ${known}` : ''}`,
        'path',
      );
    }
    return { text: readInRepo(ctx.config.repoPath, file.path, 'path') };
  },
});
