import { describe, expect, it } from 'vitest';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { importJson, paymentsStory } from '../helpers/stories.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

async function story() {
  const s = await paymentsStory();
  s.ctx.config.now = Date.parse('2026-02-20T00:00:00Z');
  s.ctx.clock = () => Date.parse('2026-02-20T00:00:00Z');
  importJson(s.ctx, [
    {
      id: 'INC-7',
      title: 'Payments API timeouts',
      severity: 'SEV2',
      started_at: '2026-02-05T08:00:00Z',
      files: ['src/payments/gateway.ts'],
    },
    {
      id: 'INC-9',
      title: 'Payments API timeouts',
      severity: 'SEV1',
      started_at: '2026-02-08T08:00:00Z',
      files: ['src/payments/gateway.ts'],
      fix_sha: s.fix,
    },
  ]);
  await refreshAttribution(s.ctx);
  return s;
}

describe('incident_suspects over MCP', () => {
  it('puts the confirmed cause first with blamed lines, and confirms the earlier occurrence too', async () => {
    const s = await story();
    const client = await mcpClient(s.ctx);
    const res = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'inc-9' } });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as {
      commits: {
        sha: string;
        status: string;
        method: string;
        agent: string | null;
        authorKind: string;
        blamed?: string[];
      }[];
      deploys: { status: string }[];
    };
    expect(s.inducing.startsWith(out.commits[0]!.sha)).toBe(true);
    expect(out.commits[0]).toMatchObject({
      status: 'confirmed',
      method: 'fix-blame',
      agent: 'claude',
      authorKind: 'pair',
    });
    expect(out.commits[0]!.blamed?.join('\n')).toMatch(/TIMEOUT_MS = 2000/);
    expect(out.deploys.some((d) => d.status === 'confirmed')).toBe(true);
    expect(textOf(res)).toMatch(/1\. \w{7} confirmed .*\[pair:claude\] perf\(payments\)/);

    const earlier = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'INC-7' } });
    const first = (
      earlier.structuredContent as { commits: { sha: string; status: string; method: string; reasons: string[] }[] }
    ).commits[0]!;
    expect(s.inducing.startsWith(first.sha)).toBe(true);
    expect(first).toMatchObject({ status: 'confirmed', method: 'recurrence' });
    expect(first.reasons[0]).toMatch(/same failure as INC-9/);
  });

  it('says how to fix an unknown incident id, with the closest ids', async () => {
    const s = await story();
    const client = await mcpClient(s.ctx);
    const res = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'INC-8' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /no incident 'INC-8'; closest ids: INC-7, INC-9|no incident 'INC-8'; closest ids: INC-9, INC-7/,
    );
    const bad = await client.callTool({ name: 'incident_suspects', arguments: { incident: 'INC-9', limit: 0 } });
    expect(bad.isError).toBe(true);
  });
});

describe('my_deploy_impact over MCP', () => {
  it('reports the deploys of my commits, the incidents they caused and my failure rate, for the client agent', async () => {
    const s = await story();
    const client = await mcpClient(s.ctx, { clientName: 'claude-code' });
    const res = await client.callTool({ name: 'my_deploy_impact', arguments: {} });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as {
      identity: { kind: string; value: string; source: string };
      myCommits: number;
      deploys: { myCommits: { sha: string }[]; incidents: { id: string; linkStatus: string }[] }[];
      summary: { myDeploys: number; myFailedDeploys: number; myChangeFailureRate: number; teamDeploys: number };
    };
    expect(out.identity).toEqual({ kind: 'agent', value: 'claude', source: 'client' });
    expect(out.myCommits).toBe(1);
    expect(out.deploys).toHaveLength(1);
    expect(out.deploys[0]!.incidents.map((i) => [i.id, i.linkStatus]).sort()).toEqual([
      ['INC-7', 'confirmed'],
      ['INC-9', 'confirmed'],
    ]);
    expect(out.summary).toMatchObject({ myDeploys: 1, myFailedDeploys: 1, myChangeFailureRate: 1, teamDeploys: 4 });
    expect(textOf(res)).toMatch(/your change failure rate 100% is above the team's/);
  });

  it('keeps one reason per incident by default, and gives more on request', async () => {
    const s = await story();
    const client = await mcpClient(s.ctx, { clientName: 'claude-code' });
    const reasonCounts = async (args: Record<string, unknown>) => {
      const res = await client.callTool({ name: 'my_deploy_impact', arguments: args });
      const out = res.structuredContent as { deploys: { incidents: { reasons: string[] }[] }[] };
      return out.deploys.flatMap((d) => d.incidents.map((i) => i.reasons.length));
    };
    expect(Math.max(...(await reasonCounts({})))).toBe(1);
    expect(Math.max(...(await reasonCounts({ reasons: 5 })))).toBeGreaterThan(1);
  });

  it('takes an explicit author or shas, and counts reverts', async () => {
    const s = await story();
    const client = await mcpClient(s.ctx);
    const byAuthor = await client.callTool({ name: 'my_deploy_impact', arguments: { author: 'ada@example.com' } });
    expect((byAuthor.structuredContent as { myCommits: number }).myCommits).toBe(3);
    const byShas = await client.callTool({ name: 'my_deploy_impact', arguments: { shas: [s.unrelated.slice(0, 8)] } });
    expect((byShas.structuredContent as { identity: { kind: string } }).identity.kind).toBe('shas');
    s.g.git('revert', '--no-edit', s.unrelated);
    await recordDeploy(s.ctx, { ref: 'HEAD', status: 'success', finishedAt: Date.parse('2026-02-12T00:00:00Z') });
    const after = await client.callTool({ name: 'my_deploy_impact', arguments: { shas: [s.unrelated] } });
    expect((after.structuredContent as { reverts: { sha: string }[] }).reverts).toHaveLength(1);
    const bad = await client.callTool({ name: 'my_deploy_impact', arguments: { shas: ['zzzz'] } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/shas\[0\] 'zzzz' is not a commit sha/);
    const badDate = await client.callTool({ name: 'my_deploy_impact', arguments: { since: 'last tuesday' } });
    expect(badDate.isError).toBe(true);
  });
});
