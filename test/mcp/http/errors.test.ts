import { describe, expect, it } from 'vitest';
import { testContext } from '../../helpers/context.js';
import { gitdir } from '../../helpers/gitdir.js';
import { teamServer } from './harness.js';

describe('/mcp errors', () => {
  it('sends an unknown tool\'s error with its message as written: the client adds the "MCP error" prefix once', async () => {
    const t = await teamServer(testContext(gitdir().path));
    const { token } = t.token('claude');
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'log_interupt', arguments: {} } };
    const res = await t.rpc(call, { authorization: `Bearer ${token}` });
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toMatch(/^no tool named 'log_interupt'; call one of: .*log_interrupt/);

    const client = await t.connect(token);
    await expect(client.callTool({ name: 'log_interupt', arguments: {} })).rejects.toThrow(
      /^MCP error -32602: no tool named 'log_interupt'/,
    );
  });
});
