import { describe, expect, it } from 'vitest';
import { closest, editDistance, knownModules, resolveModule, toRepoPath } from '../../src/history/resolve-module.js';
import { KNOWN_MODULES_SQL } from '../../src/store/known-modules.js';
import { UserInputError } from '../../src/errors.js';
import { sqliteMechanism, testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

function fixture() {
  const ctx = testContext(tempDir());
  const seed = seeder(ctx);
  seed.commit({ at: '2026-01-01', files: ['src/payments/gateway.ts', 'src/payouts/batch.ts'] });
  seed.commit({ at: '2026-01-02', files: ['src/payments/refund.ts'] });
  seed.incident({ externalId: 'INC-1', startedAt: '2026-01-03', module: 'auth' });
  seed.incident({ externalId: 'INC-2', startedAt: '2026-01-04', files: ['src/search/index.ts'] });
  return ctx;
}

function inputError(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserInputError);
    return err as UserInputError;
  }
  throw new Error('expected a UserInputError');
}

describe('knownModules', () => {
  it('unites commit files, incident modules and incident files, sorted and distinct', () => {
    expect(knownModules(fixture().store)).toEqual(['auth', 'payments', 'payouts', 'search']);
  });

  it.skipIf(sqliteMechanism)('lists modules by seeking the module indexes, never scanning the tables', () => {
    const db = fixture().store;
    const plans = Object.values(KNOWN_MODULES_SQL).map((sql) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n'),
    );
    expect(plans[0]).toContain('SEARCH commit_files USING COVERING INDEX commit_files_module');
    expect(plans[1]).toContain('USING COVERING INDEX incidents_module');
    expect(plans[2]).toContain('USING COVERING INDEX incident_files_module');
    for (const p of plans) expect(p).not.toMatch(/SCAN (commit_files|incidents|incident_files)\b/);
  });
});

describe('resolveModule', () => {
  it('matches exactly, ignoring case, without a resolvedFrom', () => {
    expect(resolveModule(fixture().store, 'PAYMENTS')).toEqual({ module: 'payments' });
  });

  it('uses a unique prefix, then a unique substring, and says so', () => {
    const db = fixture().store;
    expect(resolveModule(db, 'sea')).toEqual({
      module: 'search',
      resolvedFrom: "'sea' matched module 'search' (prefix)",
    });
    expect(resolveModule(db, 'uth')).toEqual({
      module: 'auth',
      resolvedFrom: "'uth' matched module 'auth' (substring)",
    });
  });

  it('refuses an ambiguous prefix and lists the candidates', () => {
    const err = inputError(() => resolveModule(fixture().store, 'pay'));
    expect(err.message).toBe("'pay' matches 2 modules (prefix): payments, payouts; pass one of them exactly");
    expect(err.field).toBe('module');
  });

  it('suggests the closest modules by edit distance when nothing matches', () => {
    const err = inputError(() => resolveModule(fixture().store, 'paymnts'));
    expect(err.message).toBe(
      "no module matches 'paymnts'; closest: payments, payouts, auth (known modules: auth, payments, payouts, search)",
    );
  });

  it('says to ingest first when the store is empty', () => {
    const ctx = testContext(tempDir());
    expect(inputError(() => resolveModule(ctx.store, 'payments')).message).toContain('run `hindsight ingest git`');
  });
});

describe('editDistance and closest', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps', () => {
    expect(editDistance('paymnts', 'payments')).toBe(1);
    expect(editDistance('pyaments', 'payments')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('ranks nearest first and breaks ties by name', () => {
    expect(closest('serch', ['auth', 'search', 'ledger', 'perch'])).toEqual(['perch', 'search', 'auth']);
  });
});

describe('toRepoPath', () => {
  const repo = '/work/repo';
  it('normalises ./, backslashes, trailing slashes and absolute paths inside the repository', () => {
    expect(toRepoPath(repo, './src/payments/gateway.ts')).toBe('src/payments/gateway.ts');
    expect(toRepoPath(repo, 'src\\payments\\gateway.ts')).toBe('src/payments/gateway.ts');
    expect(toRepoPath(repo, '/work/repo/src/payments/')).toBe('src/payments');
    expect(toRepoPath(repo, 'src/a/../payments/x.ts')).toBe('src/payments/x.ts');
  });

  it('refuses paths outside the repository, naming the field', () => {
    const abs = inputError(() => toRepoPath(repo, '/etc/passwd', 'paths[0]'));
    expect(abs.message).toBe(
      "paths[0] '/etc/passwd' is outside the repository /work/repo; pass a path relative to the repository root",
    );
    expect(abs.field).toBe('paths[0]');
    expect(inputError(() => toRepoPath(repo, '../other/x.ts')).message).toContain('does not name a file inside');
    expect(inputError(() => toRepoPath(repo, '   ')).message).toContain('path is empty');
  });
});

describe('editDistance', () => {
  it('counts a transposition as one edit, and caps a bounded distance at max + 1', () => {
    expect(editDistance('agnet', 'agent')).toBe(1);
    expect(editDistance('limt', 'limit')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
    expect(editDistance('', 'abc', 5)).toBe(3);
    expect(editDistance('abc', '', 1)).toBe(2);
  });

  it('gives the same distance bounded as unbounded, up to the bound', () => {
    const words = ['', 'a', 'ab', 'ba', 'abc', 'acb', 'task_id', 'taskid', 'limit', 'limt', 'agent', 'agnet', 'xyz'];
    for (const a of words) {
      for (const b of words) {
        const full = editDistance(a, b);
        for (const max of [0, 1, 2, 3])
          expect(editDistance(a, b, max), `${a}|${b}|${max}`).toBe(Math.min(full, max + 1));
      }
    }
  });

  it('is linear when bounded: two 200,000-character names compare at once', () => {
    const a = 'ab'.repeat(100_000);
    const started = performance.now();
    expect(editDistance(a, `${a.slice(1)}c`, 2)).toBe(2);
    expect(performance.now() - started).toBeLessThan(1_000); // the full table would be 4·10^10 cells
  });
});
