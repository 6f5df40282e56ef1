import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { ImportRejectedError, UserInputError, type RowProblem } from '../../src/errors.js';
import { checkIncidentRow } from '../../src/ingest/incident-row.js';
import { importIncidents } from '../../src/ingest/incidents.js';
import {
  countIncidents,
  findIncidents,
  getIncident,
  listIncidentFiles,
  type IncidentRow,
} from '../../src/store/incidents.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/incidents');
const fixture = (name: string) => join(FIXTURES, name);

function ctxAt(now = Date.parse('2026-04-01T00:00:00Z'), overrides = {}) {
  const ctx = testContext(tempDir('hindsight-repo-'), overrides);
  ctx.clock = () => now;
  return ctx;
}

function one(ctx: AppContext, ref: string): IncidentRow {
  const row = getIncident(ctx.store, ref);
  if (!row) throw new Error(`no incident ${ref}`);
  return row;
}

/** Runs an import that must be rejected and returns its problems. */
function rejected(ctx: AppContext, path: string): RowProblem[] {
  try {
    importIncidents(ctx, path);
  } catch (err) {
    expect(err).toBeInstanceOf(ImportRejectedError);
    return (err as ImportRejectedError).problems;
  }
  throw new Error('import was not rejected');
}

function writeTemp(name: string, text: string): string {
  const p = join(tempDir('hindsight-in-'), name);
  writeFileSync(p, text);
  return p;
}

