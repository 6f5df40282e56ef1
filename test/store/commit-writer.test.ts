import { afterEach, describe, expect, it } from 'vitest';
import {
  commitWriter,
  getCommit,
  getCommitFiles,
  getCommitFixes,
  getCommitTrailers,
  type NewCommit,
} from '../../src/store/commits.js';
import { openStore, type Db } from '../../src/store/open.js';
import { ensureRepo } from '../../src/store/repos.js';
import { testDbTarget } from '../helpers/context.js';
import { newCommit } from '../helpers/new-commit.js';

// The batch writer the ingest uses: a statement per row on SQLite, a few set-based statements per chunk on
// PostgreSQL. Both must store exactly what one insert per commit stores.

/** A commit with every kind of child row, and text that must survive JSON both ways. */
function commit(sha: string, repoId: number, extra: Partial<NewCommit> = {}): NewCommit {
  return newCommit(repoId, sha, {
    body: 'why: "quoted", \\ and ünïcode',
    parents: ['a'.repeat(40)],
    files: [
      { path: 'src/a.ts', oldPath: null, module: 'src', added: 3, deleted: 1 },
      { path: 'img/logo.png', oldPath: 'logo.png', module: 'img', added: null, deleted: null },
    ],
    trailers: [
      { key: 'Signed-off-by', value: 'Ann <ann@example.com>' },
      { key: 'Acked-by', value: 'Bo <bo@example.com>' },
      { key: 'Signed-off-by', value: 'Cy <cy@example.com>' },
    ],
    fixes: [{ ref: 'abc1234', sha: null }],
    ...extra,
  });
}

describe('commitWriter.insertAll', () => {
  let db: Db | undefined;
  afterEach(() => db?.close());

  it('stores each new commit with its files, trailers (in order) and fixes, once; already-stored shas are skipped', () => {
    db = openStore(testDbTarget());
    const repoId = ensureRepo(db, '/tmp/writer-repo');
    const writer = commitWriter(db);
    const [a, b, c] = ['1', '2', '3'].map((d) => d.repeat(40));
    expect(db.transaction(() => writer.insertAll([commit(a!, repoId)]))()).toBe(1);
    // b twice in one batch, a already stored with different rows: b is written once, a keeps its first rows.
    const again = commit(a!, repoId, { subject: 'other', files: [], trailers: [], fixes: [] });
    const batch = [again, commit(b!, repoId), commit(b!, repoId, { subject: 'dup' }), commit(c!, repoId)];
    expect(db.transaction(() => writer.insertAll(batch))()).toBe(2);
    expect(db.transaction(() => writer.insertAll([]))()).toBe(0);

    for (const sha of [a!, b!, c!]) {
      const row = getCommit(db, sha)!;
      expect(row).toMatchObject({
        subject: `change ${sha.slice(0, 4)}`,
        body: 'why: "quoted", \\ and ünïcode',
        added: 3,
        deleted: 1,
        files_changed: 2,
        is_merge: 0,
      });
      expect(getCommitFiles(db, sha)).toEqual([
        { sha, path: 'img/logo.png', old_path: 'logo.png', module: 'img', added: null, deleted: null },
        { sha, path: 'src/a.ts', old_path: null, module: 'src', added: 3, deleted: 1 },
      ]);
      expect(getCommitTrailers(db, sha).map((t) => t.value)).toEqual([
        'Ann <ann@example.com>',
        'Bo <bo@example.com>',
        'Cy <cy@example.com>',
      ]);
      expect(getCommitFixes(db, sha)).toEqual([{ fixed_ref: 'abc1234', fixed_sha: null }]);
    }
    // Each file row carries its commit's file count (the change_risk walk reads it instead of the commit).
    const basis = db.prepare('SELECT basis_files AS n FROM commit_files').pluck().all() as (number | string)[];
    expect(basis.map(Number)).toEqual([2, 2, 2, 2, 2, 2]);
  });
});
