import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import { moduleIncidents, moduleRecurrence, readModuleHistory } from '../../src/history/incident-history.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const ago = (days: number) => NOW - days * DAY;
const isoAgo = (days: number) => new Date(ago(days)).toISOString();

function fixture() {
  const ctx = testContext(tempDir(), { now: NOW });
  const seed = seeder(ctx);
  const c1 = seed.commit({ at: ago(220), subject: 'retry card charges', files: ['src/payments/gateway.ts'] });
  const c2 = seed.commit({
    at: ago(310),
    agent: 'claude',
    subject: 'ledger rounding',
    files: ['src/payments/gateway.ts', 'src/ledger/book.ts'],
  });
  const c3 = seed.commit({ at: ago(50), subject: 'auth tokens', files: ['src/auth/token.ts'] });

  const i1 = seed.incident({
    externalId: 'INC-1',
    title: 'Double charges at checkout',
    severity: 'SEV2',
    startedAt: ago(10),
    resolvedAt: ago(9),
    module: 'payments',
    files: ['src/payments/gateway.ts'],
    postmortemPath: 'docs/postmortems/inc-1.md',
  });
  seed.incident({
    externalId: 'INC-2',
    title: 'Gateway timeouts',
    startedAt: ago(60),
    files: ['src/payments/gateway.ts', 'src/payments/retry.ts', 'src/payments/a.ts', 'src/payments/b.ts'],
    frames: ['src/payments/client.ts'],
  });
  const i3 = seed.incident({ externalId: 'INC-3', title: 'Refunds lost', startedAt: ago(200) });
  seed.link({ incidentId: i3, sha: c1, score: 0.9, status: 'confirmed', method: 'fix-blame' });
  const i4 = seed.incident({ externalId: 'INC-4', title: 'Ledger drift', startedAt: ago(300), url: 'https://x/4' });
  seed.link({ incidentId: i4, sha: c2, score: 0.72 });
  // Not the module's: a weak suspect, a rejected link, another module, an incident after "now".
  const i5 = seed.incident({ externalId: 'INC-5', title: 'Weak', startedAt: ago(20) });
  seed.link({ incidentId: i5, sha: c2, score: 0.3 });
  const i6 = seed.incident({ externalId: 'INC-6', title: 'Rejected', startedAt: ago(21) });
  seed.link({ incidentId: i6, sha: c1, score: 0.95, status: 'rejected' });
  const i7 = seed.incident({ externalId: 'INC-7', title: 'Login loop', startedAt: ago(5), module: 'auth' });
  seed.link({ incidentId: i7, sha: c3, score: 0.8, status: 'confirmed', method: 'revert' });
  seed.incident({ externalId: 'INC-8', title: 'Future', startedAt: NOW + DAY, module: 'payments' });
  return { ctx, seed, i1, c1 };
}