describe('importIncidents: JSON', () => {
  it('stores fields, files and application frames with their modules', () => {
    const ctx = ctxAt();
    const result = importIncidents(ctx, fixture('incidents.json'));
    expect(result).toMatchObject({ inserted: 2, updated: 0, unchanged: 0, rejected: [] });
    expect(result.incidentIds).toHaveLength(2);

    const a = one(ctx, 'INC-101');
    expect(a).toMatchObject({
      source: 'pagerduty',
      externalId: 'INC-101',
      title: 'Checkout returns 500 for card payments',
      severity: 'SEV1',
      startedAt: Date.parse('2026-03-01T10:15:00Z'),
      resolvedAt: Date.parse('2026-03-01T10:45:00Z'),
      env: 'production',
      service: 'checkout',
      module: null,
      status: 'resolved',
      url: 'https://acme.pagerduty.com/incidents/INC-101',
      summary: null,
      updatedAt: Date.parse('2026-04-01T00:00:00Z'),
    });
    expect(result.incidentIds).toContain(a.id);
    // node_modules and node:internal frames are parsed but not stored.
    expect(listIncidentFiles(ctx.store, a.id)).toEqual([
      { path: 'src/payments/charge.ts', line: null, kind: 'file', module: 'payments' },
      { path: 'src/payments/gateway.ts', line: null, kind: 'file', module: 'payments' },
      { path: 'src/payments/charge.ts', line: 88, kind: 'frame', module: 'payments' },
    ]);

    // camelCase aliases, default source, given env, status lower-cased, frames from a pasted trace.
    const b = one(ctx, 'INC-102');
    expect(b).toMatchObject({
      source: 'import',
      startedAt: Date.parse('2026-03-02T06:00:00Z'),
      resolvedAt: null,
      env: 'staging',
      status: 'mitigated',
      severity: 'P2',
    });
    expect(listIncidentFiles(ctx.store, b.id)).toEqual([
      { path: 'app/search/query.py', line: 41, kind: 'frame', module: 'search' },
    ]);
  });

  it('reads { "incidents": [...] }, uses the configured env and modules, and defaults status to open', () => {
    const ctx = ctxAt(undefined, { env: 'prod-eu', modules: { checkout: ['src/payments/**'] } });
    const file = writeTemp(
      'export.json',
      JSON.stringify({
        exported_at: '2026-04-01',
        incidents: [
          { id: 7, title: 'Numeric id', started_at: '2026-03-01T10:00:00.123+0530', files: 'src/payments/a.ts' },
        ],
      }),
    );
    expect(importIncidents(ctx, file).inserted).toBe(1);
    const row = one(ctx, '7');
    expect(row).toMatchObject({
      externalId: '7',
      env: 'prod-eu',
      status: 'open',
      startedAt: Date.parse('2026-03-01T04:30:00.123Z'),
    });
    expect(listIncidentFiles(ctx.store, row.id)).toEqual([
      { path: 'src/payments/a.ts', line: null, kind: 'file', module: 'checkout' },
    ]);
  });

  it('changes nothing when the same file is imported again', () => {
    const ctx = ctxAt();
    const first = importIncidents(ctx, fixture('incidents.json'));
    const before = one(ctx, 'INC-101');
    const filesBefore = listIncidentFiles(ctx.store, before.id);
    ctx.clock = () => Date.parse('2026-05-01T00:00:00Z');

    const again = importIncidents(ctx, fixture('incidents.json'));
    expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 2, rejected: [], incidentIds: [] });
    expect(one(ctx, 'INC-101')).toEqual(before);
    expect(one(ctx, 'INC-101').updatedAt).toBe(Date.parse('2026-04-01T00:00:00Z'));
    expect(listIncidentFiles(ctx.store, before.id)).toEqual(filesBefore);
    expect(countIncidents(ctx.store)).toBe(first.inserted);
  });

  it('updates a changed row, replaces its files, and lists only it for re-attribution', () => {
    const ctx = ctxAt();
    importIncidents(ctx, fixture('incidents.json'));
    const before = one(ctx, 'INC-101');
    const rows = JSON.parse(readFileSync(fixture('incidents.json'), 'utf8')) as Record<string, unknown>[];
    rows[0]!['title'] = 'Checkout 500s (card payments)';
    rows[0]!['files'] = ['src/payments/retry.ts'];
    const file = writeTemp('changed.json', JSON.stringify(rows, null, 2));
    ctx.clock = () => Date.parse('2026-05-01T00:00:00Z');

    const result = importIncidents(ctx, file);
    expect(result).toEqual({ inserted: 0, updated: 1, unchanged: 1, rejected: [], incidentIds: [before.id] });
    const after = one(ctx, 'INC-101');
    expect(after.title).toBe('Checkout 500s (card payments)');
    expect(after.updatedAt).toBe(Date.parse('2026-05-01T00:00:00Z'));
    // Files replaced; frames were not part of the change and stay.
    expect(listIncidentFiles(ctx.store, before.id)).toEqual([
      { path: 'src/payments/retry.ts', line: null, kind: 'file', module: 'payments' },
      { path: 'src/payments/charge.ts', line: 88, kind: 'frame', module: 'payments' },
    ]);
  });

  it('keeps stored fields a later row leaves out, and resolves an open incident', () => {
    const ctx = ctxAt();
    const open = writeTemp(
      'a.json',
      JSON.stringify([{ id: 'INC-9', title: 'Down', started_at: '2026-03-01T10:00:00Z', service: 'api' }]),
    );
    importIncidents(ctx, open);
    expect(one(ctx, 'INC-9').status).toBe('open');
    const resolved = writeTemp(
      'b.json',
      JSON.stringify([
        { id: 'INC-9', title: 'Down', started_at: '2026-03-01T10:00:00Z', resolved_at: '2026-03-01T11:00:00Z' },
      ]),
    );
    expect(importIncidents(ctx, resolved).updated).toBe(1);
    expect(one(ctx, 'INC-9')).toMatchObject({ status: 'resolved', service: 'api' });
  });
});

