import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportRejectedError } from '../../src/errors.js';
import { importInterrupts } from '../../src/triage/import.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

function file(name: string, content: string): string {
  const p = join(tempDir(), name);
  writeFileSync(p, content);
  return p;
}

const count = (ctx: ReturnType<typeof testContext>, table: string) =>
  (ctx.store.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const ROWS = [
  {
    type: 'task',
    id: 'T-1',
    agent: 'claude',
    title: 'Retry charges',
    started_at: '2026-03-02T09:00:00Z',
    finished_at: '2026-03-02T11:00:00Z',
    outcome: 'completed',
  },
  {
    id: 'c-1',
    kind: 'correction',
    category: 'missing_context',
    summary: 'Gateway retries must reuse the idempotency key of the charge',
    paths: 'src/payments/gateway.ts;src/payments/retry.ts',
    task_id: 'T-1',
    agent: 'Claude',
    created_at: '2026-03-02T10:00:00Z',
    responded_at: '2026-03-02T10:05:00Z',
    response: 'yes, token=9f8e7d6c5b4a was the sandbox one',
  },
  {
    id: 'c-2',
    kind: 'interrupt',
    category: 'missing_context',
    summary: 'Does a retried gateway charge send the same idempotency key?',
    paths: ['src/payments/gateway.ts'],
    createdAt: '2026-03-03T10:00:00+01:00',
  },
];

describe('interrupts import', () => {
  it('imports a JSON array of tasks and entries: redacted, clustered, agent lower-cased; re-import adds nothing', () => {
    const ctx = testContext(gitdir().path);
    const f = file('log.json', JSON.stringify(ROWS, null, 2));
    const res = importInterrupts(ctx, f);
    expect(res).toMatchObject({
      interrupts: { inserted: 2, alreadyImported: 0, redactions: 1, clustersCreated: 1 },
      tasks: { created: 1, updated: 0, unchanged: 0 },
      rejected: [],
    });
    const rows = ctx.store
      .prepare('SELECT external_id AS e, agent, cluster_id AS c, response, task_id AS t FROM interrupts ORDER BY id')
      .all() as { e: string; agent: string | null; c: number; response: string | null; t: string | null }[];
    expect(rows[0]).toMatchObject({
      e: 'c-1',
      agent: 'claude',
      t: 'T-1',
      response: 'yes, token=[REDACTED:secret] was the sandbox one',
    });
    expect(rows[1]!.c).toBe(rows[0]!.c);
    expect(importInterrupts(ctx, f)).toMatchObject({
      interrupts: { inserted: 0, alreadyImported: 2 },
      tasks: { unchanged: 1 },
    });
    expect(count(ctx, 'interrupts')).toBe(2);
  });

  it('reads the { tasks, interrupts } object form and NDJSON', () => {
    const ctx = testContext(gitdir().path);
    const [task, ...entries] = ROWS;
    const { type: _type, ...plainTask } = task!;
    const obj = file('log.json', JSON.stringify({ tasks: [plainTask], interrupts: entries }));
    expect(importInterrupts(ctx, obj)).toMatchObject({ interrupts: { inserted: 2 }, tasks: { created: 1 } });
    const ctx2 = testContext(gitdir().path);
    const nd = file('log.ndjson', ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect(importInterrupts(ctx2, nd)).toMatchObject({ interrupts: { inserted: 2 }, tasks: { created: 1 } });
  });

  it('rejects bad rows by file:line and field, writing nothing', () => {
    const ctx = testContext(gitdir().path);
    const rows = [
      ROWS[1],
      { id: 'c-3', kind: 'complaint', summary: 'x', created_at: '2026-03-02' },
      {
        id: 'c-4',
        kind: 'interrupt',
        summary: 'Where is the flag list?',
        created_at: '2026-03-02T10:00:00Z',
        sevrity: 'high',
      },
      { id: 'c-1', kind: 'interrupt', summary: 'Twin of the first row', created_at: '2026-03-02T10:00:00Z' },
      { type: 'task', id: 'T-9', started_at: '2026-03-02T10:00:00Z', outcome: 'completed' },
    ];
    const f = file('bad.json', JSON.stringify(rows, null, 2));
    let err: unknown;
    try {
      importInterrupts(ctx, f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportRejectedError);
    const problems = (err as ImportRejectedError).problems.map((p) => `${p.line} ${p.field}: ${p.message}`);
    // The line (1-based) where JSON.stringify(rows, null, 2) opens each row: "  {".
    const opens = JSON.stringify(rows, null, 2)
      .split('\n')
      .flatMap((l, i) => (l === '  {' ? [i + 1] : []));
    const [first, c3, c4, twin, t9] = opens;
    expect(problems).toEqual([
      `${c3} kind: kind must be interrupt or correction`,
      `${c3} created_at: created_at must be an ISO 8601 date-time with a zone, e.g. 2026-03-01T10:00:00Z or …+02:00`,
      expect.stringMatching(
        new RegExp(`^${c4} sevrity: unknown field 'sevrity'; known fields: type, id, kind, category`),
      ),
      `${twin} id: duplicate id 'c-1' (also at line ${first}); each row appears once: remove or rename one`,
      `${t9} outcome: finished_at and outcome go together: give both (a finished task) or neither (a running one)`,
    ]);
    expect(count(ctx, 'interrupts') + count(ctx, 'tasks') + count(ctx, 'clusters')).toBe(0);
    expect((err as Error).message).toContain('--skip-invalid');
  });

  it('--skip-invalid imports the good rows and lists the rest; NDJSON lines are exact', () => {
    const ctx = testContext(gitdir().path);
    const f = file(
      'log.ndjson',
      [
        JSON.stringify(ROWS[1]),
        '{not json',
        '',
        JSON.stringify({ kind: 'interrupt', created_at: '2026-03-02T10:00:00Z' }),
      ].join('\n'),
    );
    const res = importInterrupts(ctx, f, { skipInvalid: true });
    expect(res.interrupts.inserted).toBe(1);
    expect(res.rejected.map((p) => `${p.line} ${p.field}`)).toEqual(['2 (row)', '4 summary']);
    expect(res.rejected[1]!.message).toBe('summary is required');
  });

  it('says how to fix an unreadable file', () => {
    const ctx = testContext(gitdir().path);
    expect(() => importInterrupts(ctx, file('log.csv', 'a,b'))).toThrow(/use a \.json file/);
    expect(() => importInterrupts(ctx, file('log.json', '{"rows": []}'))).toThrow(
      /expected an array of rows, or an object/,
    );
    expect(() => importInterrupts(ctx, join(tempDir(), 'missing.json'))).toThrow(/no such file/);
  });
});
