import { UserInputError } from '../../errors.js';
import { defineResource } from '../define-resource.js';

export const digestResource = defineResource({
  name: 'digest',
  title: 'Agent digest: new incidents from your changes, recent outcomes, open corrections',
  description:
    "One agent's news and last 7 days: incidents linked to its changes since it last read this (reading marks them " +
    'read), task outcomes, open interrupts and corrections, recent human answers (with the ADR, rule or skill that ' +
    'covers them). Load your own at session start, before you ask again; subscribe to hear of new incidents.',
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
    const [{ agentDigest, renderDigest }, { readDigestNews, renderDigestNews }] = await Promise.all([
      import('../../triage/digest.js'),
      import('../../triage/digest-news.js'),
    ]);
    const agent = decodeURIComponent(vars['agent'] ?? '');
    let digest: string | undefined;
    try {
      digest = renderDigest(agentDigest(ctx, agent));
    } catch (err) {
      // An agent whose commits shipped but that never logged a task still has news to read.
      if (!(err instanceof UserInputError)) throw err;
      const news = readDigestNews(ctx, agent);
      if (!news.known) throw err;
      return { text: `# hindsight digest for ${news.agent}\n\n${renderDigestNews(news)}` };
    }
    const [title = '', ...rest] = digest.split('\n');
    return { text: [title, '', renderDigestNews(readDigestNews(ctx, agent)), ...rest].join('\n') };
  },
});