describe('importIncidents: NDJSON and CSV', () => {
  it('imports NDJSON, skipping blank lines, with ;-separated files and Go frames', () => {
    const ctx = ctxAt();
    expect(importIncidents(ctx, fixture('incidents.ndjson'))).toMatchObject({ inserted: 2, rejected: [] });
    const login = one(ctx, 'INC-201');
    expect(listIncidentFiles(ctx.store, login.id).map((f) => [f.path, f.module])).toEqual([
      ['src/auth/cookies.ts', 'auth'],
      ['src/auth/session.ts', 'auth'],
    ]);
    const worker = one(ctx, 'INC-202');
    expect(worker.status).toBe('resolved');
    expect(listIncidentFiles(ctx.store, worker.id)).toEqual([
      { path: 'app/services/billing/worker.go', line: 88, kind: 'frame', module: 'billing' },
    ]);
  });

  it('reports NDJSON problems by line, including a line that is not JSON', () => {
    const ctx = ctxAt();
    const file = writeTemp(
      'x.ndjson',
      [
        '{"id": "A", "title": "ok", "started_at": "2026-03-01T00:00:00Z"}',
        '{"id": "B", "title": "no zone", "started_at": "2026-03-01T00:00:00"}',
        '{"id": "C", "title": ',
      ].join('\n'),
    );
    const problems = rejected(ctx, file);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'started_at'],
      [3, '(row)'],
    ]);
    expect(countIncidents(ctx.store)).toBe(0);
  });

  it('imports CSV with quoted cells, ;-separated lists, multi-line cells and empty cells as absent', () => {
    const ctx = ctxAt();
    expect(importIncidents(ctx, fixture('incidents.csv'))).toMatchObject({ inserted: 2, rejected: [] });
    const refunds = one(ctx, 'INC-301');
    expect(refunds).toMatchObject({
      source: 'opsgenie',
      title: 'Refunds fail, partially',
      severity: 'critical',
      resolvedAt: Date.parse('2026-03-07T15:00:00Z'),
      summary: null,
    });
    expect(listIncidentFiles(ctx.store, refunds.id)).toEqual([
      { path: 'src/payments/ledger.ts', line: null, kind: 'file', module: 'payments' },
      { path: 'src/payments/refund.ts', line: null, kind: 'file', module: 'payments' },
      { path: 'app/models/refund.rb', line: 12, kind: 'frame', module: 'models' },
      { path: 'com/acme/payments/Refund.java', line: 88, kind: 'frame', module: 'com' },
    ]);
    const backlog = one(ctx, 'INC-302');
    expect(backlog).toMatchObject({
      severity: null,
      startedAt: Date.parse('2026-03-08T06:00:00Z'),
      resolvedAt: null,
      status: 'open',
      summary: 'Backlog grew after\nthe deploy',
    });
    expect(listIncidentFiles(ctx.store, backlog.id).map((f) => `${f.path}:${f.line}`)).toEqual([
      'src/queue/drain.ts:10',
      'src/queue/loop.ts:4',
    ]);
  });

  it('points CSV problems at the line a record starts on, and rejects unknown columns once', () => {
    const ctx = ctxAt();
    const file = writeTemp(
      'x.csv',
      ['id,title,started_at,summary', 'A,ok,2026-03-01T00:00:00Z,"two', 'lines"', 'B,bad,2026-03-01,'].join('\n'),
    );
    expect(rejected(ctx, file)).toEqual([
      {
        file,
        line: 4,
        field: 'started_at',
        message: expect.stringContaining('2026-03-01T00:00:00Z') as string,
      },
    ]);

    const typo = writeTemp('typo.csv', 'id,title,startedat\nA,ok,2026-03-01T00:00:00Z\n');
    const problems = rejected(ctx, typo);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 1, field: 'startedat' });
    expect(problems[0]!.message).toContain("did you mean 'started_at'");
  });
});

