import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildServer } from '../../src/mcp/server.js';
import { changeRisk } from '../../src/mcp/tools/change-risk.js';
import { moduleIncidentHistory } from '../../src/mcp/tools/module-incident-history.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const ago = (days: number) => NOW - days * 86_400_000;
const GW = 'src/payments/gateway.ts';
const tools = [moduleIncidentHistory, changeRisk];

async function connect() {
  const g = gitdir();
  g.commit({
    files: {
      [GW]: 'export {}\n',
      'docs/adr/0001-payments-retries.md': `---\nstatus: accepted\n---\n# Retries in payments\n\nSee ${GW}.\n`,
    },
    message: 'initial',
  });
  const ctx = testContext(g.path, { now: NOW });
  const seed = seeder(ctx);
  const sha = seed.commit({
    at: ago(30),
    agent: 'claude',
    subject: 'retry charges',
    files: [GW, 'src/ledger/book.ts'],
  });
  seed.commit({ at: ago(29), files: [GW, 'src/ledger/book.ts'] });
  seed.commit({ at: ago(28), revertsSha: sha, subject: 'Revert "retry charges"', files: [GW, 'src/ledger/book.ts'] });
  const inc = seed.incident({ externalId: 'INC-9', title: 'Double charge', severity: 'SEV1', startedAt: ago(27) });
  seed.link({ incidentId: inc, sha, score: 1, status: 'confirmed', method: 'revert' });
  seed.incident({ externalId: 'INC-10', title: 'Slow refunds', startedAt: ago(5), module: 'payments' });

  const server = buildServer(ctx, tools);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(b);
  return client;
}

const text = (res: Awaited<ReturnType<Client['callTool']>>) =>
  (res.content as { type: string; text: string }[]).map((c) => c.text).join('\n');

describe('history tools over MCP', () => {
  it('lists both tools as read-only with output schemas', async () => {
    const client = await connect();
    const listed = (await client.listTools()).tools;
    expect(listed.map((t) => t.name).sort()).toEqual(['change_risk', 'module_incident_history']);
    for (const t of listed) {
      expect(t.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
      expect(t.outputSchema).toBeDefined();
    }
  });

  it('change_risk answers structured content the client validates, and a compact text', async () => {
    const client = await connect();
    const res = await client.callTool({ name: 'change_risk', arguments: { paths: [`./${GW}`] } });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as z.infer<z.ZodObject<typeof changeRisk.output>>;
    expect(out.risk).toBe('high');
    expect(out.reasons).toEqual([
      // INC-10 has no resolution yet: the agent about to edit the gateway hears of it first.
      'open incident INC-10 in payments since 2026-02-24T00:00Z: "Slow refunds" — incident_suspects {"incident":"INC-10"}',
      '2 incidents in 90 days in payments (architectural signal)',
      expect.stringMatching(
        /^reverted once in 90 days, in a module with a recent incident: [0-9a-f]{7} \(src\/payments\/gateway\.ts\)$/,
      ),
    ]);
    expect(out.modules[0]).toMatchObject({ module: 'payments', incidents90d: 2, lastIncident: { id: 'INC-10' } });
    // the places behind the signal, once: on the module (and its line of the text), not again in the reason
    expect(out.modules[0]!.evidence).toEqual([
      'INC-10 has module payments',
      expect.stringMatching(/^INC-9 confirmed cause [0-9a-f]{7} changed src\/payments\/gateway\.ts$/),
    ]);
    expect(out.coChangedFiles.items.map((f) => [f.path, f.support, f.confidence])).toEqual([
      ['src/ledger/book.ts', 3, 1],
    ]);
    expect(out.decisionRecords.items.map((d) => [d.number, d.title, d.status])).toEqual([
      [1, 'Retries in payments', 'accepted'],
    ]);
    const t = text(res);
    expect(t.split('\n')[0]).toMatch(
      /^risk HIGH: open incident INC-10 in payments .*; 2 incidents in 90 days in payments/,
    );
    expect(t).toContain('src/ledger/book.ts 100% (3× with src/payments/gateway.ts)');
    expect(t).toMatch(/\npayments: 2 incidents in 90d.*; behind it: INC-10 has module payments; INC-9 confirmed cause/);
    expect(t.length).toBeLessThan(2000);
  });

  it('module_incident_history resolves fuzzy names and explains every link', async () => {
    const client = await connect();
    const res = await client.callTool({ name: 'module_incident_history', arguments: { module: 'PAYM', limit: 5 } });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as z.infer<z.ZodObject<typeof moduleIncidentHistory.output>>;
    expect(out.module).toBe('payments');
    expect(out.resolvedFrom).toContain('prefix');
    expect(out.incidents.items.map((i) => [i.id, i.linkedBy[0]])).toEqual([
      ['INC-10', 'module field'],
      ['INC-9', expect.stringMatching(/^confirmed cause [0-9a-f]{7} \(revert\)$/)],
    ]);
    expect(out.recurrence).toMatchObject({ last30d: 2, last90d: 2, architecturalSignal: true });
    expect(out.changes.recent).toMatchObject({ commits: 3, agentCommits: 1, agentShare: 0.33, reverts: 1 });
    expect(text(res)).toContain('ARCHITECTURAL SIGNAL: 2 incidents in 90 days in payments');
  });

  it('returns bad calls as isError with the fix in the text', async () => {
    const client = await connect();
    const fuzzy = await client.callTool({ name: 'module_incident_history', arguments: { module: 'paymnts' } });
    expect(fuzzy.isError).toBe(true);
    expect(text(fuzzy)).toBe(
      "no module matches 'paymnts'; closest: payments, ledger (known modules: ledger, payments)",
    );

    const both = await client.callTool({ name: 'module_incident_history', arguments: {} });
    expect(both.isError).toBe(true);
    expect(text(both)).toContain('pass exactly one of module');

    const since = await client.callTool({
      name: 'module_incident_history',
      arguments: { module: 'payments', since: 'last week' },
    });
    expect(since.isError).toBe(true);
    expect(text(since)).toContain('use e.g. 2026-01-01');

    const outside = await client.callTool({ name: 'change_risk', arguments: { paths: ['/etc/passwd'] } });
    expect(outside.isError).toBe(true);
    expect(text(outside)).toContain("paths[0] '/etc/passwd' is outside the repository");

    const empty = await client.callTool({ name: 'change_risk', arguments: { paths: [] } });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/paths/);
  });
});

describe('history tool definitions', () => {
  it.each(tools)('$name follows the tool conventions', (tool) => {
    const kebab = tool.name.replace(/_/g, '-');
    expect(existsSync(join(import.meta.dirname, '../../src/mcp/tools', `${kebab}.ts`))).toBe(true);
    expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(tool.description.length).toBeLessThanOrEqual(600);
    expect(Object.keys(tool.annotations).sort()).toEqual([
      'destructiveHint',
      'idempotentHint',
      'openWorldHint',
      'readOnlyHint',
    ]);
    for (const [field, schema] of Object.entries(tool.input)) {
      expect(schema.description, `${tool.name}.${field} needs a description`).toBeTruthy();
    }
  });
});