describe('moduleIncidents', () => {
  it('joins module field, incident files and strong commit links, newest first, each with its reasons', () => {
    const { ctx } = fixture();
    const page = moduleIncidents(ctx.store, 'payments', { now: NOW, limit: 10 });
    expect(page.total).toBe(4);
    expect(page.hasMore).toBe(false);
    expect(page.items).toEqual([
      {
        id: 'INC-1',
        title: 'Double charges at checkout',
        severity: 'SEV2',
        startedAt: isoAgo(10),
        resolvedAt: isoAgo(9),
        status: 'resolved',
        linkedBy: ['module field', 'files: src/payments/gateway.ts'],
        basis: 'named',
        postmortem: 'docs/postmortems/inc-1.md',
      },
      {
        id: 'INC-2',
        title: 'Gateway timeouts',
        severity: null,
        startedAt: isoAgo(60),
        resolvedAt: null,
        status: 'open',
        linkedBy: [
          'files: src/payments/a.ts, src/payments/b.ts, src/payments/gateway.ts +1 more',
          'stack frames: src/payments/client.ts',
        ],
        basis: 'named',
      },
      expect.objectContaining({
        id: 'INC-3',
        linkedBy: [expect.stringMatching(/^confirmed cause [0-9a-f]{7} \(fix-blame\)$/)],
        basis: 'cause',
      }),
      expect.objectContaining({
        id: 'INC-4',
        linkedBy: [expect.stringMatching(/^suspect [0-9a-f]{7} score 0\.72$/)],
        basis: 'suspect',
        url: 'https://x/4',
      }),
    ]);
  });

  it('pages with limit/hasMore and filters by since', () => {
    const { ctx } = fixture();
    const page = moduleIncidents(ctx.store, 'payments', { now: NOW, limit: 2 });
    expect(page.items.map((i) => i.id)).toEqual(['INC-1', 'INC-2']);
    expect(page).toMatchObject({ limit: 2, hasMore: true, total: 4 });
    const recent = moduleIncidents(ctx.store, 'payments', { now: NOW, limit: 10, since: ago(90) });
    expect(recent.items.map((i) => i.id)).toEqual(['INC-1', 'INC-2']);
    expect(recent.total).toBe(2);
  });

  it('reaches a module through a commit link only (auth by its module field and its confirmed cause once)', () => {
    const { ctx } = fixture();
    const page = moduleIncidents(ctx.store, 'auth', { now: NOW, limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.linkedBy).toEqual(['module field', expect.stringMatching(/^confirmed cause .* \(revert\)$/)]);
    expect(moduleIncidents(ctx.store, 'ledger', { now: NOW, limit: 10 }).items.map((i) => i.id)).toEqual(['INC-4']);
  });
});

describe('moduleRecurrence', () => {
  it('counts 30 and 90 days back from the clock and raises the signal at 2 incidents in 90 days', () => {
    const { ctx } = fixture();
    const r = moduleRecurrence(ctx.store, 'payments', NOW);
    // INC-4 is tied to payments by an unconfirmed suspect only: shown apart, not counted.
    expect(r).toMatchObject({ last30d: 1, last90d: 2, allTime: 3, suspects90d: 0, suspectsAllTime: 1 });
    expect(r.architecturalSignal).toBe(true);
    expect(r.signal).toMatch(/^2 incidents in 90 days in payments \(INC-1, INC-2\), each naming the module/);
    expect(r.basis).toMatch(/^2 incident\(s\) in 90 days \(3 all time\).*; 0 more in 90 days \(1 all time\) with only/);
    expect(r.last).toEqual({ id: 'INC-1', title: 'Double charges at checkout', startedAt: isoAgo(10) });
  });

  it('counts an incident where its confirmed cause is, and suspects apart: no signal from suspicion alone', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const seed = seeder(ctx);
    const pay = seed.commit({ at: ago(40), subject: 'payments timeout tweak', files: ['src/payments/gateway.ts'] });
    const login = seed.commit({ at: ago(40), subject: 'login retry', files: ['src/auth/login.ts'] });
    // Scored high against payments, but the fix proved the login change caused it.
    const confirmedElsewhere = seed.incident({ externalId: 'INC-A', startedAt: ago(20) });
    seed.link({ incidentId: confirmedElsewhere, sha: pay, score: 0.8 });
    seed.link({ incidentId: confirmedElsewhere, sha: login, score: 0.9, status: 'confirmed', method: 'fix-blame' });
    // Two more with strong suspects in payments and no confirmed cause, and one that names payments itself.
    for (const id of ['INC-B', 'INC-C'])
      seed.link({ incidentId: seed.incident({ externalId: id, startedAt: ago(10) }), sha: pay, score: 0.7 });
    seed.incident({ externalId: 'INC-D', startedAt: ago(5), files: ['src/payments/gateway.ts'] });

    const payments = moduleRecurrence(ctx.store, 'payments', NOW);
    expect(payments).toMatchObject({ last90d: 1, allTime: 1, suspects90d: 2, architecturalSignal: false });
    expect(payments.basis).toMatch(
      /^1 incident\(s\) in 90 days .*; 2 more in 90 days \(2 all time\) with only unconfirmed suspects here$/,
    );
    const page = moduleIncidents(ctx.store, 'payments', { now: NOW, limit: 10 });
    expect(page.items.map((i) => [i.id, i.basis])).toEqual([
      ['INC-D', 'named'],
      ['INC-C', 'suspect'],
      ['INC-B', 'suspect'],
      ['INC-A', 'elsewhere'],
    ]);
    expect(moduleRecurrence(ctx.store, 'auth', NOW)).toMatchObject({ last90d: 1, suspects90d: 0 });
  });

  it('stays quiet with 2 incidents in 120 days but only one in the last 90', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const seed = seeder(ctx);
    seed.incident({ externalId: 'A', startedAt: ago(10), module: 'search' });
    seed.incident({ externalId: 'B', startedAt: ago(110), module: 'search' });
    const r = moduleRecurrence(ctx.store, 'search', NOW);
    expect(r).toMatchObject({ last30d: 1, last90d: 1, allTime: 2, architecturalSignal: false });
    expect(r.signal).toBeUndefined();
    // Exactly 90 days ago is still inside the window.
    seed.incident({ externalId: 'C', startedAt: ago(90), module: 'search' });
    expect(moduleRecurrence(ctx.store, 'search', NOW)).toMatchObject({ last90d: 2, architecturalSignal: true });
  });
});