describe('importIncidents: bad rows', () => {
  it('writes nothing and reports every problem with file, line and field', () => {
    const ctx = ctxAt();
    const file = fixture('bad.json');
    const problems = rejected(ctx, file);
    expect(problems.map((p) => [p.file, p.line, p.field])).toEqual([
      [file, 7, 'started_at'],
      [file, 12, 'resolvedAtt'],
      [file, 18, 'title'],
      [file, 18, 'started_at'],
      [file, 18, 'fix_sha'],
      [file, 23, 'resolved_at'],
      [file, 29, 'id'],
    ]);
    const message = (line: number, field: string) =>
      problems.find((p) => p.line === line && p.field === field)?.message;
    expect(message(7, 'started_at')).toMatch(/no time zone.*2026-03-10T10:00:00Z/);
    expect(message(12, 'resolvedAtt')).toMatch(/unknown field 'resolvedAtt'/);
    expect(message(18, 'started_at')).toMatch(/date without a time.*2026-03-10T00:00:00Z/);
    expect(message(18, 'fix_sha')).toMatch(/not a commit sha/);
    expect(message(23, 'resolved_at')).toMatch(/before started_at/);
    expect(message(29, 'id')).toMatch(/duplicate id 'INC-401'.*bad\.json:2/);
    expect(countIncidents(ctx.store)).toBe(0);
  });

  it('finds the line of each object inside { "incidents": [...] }, whatever its strings hold', () => {
    const ctx = ctxAt();
    const text = [
      '{ "meta": { "note": "[not, an {array" }, "list": [1, 2],',
      '  "incidents": [',
      '    { "id": "A", "title": "]} tricky \\" text", "started_at": "2026-03-01T00:00:00Z" },',
      '',
      '    {',
      '      "id": "B", "title": "b", "started_at": "2026-03-01"',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    expect(rejected(ctx, writeTemp('wrapped.json', text)).map((p) => [p.line, p.field])).toEqual([[5, 'started_at']]);
  });

  it('with skipInvalid keeps the valid rows and returns the rest', () => {
    const ctx = ctxAt();
    const result = importIncidents(ctx, fixture('bad.json'), { skipInvalid: true });
    expect(result.inserted).toBe(1);
    expect(result.rejected).toHaveLength(7);
    expect(findIncidents(ctx.store, 'INC-401').map((r) => r.title)).toEqual(['Fine row']);
    expect(countIncidents(ctx.store)).toBe(1);
  });

  it('rejects a field typo but accepts the documented camelCase aliases, not both at once', () => {
    const ctx = ctxAt();
    const file = writeTemp(
      'x.json',
      JSON.stringify([
        { id: 'A', title: 'ok', startedAt: '2026-03-01T00:00:00Z', fixSha: 'ABCDEF1', rootCauseSha: 'abcdef2' },
        { id: 'B', title: 'x', started_at: '2026-03-01T00:00:00Z', startedAt: '2026-03-01T00:00:00Z' },
        { id: 'C', title: 'x', started: '2026-03-01T00:00:00Z' },
      ]),
    );
    const problems = rejected(ctx, file);
    expect(problems.map((p) => p.field)).toEqual(['startedAt', 'started_at', 'started']);
    expect(problems[0]!.message).toMatch(/both started_at and startedAt/);
  });

  it('rejects an unsupported file type and a missing file', () => {
    const ctx = ctxAt();
    expect(() => importIncidents(ctx, writeTemp('x.xml', '<x/>'))).toThrow(UserInputError);
    expect(() => importIncidents(ctx, writeTemp('x.xml', '<x/>'))).toThrow(/\.json.*\.ndjson.*\.csv/);
    expect(() => importIncidents(ctx, join(tempDir(), 'absent.json'))).toThrow(/no such file/);
    expect(() => importIncidents(ctx, writeTemp('x.json', '[{"id": 1,}]'))).toThrow(/x\.json:1: not valid JSON/);
  });
});

describe('incident row dates', () => {
  const startOf = (started_at: string) => {
    const check = checkIncidentRow({ id: 'A', title: 't', started_at });
    return check.ok ? check.row.started_at : check.problems.map((p) => p.message).join('; ');
  };

  it.each([
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01t10:00:00z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01 12:00+02:00', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T15:00:00+05', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00,250Z', '2026-03-01T10:00:00.250Z'],
  ])('reads %s', (text, iso) => {
    expect(startOf(text)).toBe(Date.parse(iso));
  });

  it.each([
    ['2026-03-01', /date without a time/],
    ['2026-03-01T10:00:00', /no time zone; append Z/],
    ['2026-03-01 10:00', /no time zone/],
    ['2026-02-30T10:00:00Z', /not a real date-time/],
    ['1 March 2026', /not an ISO 8601 date-time with a zone/],
  ])('rejects %s', (text, message) => {
    expect(startOf(text)).toMatch(message);
  });

  it('rejects a number with a hint at the expected text', () => {
    const check = checkIncidentRow({ id: 'A', title: 't', started_at: 1772359200000 });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problems[0]).toMatchObject({
      field: 'started_at',
      message: expect.stringMatching(/ISO 8601/) as string,
    });
  });
});

