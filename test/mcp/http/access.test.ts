import { describe, expect, it } from 'vitest';
import { refusal, TOOLSETS } from '../../../src/mcp/access.js';
import { allTools } from '../../../src/mcp/tools/index.js';
import { testContext } from '../../helpers/context.js';
import { gitdir } from '../../helpers/gitdir.js';
import { textOf } from '../../helpers/mcp.js';
import { teamServer } from './harness.js';

const names = async (client: Awaited<ReturnType<Awaited<ReturnType<typeof teamServer>>['connect']>>) =>
  (await client.listTools()).tools.map((t) => t.name).sort();
// The read-only tools of the default toolsets (delivery_metrics is opt-in).
const READ = allTools.filter((t) => t.annotations.readOnlyHint && refusal(t, {}) === undefined).map((t) => t.name);

describe('scopes, read-only and toolsets over HTTP', () => {
  it('puts every tool in exactly one toolset', () => {
    const all = Object.values(TOOLSETS).flat() as string[];
    expect([...all].sort()).toEqual(allTools.map((t) => t.name).sort());
  });

  it('lists only the tools a token has the scope for, and refuses a call naming the missing scope', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx);
    const reader = await t.connect(t.token('claude', ['read']).token);
    expect(await names(reader)).toEqual([...READ].sort());
    const refused = await reader.callTool({ name: 'log_interrupt', arguments: { summary: 'where is the flag list?' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/log_interrupt needs the 'log' scope.*--scope log/);
    expect(ctx.store.prepare('SELECT count(*) AS n FROM interrupts').get()).toEqual({ n: 0 });
    expect((await reader.listResources()).resources).toBeDefined();

    const logger = await t.connect(t.token('cursor', ['log']).token);
    expect(await names(logger)).toEqual(['log_interrupt', 'record_task', 'resolve_interrupt']);
    const proposal = await logger.callTool({
      name: 'propose_rule',
      arguments: { rule: 'Migrations MUST be reviewed.', dry_run: true },
    });
    expect(textOf(proposal)).toMatch(/needs the 'propose' scope/);
    // No read scope: no resources or prompts either.
    await expect(logger.listResources()).rejects.toThrow();
  });

  it('narrows per request with X-MCP-Toolsets or ?toolsets=, and never beyond the token or the server', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx, { mcp: { access: { toolsets: ['attribution', 'triage'] } } });
    const { token } = t.token('claude', ['read', 'log']);
    expect(await names(await t.connect(token))).toEqual(
      [
        'incident_suspects',
        'log_interrupt',
        'my_deploy_impact',
        'record_task',
        'resolve_interrupt',
        'triage_report',
      ].sort(),
    );
    expect(await names(await t.connect(token, { 'X-MCP-Toolsets': 'attribution' }))).toEqual([
      'incident_suspects',
      'my_deploy_impact',
    ]);
    // history is not loaded by the server, proposals not allowed by the token: asking for them adds nothing.
    expect(await names(await t.connect(token, {}, '?toolsets=history,proposals,triage'))).toEqual(
      ['log_interrupt', 'record_task', 'resolve_interrupt', 'triage_report'].sort(),
    );
    const ro = await t.connect(token, { 'X-MCP-Readonly': 'true' });
    expect(await names(ro)).toEqual(['incident_suspects', 'my_deploy_impact', 'triage_report']);
    const res = await t.rpc(
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      { authorization: `Bearer ${token}`, 'x-mcp-toolsets': 'atribution' },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/unknown toolset 'atribution'; known: attribution, history/);
  });

  it('server-wide --read-only refuses writers even for a token that may log', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx, { mcp: { access: { readOnly: true } } });
    const client = await t.connect(t.token('claude', ['read', 'log', 'propose']).token);
    expect(await names(client)).toEqual([...READ].sort());
    const res = await client.callTool({ name: 'record_task', arguments: { action: 'start', id: 'T-1' } });
    expect(textOf(res)).toMatch(/record_task writes, and this server runs read-only/);
  });
});

describe('output schemas over HTTP', () => {
  it('serve --http --output-schemas full advertises nested fields too', async () => {
    const ctx = testContext(gitdir().path);
    const t = await teamServer(ctx, { mcp: { access: {}, outputSchemas: 'full' } });
    const client = await t.connect(t.token('claude', ['read']).token);
    const { tools } = await client.listTools();
    const risk = tools.find((x) => x.name === 'change_risk')!.outputSchema as {
      properties: Record<string, { items?: { properties?: object } }>;
    };
    expect(Object.keys(risk.properties['modules']!.items!.properties!)).toContain('incidents90d');
  });
});
