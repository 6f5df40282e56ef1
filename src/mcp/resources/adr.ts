import { UserInputError } from '../../errors.js';
import { defineResource } from '../define-resource.js';

export const adrResource = defineResource({
  name: 'adr',
  title: 'Architecture decision records',
  description:
    "The repository's architecture decision records (ADRs), one per number, as Markdown. Load the ones that " +
    'concern the code you are about to change; change_risk and log_interrupt name the relevant numbers.',
  mimeType: 'text/markdown',
  uriTemplate: 'hindsight://adr/{number}',
  async list(ctx) {
    const { listAdrs } = await import('../../decisions/adr.js');
    return listAdrs(ctx.config.repoPath, ctx.config.decisionDirs).map((r) => ({
      uri: `hindsight://adr/${r.number}`,
      name: `ADR-${String(r.number).padStart(4, '0')}`,
      title: `ADR-${String(r.number).padStart(4, '0')} ${r.title}`,
      description: `${r.status ?? 'no status'} · ${r.path}`,
      mimeType: 'text/markdown',
    }));
  },
  async read(ctx, _uri, vars) {
    const { listAdrs } = await import('../../decisions/adr.js');
    const raw = vars['number'] ?? '';
    const n = /^(?:adr-?)?0*(\d+)$/i.exec(raw.trim())?.[1];
    const records = listAdrs(ctx.config.repoPath, ctx.config.decisionDirs);
    const record = n === undefined ? undefined : records.find((r) => r.number === Number(n));
    if (!record) {
      const known = records.map((r) => r.number).join(', ');
      throw new UserInputError(
        `no ADR numbered '${raw}'${known ? `; known: ${known}` : '; the repository has none'}`,
        'number',
      );
    }
    return { text: record.text };
  },
});