describe('importIncidents: commit references', () => {
  it('stores a short fix_sha as the full sha of the one commit that starts with it', () => {
    const ctx = ctxAt();
    const full = 'abc1234' + 'd'.repeat(33);
    const twinA = 'fed9876' + 'a'.repeat(33);
    const twinB = 'fed9876' + 'b'.repeat(33);
    ctx.store.prepare("INSERT INTO repos (id, path, name) VALUES (1, '/r', 'r')").run();
    const commit = ctx.store.prepare(
      `INSERT INTO commits (sha, repo_id, author_name, author_email, authored_at, committed_at, subject, author_kind)
       VALUES (?, 1, 'a', 'a@x', 0, 0, 's', 'human')`,
    );
    for (const sha of [full, twinA, twinB]) commit.run(sha);
    const file = writeTemp(
      'x.json',
      JSON.stringify([
        { id: 'A', title: 'a', started_at: '2026-03-01T00:00:00Z', fix_sha: 'ABC1234', root_cause_sha: 'fed9876' },
        { id: 'B', title: 'b', started_at: '2026-03-01T00:00:00Z', fix_sha: '0000000' },
      ]),
    );
    importIncidents(ctx, file);
    // ambiguous and unknown prefixes are kept as written, for attribution to resolve later
    expect(one(ctx, 'A')).toMatchObject({ fixSha: full, rootCauseSha: 'fed9876' });
    expect(one(ctx, 'B').fixSha).toBe('0000000');
    expect(importIncidents(ctx, file).unchanged).toBe(2);
  });
});

