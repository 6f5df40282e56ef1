import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import { assessChangeRisk, riskLevel, type ModuleRisk } from '../../src/history/change-risk.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const ago = (days: number) => NOW - days * 86_400_000;
const GW = 'src/payments/gateway.ts';

function fixture() {
  const root = tempDir();
  mkdirSync(join(root, 'docs/adr'), { recursive: true });
  writeFileSync(
    join(root, 'docs/adr/0007-idempotent-charges.md'),
    '# 7. Idempotent charges\n\n## Status\n\nAccepted\n\n## Decision\n\nEvery retry in src/payments/gateway.ts sends a key.\n',
  );
  const ctx = testContext(root, { now: NOW });
  return { ctx, seed: seeder(ctx), root };
}

describe('assessChangeRisk', () => {
  it('is low for a module without recent incidents or reverts, and still lists coupling and decisions', () => {
    const { ctx, seed } = fixture();
    for (let i = 1; i <= 3; i++) seed.commit({ at: ago(i), files: [GW, 'src/ledger/book.ts'] });
    const r = assessChangeRisk(ctx, [`./${GW}`]);
    expect(r.paths).toEqual([GW]);
    expect(r.risk).toBe('low');
    expect(r.reasons).toEqual(['no incidents or reverts in 90 days in payments']);
    expect(r.modules).toEqual([
      {
        module: 'payments',
        paths: [GW],
        incidents90d: 0,
        incidentsAllTime: 0,
        lastIncident: null,
        architecturalSignal: false,
        suspects90d: 0,
        evidence: [],
        reverts90d: [],
      },
    ]);
    expect(r.unknownPaths).toEqual([]);
    expect(r.coChangedFiles.items).toEqual([expect.objectContaining({ path: 'src/ledger/book.ts', confidence: 1 })]);
    expect(r.decisionRecords.items).toEqual([
      {
        number: 7,
        title: 'Idempotent charges',
        status: 'accepted',
        path: 'docs/adr/0007-idempotent-charges.md',
        matched: [`path ${GW}`, 'directory src/payments', 'module payments'],
      },
    ]);
  });

  it('is medium after one incident in 90 days, high at two (architectural signal), per module', () => {
    const { ctx, seed } = fixture();
    for (const f of [GW, 'src/search/index.ts']) seed.commit({ at: ago(500), files: [f] });
    seed.incident({ externalId: 'INC-1', title: 'Double charge', startedAt: ago(40), module: 'payments' });
    const medium = assessChangeRisk(ctx, [GW, 'src/search/index.ts']);
    expect(medium.risk).toBe('medium');
    expect(medium.reasons).toEqual(['1 incident in 90 days in payments']);
    expect(medium.modules.map((m) => m.module)).toEqual(['payments', 'search']);
    expect(medium.modules[0]!.lastIncident).toEqual({
      id: 'INC-1',
      title: 'Double charge',
      startedAt: new Date(ago(40)).toISOString(),
    });

    seed.incident({ externalId: 'INC-2', startedAt: ago(3), files: [GW] });
    const high = assessChangeRisk(ctx, [GW]);
    expect(high.risk).toBe('high');
    // HIGH says why; the module's evidence names what is behind it (once, not again in the reason).
    expect(high.reasons).toEqual(['2 incidents in 90 days in payments (architectural signal)']);
    expect(high.modules[0]!.evidence).toEqual(['INC-2 names src/payments/gateway.ts', 'INC-1 has module payments']);
    expect(high.modules[0]).toMatchObject({ incidents90d: 2, incidentsAllTime: 2, architecturalSignal: true });
    expect(high.modules[0]!.lastIncident?.id).toBe('INC-2');
  });

  it('is medium for three old incidents, and for one recent revert of these paths', () => {
    const { ctx, seed } = fixture();
    seed.commit({ at: ago(500), files: [GW] });
    for (const d of [200, 300, 400]) seed.incident({ externalId: `OLD-${d}`, startedAt: ago(d), module: 'payments' });
    expect(assessChangeRisk(ctx, [GW])).toMatchObject({
      risk: 'medium',
      reasons: ['3 incidents all time in payments'],
    });

    const other = fixture();
    const bad = other.seed.commit({ at: ago(20), agent: 'claude', subject: 'retry charges', files: [GW] });
    const rv = other.seed.commit({ at: ago(19), subject: 'Revert "retry charges"', revertsSha: bad, files: [GW] });
    const r = assessChangeRisk(other.ctx, [GW, 'src/auth/login.ts']);
    expect(r).toMatchObject({
      risk: 'medium',
      reasons: [
        'reverted once in 90 days',
        'not assessed: no commit or incident names src/auth/login.ts: misspelt, a new file, or the repository is not ingested',
      ],
      unknownPaths: ['src/auth/login.ts'],
    });
    expect(r.modules[0]!.reverts90d).toEqual([
      {
        sha: bad.slice(0, 7),
        subject: 'retry charges',
        revertSha: rv.slice(0, 7),
        revertedAt: new Date(ago(19)).toISOString(),
        paths: [GW],
      },
    ]);
    expect(r.modules.map((m) => m.module)).toEqual(['payments']);
  });

  it('is high after two reverts in 90 days, ignoring older ones', () => {
    const { ctx, seed } = fixture();
    for (const d of [10, 30, 150]) {
      const sha = seed.commit({ at: ago(d + 1), files: [GW] });
      seed.commit({ at: ago(d), revertsSha: sha, files: [GW] });
    }
    const r = assessChangeRisk(ctx, [GW]);
    expect(r.risk).toBe('high');
    expect(r.reasons).toEqual([
      expect.stringMatching(/^reverted 2× in 90 days: [0-9a-f]{7} \(src\/payments\/gateway\.ts\); [0-9a-f]{7} \(/),
    ]);
    expect(r.modules[0]!.reverts90d).toHaveLength(2);
  });

  it('validates the paths and names the bad one', () => {
    const { ctx, root, seed } = fixture();
    seed.commit({ at: ago(5), files: [GW] });
    expect(() => assessChangeRisk(ctx, [])).toThrow(/paths must list 1 to 50 repository paths \(got 0\)/);
    expect(() =>
      assessChangeRisk(
        ctx,
        Array.from({ length: 51 }, (_, i) => `f${i}.ts`),
      ),
    ).toThrow(UserInputError);
    expect(() => assessChangeRisk(ctx, [GW, '/etc/passwd'])).toThrow(
      /paths\[1\] '\/etc\/passwd' is outside the repository/,
    );
    expect(() => assessChangeRisk(ctx, [''])).toThrow(/paths\[0\] is empty/);
    expect(assessChangeRisk(ctx, [join(root, GW), GW, `./${GW}`]).paths).toEqual([GW]);
    // A trailing slash names a directory: its module is the module of the files inside it.
    expect(assessChangeRisk(ctx, ['src/payments/']).modules.map((m) => [m.module, m.paths])).toEqual([
      ['payments', ['src/payments']],
    ]);
  });
});

describe('change risk on real history', () => {
  it('answers paths nothing names as unknown, not by the risk of a module they would fall in', () => {
    const { ctx, seed } = fixture();
    seed.commit({ at: ago(5), files: [GW] });
    for (const id of ['INC-1', 'INC-2']) seed.incident({ externalId: id, startedAt: ago(3), files: [GW] });
    const r = assessChangeRisk(ctx, ['src/payments/gatewy.ts']);
    expect(r).toMatchObject({ risk: 'unknown', paths: [], unknownPaths: ['src/payments/gatewy.ts'], modules: [] });
    expect(r.reasons[0]).toMatch(
      /no commit or incident names src\/payments\/gatewy\.ts: misspelt, a new file, or the repository is not ingested/,
    );
  });

  it('does not call a module HIGH on unconfirmed suspicion, nor when the cause was confirmed elsewhere', () => {
    const { ctx, seed } = fixture();
    const pay = seed.commit({ at: ago(30), files: [GW] });
    const login = seed.commit({ at: ago(30), files: ['src/auth/login.ts'] });
    for (const id of ['S-1', 'S-2'])
      seed.link({ incidentId: seed.incident({ externalId: id, startedAt: ago(20) }), sha: pay, score: 0.8 });
    const elsewhere = seed.incident({ externalId: 'C-1', startedAt: ago(10) });
    seed.link({ incidentId: elsewhere, sha: pay, score: 0.8 });
    seed.link({ incidentId: elsewhere, sha: login, score: 0.9, status: 'confirmed', method: 'fix-blame' });
    const r = assessChangeRisk(ctx, [GW]);
    expect(r.risk).toBe('low');
    expect(r.modules[0]).toMatchObject({ incidents90d: 0, suspects90d: 2, architecturalSignal: false });
    const auth = assessChangeRisk(ctx, ['src/auth/login.ts']);
    expect(auth.modules[0]).toMatchObject({
      incidents90d: 1,
      evidence: [expect.stringMatching(/^C-1 confirmed cause [0-9a-f]{7} changed src\/auth\/login\.ts$/)],
    });
  });
});

describe('riskLevel', () => {
  const m = (over: Partial<ModuleRisk>): ModuleRisk => ({
    module: 'payments',
    paths: [GW],
    incidents90d: 0,
    incidentsAllTime: 0,
    lastIncident: null,
    architecturalSignal: false,
    suspects90d: 0,
    evidence: [],
    reverts90d: [],
    ...over,
  });
  it('combines a recent incident with a recent revert into high', () => {
    const revert = { sha: 'abc1234', subject: 'x', revertSha: 'def5678', revertedAt: '2026-01-01', paths: [GW] };
    expect(riskLevel([m({ incidents90d: 1, incidentsAllTime: 1 })], [revert])).toEqual({
      risk: 'high',
      reasons: [
        `reverted once in 90 days, in a module with a recent incident: abc1234 (${GW})`,
        '1 incident in 90 days in payments',
      ],
    });
  });
  it('lists every reason, high ones first', () => {
    const r = riskLevel(
      [
        m({ incidents90d: 3, incidentsAllTime: 5, architecturalSignal: true }),
        m({ module: 'auth', incidentsAllTime: 4 }),
      ],
      [],
    );
    expect(r).toEqual({
      risk: 'high',
      reasons: ['3 incidents in 90 days in payments (architectural signal)', '4 incidents all time in auth'],
    });
  });

  it('names the busiest signalling modules and counts the rest, so a wide change stays within budget', () => {
    const busy = Array.from({ length: 7 }, (_, i) =>
      m({ module: `m${i}`, incidents90d: 2 + i, incidentsAllTime: 9, architecturalSignal: true }),
    );
    expect(riskLevel(busy, []).reasons).toEqual([
      ...[8, 7, 6, 5, 4].map((n) => `${n} incidents in 90 days in m${n - 2} (architectural signal)`),
      '2 more modules touched with ≥ 2 incidents in 90 days',
    ]);
  });
});

describe('a change across many modules', () => {
  it('details the 4 riskiest (in input order, one piece of evidence each) and names the others', () => {
    const { ctx, seed } = fixture();
    const paths = Array.from({ length: 10 }, (_, i) => `src/m${i}/f.ts`);
    for (const p of paths) seed.commit({ at: ago(100), files: [p] });
    // m0 and m1 had one incident each; m2..m9 two (an architectural signal)
    paths.forEach((p, i) => {
      for (let k = 0; k < (i < 2 ? 1 : 2); k++)
        seed.incident({ externalId: `I-${i}-${k}`, startedAt: ago(5 + k), files: [p] });
    });
    const r = assessChangeRisk(ctx, paths);
    expect(r.risk).toBe('high');
    expect(r.modules.map((x) => x.module)).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(r.reasons).toContain('also touched, not detailed (lower risk, counted above): m0, m1, m6, m7, m8, m9');
    expect(r.modules.map((x) => x.evidence.length)).toEqual(Array(4).fill(1));
    expect(r.reasons.filter((x) => x.includes('architectural signal'))).toHaveLength(5);
    expect(r.reasons).toContain('3 more modules touched with ≥ 2 incidents in 90 days');
    expect(r.reasons).toContain('1 incident in 90 days in m0');
  });
});
