import { describe, expect, it } from 'vitest';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { mcpClient, textOf } from '../helpers/mcp.js';
import { importJson, paymentsStory } from '../helpers/stories.js';

// The agent about to touch (or asking about) code that is failing in production hears of it, in one line.
describe('an open incident in the paths being touched', () => {
  it('change_risk and log_interrupt both name the open incident; once resolved it is not mentioned', async () => {
    const story = await paymentsStory();
    const ctx = { ...story.ctx, clock: () => Date.parse('2026-02-13T00:00:00Z') };
    const inc = {
      id: 'INC-8',
      title: 'Gateway timeouts',
      started_at: '2026-02-12T08:00:00Z',
      files: ['src/payments/gateway.ts'],
    };
    importJson(ctx, [inc]);
    await refreshAttribution(ctx);
    const client = await mcpClient(ctx);
    const risk = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/payments/gateway.ts'] } });
    const line = /open incident INC-8 in payments since 2026-02-12T08:00Z: "Gateway timeouts"/;
    expect((risk.structuredContent as { reasons: string[] }).reasons[0]).toMatch(line);
    expect(textOf(risk)).toMatch(line);

    const logged = await client.callTool({
      name: 'log_interrupt',
      arguments: { summary: 'Which gateway timeout should checkout use?', paths: ['src/payments/gateway.ts'] },
    });
    expect((logged.structuredContent as { notes: string[] }).notes[0]).toMatch(line);

    importJson(ctx, [{ ...inc, resolved_at: '2026-02-12T10:00:00Z' }]);
    const quiet = await client.callTool({ name: 'change_risk', arguments: { paths: ['src/payments/gateway.ts'] } });
    expect(JSON.stringify(quiet.structuredContent)).not.toContain('open incident');
  });
});