describe('importIncidents: post-mortems', () => {
  function repoWithPostmortems(ctx: AppContext): string {
    const dir = join(ctx.config.repoPath, 'docs/postmortems');
    mkdirSync(dir, { recursive: true });
    cpSync(fixture('postmortems'), dir, { recursive: true });
    return dir;
  }

  it('enriches a known incident and creates one from a complete front matter', () => {
    const ctx = ctxAt();
    importIncidents(ctx, fixture('incidents.json'));
    const before = one(ctx, 'INC-101');
    const dir = repoWithPostmortems(ctx);
    ctx.clock = () => Date.parse('2026-05-01T00:00:00Z');

    const result = importIncidents(ctx, dir);
    expect(result).toMatchObject({ inserted: 1, updated: 1, unchanged: 0, rejected: [] });
    expect(ctx.logs.join('\n')).toMatch(/README\.md has no front matter; skipped/);

    // No source in the front matter: attached to the one INC-101 there is (pagerduty).
    const enriched = one(ctx, 'INC-101');
    expect(enriched).toMatchObject({
      ...before,
      summary: '# INC-101: card payments failed\n\nThe retry wrapper swallowed the gateway timeout.',
      postmortemPath: 'docs/postmortems/2026/inc-101.md',
      rootCauseSha: 'abc1234',
      updatedAt: Date.parse('2026-05-01T00:00:00Z'),
    });
    expect(listIncidentFiles(ctx.store, before.id)).toHaveLength(3);

    const created = one(ctx, 'INC-150');
    expect(created).toMatchObject({
      source: 'import',
      title: 'Stale prices shown after cache flush',
      severity: 'SEV3',
      startedAt: Date.parse('2026-03-03T07:30:00Z'),
      summary: 'Cache keys lost their currency suffix.',
      postmortemPath: 'docs/postmortems/2026/inc-150.md',
    });
    expect(listIncidentFiles(ctx.store, created.id).map((f) => f.module)).toEqual(['pricing']);

    expect(importIncidents(ctx, dir)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
  });

  it('merges a post-mortem into a row of the same import', () => {
    const ctx = ctxAt();
    const dir = tempDir('hindsight-pm-');
    writeFileSync(
      join(dir, 'incidents.ndjson'),
      '{"id": "INC-7", "title": "Cart empty", "started_at": "2026-03-01T00:00:00Z"}\n',
    );
    writeFileSync(join(dir, 'inc-7.md'), '---\nid: INC-7\nseverity: SEV2\n---\nWhat happened.\n');
    const result = importIncidents(ctx, dir);
    expect(result).toMatchObject({ inserted: 1, updated: 0, rejected: [] });
    expect(one(ctx, 'INC-7')).toMatchObject({
      title: 'Cart empty',
      severity: 'SEV2',
      summary: 'What happened.',
      postmortemPath: join(dir, 'inc-7.md'),
    });
  });

  it('rejects an unknown incident without title or start, zone-less YAML dates, and twin post-mortems', () => {
    const ctx = ctxAt();
    const dir = tempDir('hindsight-pm-');
    writeFileSync(join(dir, 'a.md'), '---\nid: INC-1\nseverity: SEV2\n---\nBody\n');
    // YAML would read this as a UTC date; the text as written has no zone.
    writeFileSync(join(dir, 'b.md'), '---\nid: INC-2\ntitle: t\nstartedAt: 2026-03-01 10:00:00\n---\n');
    writeFileSync(join(dir, 'c.md'), '---\nid: INC-3\ntitle: t\nstarted_at: "2026-03-01T10:00:00Z"\n---\n');
    writeFileSync(join(dir, 'd.md'), '---\nsource: import\nid: INC-3\n---\n');
    writeFileSync(join(dir, 'e.md'), '---\nid: INC-4\ntitle: [oops\n---\n');
    const problems = rejected(ctx, dir);
    const at = (name: string) => problems.filter((p) => p.file === join(dir, name)).map((p) => [p.line, p.field]);
    expect(at('a.md')).toEqual([
      [1, 'title'],
      [1, 'started_at'],
    ]);
    expect(at('b.md')).toEqual([[4, 'startedAt']]);
    expect(problems.find((p) => p.file === join(dir, 'b.md'))!.message).toMatch(/no time zone/);
    expect(at('c.md')).toEqual([]);
    expect(at('d.md')).toEqual([[3, 'id']]);
    expect(at('e.md')).toEqual([[4, '(front matter)']]);
    expect(countIncidents(ctx.store)).toBe(0);
  });

  it('asks for a source when several incidents share the id', () => {
    const ctx = ctxAt();
    const file = writeTemp(
      'x.json',
      JSON.stringify([
        { id: 'INC-5', source: 'pagerduty', title: 'a', started_at: '2026-03-01T00:00:00Z' },
        { id: 'INC-5', source: 'opsgenie', title: 'a', started_at: '2026-03-01T00:00:00Z' },
      ]),
    );
    importIncidents(ctx, file);
    const dir = tempDir('hindsight-pm-');
    writeFileSync(join(dir, 'inc-5.md'), '---\nid: INC-5\n---\nBody\n');
    const [problem] = rejected(ctx, dir);
    expect(problem).toMatchObject({ field: 'source', line: 2 });
    expect(problem!.message).toMatch(/opsgenie, pagerduty/);
  });
});

describe('store/incidents', () => {
  it('finds incidents by internal id, external id and source:id, and refuses to guess between sources', () => {
    const ctx = ctxAt();
    const file = writeTemp(
      'x.json',
      JSON.stringify([
        { id: 'INC-5', source: 'pagerduty', title: 'pd', started_at: '2026-03-01T00:00:00Z' },
        { id: 'INC-5', source: 'opsgenie', title: 'og', started_at: '2026-03-01T00:00:00Z' },
        { id: 'INC-6', title: 'six', started_at: '2026-03-01T00:00:00Z' },
      ]),
    );
    const { incidentIds } = importIncidents(ctx, file);
    expect(countIncidents(ctx.store)).toBe(3);
    expect(getIncident(ctx.store, incidentIds[2]!)?.externalId).toBe('INC-6');
    expect(getIncident(ctx.store, String(incidentIds[2]))?.externalId).toBe('INC-6');
    expect(getIncident(ctx.store, 'INC-6')?.title).toBe('six');
    expect(getIncident(ctx.store, 'pagerduty:INC-5')?.title).toBe('pd');
    expect(findIncidents(ctx.store, 'INC-5').map((r) => r.source)).toEqual(['opsgenie', 'pagerduty']);
    expect(() => getIncident(ctx.store, 'INC-5')).toThrow(/several sources.*opsgenie:INC-5/);
    expect(getIncident(ctx.store, 'INC-404')).toBeUndefined();
    expect(getIncident(ctx.store, 9999)).toBeUndefined();
  });
});
