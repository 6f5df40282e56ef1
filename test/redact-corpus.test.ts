import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.js';
import { importIncidents } from '../src/ingest/incidents.js';
import { redactSecrets } from '../src/redact.js';
import { importInterrupts } from '../src/triage/import.js';
import { testContext } from './helpers/context.js';
import { gitdir, tempDir } from './helpers/gitdir.js';
import { mcpClient } from './helpers/mcp.js';
import { SECRET_SAMPLES } from './helpers/secrets.js';
import { webhookHarness } from './webhooks/harness.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const example = (event: string, action: string) =>
  structuredClone(
    examples.find((e) => e.name === event)!.examples.find((e) => (e as { action?: string }).action === action),
  ) as unknown as Record<string, Record<string, unknown>>;

/** The raw bytes SQLite wrote: the database file and its write-ahead log, where fresh pages live. */
function storedBytes(ctx: AppContext): Buffer {
  const files = [ctx.config.dbPath, `${ctx.config.dbPath}-wal`].filter((f) => existsSync(f));
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

/** The samples whose secret (as sent or lower-cased) appears anywhere in the bytes. */
function leaks(bytes: Buffer): string[] {
  return SECRET_SAMPLES.filter((s) => bytes.includes(s.secret) || bytes.includes(s.secret.toLowerCase())).map(
    (s) => s.name,
  );
}

const short = (text: string, max: number) => (text.length <= max ? text : text.slice(0, max));

describe('no secret reaches the database file', () => {
  it(`redacts all ${SECRET_SAMPLES.length} sample formats and keeps the words around them`, () => {
    expect(SECRET_SAMPLES.length).toBeGreaterThanOrEqual(27);
    const missed = SECRET_SAMPLES.filter((s) => redactSecrets(s.text).text.includes(s.secret)).map((s) => s.name);
    expect(missed).toEqual([]);
    const lost = SECRET_SAMPLES.filter((s) => !redactSecrets(s.text).text.includes(s.keep)).map((s) => s.name);
    expect(lost).toEqual([]);
  });

  it('through log_interrupt, resolve_interrupt and record_task (every text field), and interrupts import', async () => {
    const ctx = testContext(gitdir().path);
    const client = await mcpClient(ctx, { clientName: 'claude-code' });
    for (const [i, s] of SECRET_SAMPLES.entries()) {
      const task = await client.callTool({
        name: 'record_task',
        arguments: {
          action: 'start',
          id: short(`T-${i} ${s.text}`, 200),
          title: short(s.text, 500),
          session_id: short(s.text, 200),
        },
      });
      expect(task.isError, JSON.stringify(task.content)).toBeFalsy();
      const logged = await client.callTool({
        name: 'log_interrupt',
        arguments: {
          summary: short(`deploy question ${s.text}`, 2000),
          detail: s.text,
          paths: [s.text, `src/payments/${s.name}.ts`],
          task_id: short(`T-${i} ${s.text}`, 200),
          session_id: short(s.text, 200),
          ...(s.anyCase ? { agent: s.text } : {}),
        },
      });
      expect(logged.isError, JSON.stringify(logged.content)).toBeFalsy();
      const id = (logged.structuredContent as { id: number }).id;
      const resolved = await client.callTool({
        name: 'resolve_interrupt',
        arguments: { id, response: `use this one: ${s.text}` },
      });
      expect(resolved.isError, JSON.stringify(resolved.content)).toBeFalsy();
      // What the tool answers is stored text too: the agent never gets the secret echoed back.
      expect(JSON.stringify([task, logged, resolved])).not.toContain(s.secret);
    }

    const file = join(tempDir(), 'log.json');
    const at = (i: number) => new Date(Date.UTC(2026, 2, 1, 10, i)).toISOString();
    writeFileSync(
      file,
      JSON.stringify({
        tasks: SECRET_SAMPLES.map((s, i) => ({
          id: `imp-${i} ${s.text}`,
          title: s.text,
          session_id: s.text,
          agent: s.anyCase ? s.text : 'claude',
          started_at: at(i),
        })),
        interrupts: SECRET_SAMPLES.map((s, i) => ({
          id: `row-${i}`,
          kind: 'correction',
          summary: `imported ${s.text}`,
          detail: s.text,
          paths: [s.text],
          task_id: `imp-${i} ${s.text}`,
          session_id: s.text,
          agent: s.anyCase ? s.text : 'claude',
          created_at: at(i),
          responded_at: at(i + 1),
          response: s.text,
        })),
      }),
    );
    const res = importInterrupts(ctx, file);
    expect(res.interrupts.inserted).toBe(SECRET_SAMPLES.length);
    expect(res.interrupts.redactions).toBeGreaterThanOrEqual(SECRET_SAMPLES.length * 5);

    const bytes = storedBytes(ctx);
    expect(leaks(bytes)).toEqual([]);
    for (const s of SECRET_SAMPLES) expect(bytes.includes(s.keep), s.name).toBe(true);
    // A task id redacted in record_task is redacted the same way in log_interrupt: the two still join.
    const joined = ctx.store
      .prepare('SELECT count(*) AS n FROM interrupts i JOIN tasks t ON t.id = i.task_id')
      .get() as { n: number };
    expect(joined.n).toBe(SECRET_SAMPLES.length * 2);
  });

  it('through the incident, GitHub and PagerDuty webhooks and the incident file import', async () => {
    const h = await webhookHarness(gitdir().path);
    for (const [i, s] of SECRET_SAMPLES.entries()) {
      const res = await h.incident({
        id: `INC-${i}`,
        title: `outage ${s.text}`,
        summary: s.text,
        service: s.text,
        module: s.text,
        url: `https://status.acme.dev/${i} ${s.text}`,
        severity: s.text,
        files: [s.text],
        started_at: '2026-03-01T10:00:00Z',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);

      const issue = example('issues', 'labeled');
      Object.assign(issue['issue']!, {
        number: 1000 + i,
        title: `checkout down ${s.text}`,
        body: s.text,
        labels: [{ name: 'incident' }],
      });
      expect((await h.github('issues', issue)).body['outcome']).toBe('stored');

      const pr = example('pull_request', 'opened');
      Object.assign(pr['pull_request']!, { number: 2000 + i, title: `fix ${s.text}` });
      Object.assign(pr, { number: 2000 + i });
      expect((await h.github('pull_request', pr)).body['outcome']).toBe('stored');

      const pd = await h.pagerduty({
        event: {
          id: `01EVT${i}`,
          event_type: 'incident.triggered',
          occurred_at: '2026-03-01T10:00:00Z',
          data: { id: `PD${i}`, title: s.text, created_at: '2026-03-01T10:00:00Z', service: { summary: 'payments' } },
        },
      });
      expect(pd.status, JSON.stringify(pd.body)).toBe(200);
    }

    const dir = tempDir();
    mkdirSync(join(dir, 'postmortems'));
    writeFileSync(
      join(dir, 'incidents.json'),
      JSON.stringify(
        SECRET_SAMPLES.map((s, i) => ({
          id: `FILE-${i}`,
          title: s.text,
          summary: s.text,
          started_at: '2026-03-02T10:00:00Z',
        })),
      ),
    );
    writeFileSync(
      join(dir, 'postmortems', 'file-0.md'),
      `---\nid: FILE-0\ntitle: "post-mortem"\n---\n${SECRET_SAMPLES.map((s) => s.text).join('\n\n')}\n`,
    );
    expect(importIncidents(h.ctx, dir).rejected).toEqual([]);

    const bytes = storedBytes(h.ctx);
    expect(leaks(bytes)).toEqual([]);
    for (const s of SECRET_SAMPLES) expect(bytes.includes(s.keep), s.name).toBe(true);
  });

  it('through propose_adr, propose_rule and propose_skill: neither the files written nor the database', async () => {
    const g = gitdir();
    const ctx = testContext(g.path);
    const client = await mcpClient(ctx);
    const all = SECRET_SAMPLES.map((s) => s.text);
    const calls = [
      {
        name: 'propose_adr',
        arguments: {
          title: 'Keep deploy credentials out of the repository',
          context: all.join('\n\n'),
          decision: all.slice(0, 10).join('; '),
          options: [{ title: 'Vault', description: all[10], pros: all.slice(11, 15), cons: all.slice(15, 18) }],
          consequences: all.slice(18),
        },
      },
      ...all.map((text) => ({
        name: 'propose_rule',
        arguments: { rule: `Deploy scripts MUST NOT inline ${text.replace(/\n/g, ' ')}`, rationale: text },
      })),
      {
        name: 'propose_skill',
        arguments: {
          name: 'rotate-credentials',
          description: 'Rotates leaked credentials. Use when a secret was pasted somewhere.',
          body: all.map((text, i) => `${i + 1}. Revoke ${text}`).join('\n'),
        },
      },
    ];
    const written: string[] = [];
    for (const call of calls) {
      const res = await client.callTool(call);
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      written.push((res.structuredContent as { path: string }).path);
    }
    const files = Buffer.concat([...new Set(written)].map((p) => readFileSync(join(g.path, p))));
    expect(leaks(files)).toEqual([]);
    expect(leaks(storedBytes(ctx))).toEqual([]);
    for (const s of SECRET_SAMPLES) expect(files.includes(s.keep), s.name).toBe(true);
  });
});
