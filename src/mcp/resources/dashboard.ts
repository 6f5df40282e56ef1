import { defineResource } from '../define-resource.js';

/** The MCP Apps profile: hosts that render UI resources show the page; others may ignore it. */
export const MCP_APP_MIME = 'text/html;profile=mcp-app';

export const dashboardResource = defineResource({
  name: 'dashboard',
  title: 'Dashboard: DORA human vs agent, incidents, hotspots, triage loop',
  description:
    'The production-outcomes dashboard as one static HTML page (no script): for hosts that render MCP App UI ' +
    'resources, or for a person to open. Agents: use the tools for figures instead.',
  mimeType: MCP_APP_MIME,
  uri: 'ui://hindsight/dashboard',
  async read(ctx) {
    const { dashboardHtml } = await import('../../report/write.js');
    return { text: await dashboardHtml(ctx) };
  },
});
