import { describe, expect, it } from 'vitest';
import { DAY, deliveryFixture, HOUR, NOW } from '../delivery/fixture.js';
import { mcpClient, textOf } from '../helpers/mcp.js';

describe('delivery_metrics over MCP', () => {
  it('answers the figures by author kind with deltas, prints the definitions, and keeps breakdowns brief', async () => {
    const f = deliveryFixture();
    const agentCommit = f.seed.commit({ at: NOW - 3 * DAY - 5 * HOUR, agent: 'claude', files: ['src/a.ts'] });
    const d = f.deploy({ at: NOW - 3 * DAY, shas: [agentCommit] });
    const human = f.seed.commit({ at: NOW - 2 * DAY - HOUR, files: ['src/h.ts'] });
    f.deploy({ at: NOW - 2 * DAY, shas: [human] });
    f.deployLink(f.seed.incident({ externalId: 'INC-9', startedAt: NOW - DAY }), d, 1, 'confirmed');
    f.seed.incident({ externalId: 'INC-NOCAUSE', startedAt: NOW - DAY });

    const client = await mcpClient(f.ctx, { access: { toolsets: ['delivery'] } });
    const res = await client.callTool({ name: 'delivery_metrics', arguments: { window_days: 7 } });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as {
      window: { days: number; until: string };
      overall: { current: { deploys: number; failRate: number }; previous: unknown };
      byKind: { key: string; current: { failed: number; leadMedianH: number }; previous?: unknown }[];
      byAgent: { key: string }[];
      incidents: { notCausedExamples: string[] };
    };
    expect(out.window).toMatchObject({ days: 7, until: new Date(NOW).toISOString() });
    expect(out.overall.current).toMatchObject({ deploys: 2, failRate: 0.5 });
    expect(out.overall.previous).toBeDefined();
    expect(out.byKind.map((g) => [g.key, g.current.failed, g.current.leadMedianH])).toEqual([
      ['human', 0, 1],
      ['agent', 1, 5],
    ]);
    expect(out.byKind.every((g) => g.previous === undefined)).toBe(true);
    expect(out.byAgent.map((g) => g.key)).toEqual(['claude']);
    expect(out.incidents.notCausedExamples).toEqual(['INC-NOCAUSE']);
    const text = textOf(res);
    expect(text).toMatch(/agent: 1 deploy .* fail 100% \(1\)/);
    expect(text).toMatch(/not caused by any deploy: 1 \(INC-NOCAUSE\)/);
    expect(text).toMatch(/changeFailRate \(lower is better\): DORA: /);
    expect(text).toContain('dora.dev');
    await client.close();
  });

  it('rejects a window outside 1–365 days naming the field', async () => {
    const client = await mcpClient(deliveryFixture().ctx, { access: { toolsets: ['delivery'] } });
    const res = await client.callTool({ name: 'delivery_metrics', arguments: { window_days: 0 } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/window_days/);
    await client.close();
  });
});