describe('readModuleHistory', () => {
  it('resolves a fuzzy name and reports incidents, recurrence, churn and coupling for it', () => {
    const { ctx } = fixture();
    const h = readModuleHistory(ctx, { module: 'paym' });
    expect(h.module).toBe('payments');
    expect(h.resolvedFrom).toBe("'paym' matched module 'payments' (prefix)");
    expect(h.incidents.items).toHaveLength(4);
    expect(h.recurrence.architecturalSignal).toBe(true);
    expect(h.changes.allTime).toMatchObject({ commits: 2, agentCommits: 1, agentShare: 0.5 });
    expect(h.coChangedModules.items).toEqual([{ module: 'ledger', commits: 1, share: 0.5 }]);
    expect(h.notes).toEqual([]);
  });

  it('finds the module of a path, and notes when nothing is recorded for it', () => {
    const { ctx } = fixture();
    const h = readModuleHistory(ctx, { path: './src/payments/new.ts', limit: 1 });
    expect(h.module).toBe('payments');
    expect(h.resolvedFrom).toBe("path src/payments/new.ts is in module 'payments'");
    expect(h.incidents).toMatchObject({ limit: 1, hasMore: true, total: 4 });
    expect(readModuleHistory(ctx, { path: 'src/payments/' }).module).toBe('payments');
    const empty = readModuleHistory(ctx, { path: 'src/billing/x.ts' });
    expect(empty.incidents.total).toBe(0);
    expect(empty.notes).toEqual(["no commits or incidents are recorded for module 'billing' yet"]);
  });

  it('takes an exact name as it is, whether commits or only incidents record the module', () => {
    const { ctx } = fixture();
    const exact = readModuleHistory(ctx, { module: ' payments ' });
    expect(exact).toMatchObject({ module: 'payments', notes: [] });
    expect(exact.resolvedFrom).toBeUndefined();
    expect(readModuleHistory(ctx, { module: 'PAYMENTS' }).module).toBe('payments');
    seeder(ctx).incident({ externalId: 'INC-9', title: 'search down', startedAt: ago(3), module: 'search' });
    expect(readModuleHistory(ctx, { module: 'search' })).toMatchObject({ module: 'search', notes: [] });
    expect(() => readModuleHistory(ctx, { module: 'billing' })).toThrow(UserInputError);
  });

  it('rejects calls with neither or both of module and path, and bad limits', () => {
    const { ctx } = fixture();
    expect(() => readModuleHistory(ctx, {})).toThrow(UserInputError);
    expect(() => readModuleHistory(ctx, { module: 'payments', path: 'src/x.ts' })).toThrow(/exactly one of module/);
    expect(() => readModuleHistory(ctx, { module: 'payments', limit: 51 })).toThrow(
      /limit must be an integer from 1 to 50/,
    );
  });
});
