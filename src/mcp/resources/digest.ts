import { defineResource } from '../define-resource.js';

export const digestResource = defineResource({
  name: 'digest',
  title: 'Agent digest: recent outcomes and open corrections',
  description:
    "One agent's last 7 days: task outcomes, interrupts and corrections still open, and recent human answers " +
    '(with the ADR, rule or skill that covers them). Load your own at session start, before you ask again.',
  mimeType: 'text/markdown',
  uriTemplate: 'hindsight://digest/{agent}',
  async list(ctx) {
    const { digestAgents } = await import('../../triage/digest.js');
    return digestAgents(ctx).map((agent) => ({
      uri: `hindsight://digest/${encodeURIComponent(agent)}`,
      name: `digest ${agent}`,
      title: `Digest for ${agent}`,
      mimeType: 'text/markdown',
    }));
  },
  async read(ctx, _uri, vars) {
    const { agentDigest, renderDigest } = await import('../../triage/digest.js');
    return { text: renderDigest(agentDigest(ctx, decodeURIComponent(vars['agent'] ?? ''))) };
  },
});
