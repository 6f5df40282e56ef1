import { afterEach, describe, expect, it } from 'vitest';
import { AttributionMemo } from '../../src/attribution/memo.js';
import { commitWriter } from '../../src/store/commits.js';
import { openStore, type Db } from '../../src/store/open.js';
import { ensureRepo } from '../../src/store/repos.js';
import { testDbTarget } from '../helpers/context.js';
import { newCommit } from '../helpers/new-commit.js';

// The attribution memo reads the files of an incident's candidates in one statement and is bounded: when it starts
// over in the middle of a batch, every commit must still get its own files (a first cut answered [] for those).

describe('AttributionMemo.filesOf', () => {
  let db: Db | undefined;
  afterEach(() => db?.close());

  it('answers each commit with its files, read once, across the memo starting over mid-batch', () => {
    db = openStore(testDbTarget());
    const repoId = ensureRepo(db, '/tmp/memo-repo');
    const shas = ['1', '2', '3', '4', '5'].map((d) => d.repeat(40));
    const commits = shas.map((sha, i) =>
      newCommit(repoId, sha, {
        files: [{ path: `src/f${i}.ts`, oldPath: null, module: 'src', added: 1, deleted: 0 }],
      }),
    );
    const writer = commitWriter(db);
    db.transaction(() => writer.insertAll(commits))();
    const expected = new Map(shas.map((sha, i) => [sha, [{ path: `src/f${i}.ts`, module: 'src', lines: 1 }]]));

    const memo = new AttributionMemo(db, { limit: 3 });
    expect(memo.filesOf(shas.slice(0, 2))).toEqual(new Map([...expected].slice(0, 2)));
    // three new, then the two remembered: remembering the new ones passes the limit and starts the memo over
    // before the remembered ones are answered
    expect(memo.filesOf([...shas.slice(2), ...shas.slice(0, 2)])).toEqual(expected);
    expect(memo.filesOf([...shas].reverse())).toEqual(new Map([...expected].reverse()));
    expect(memo.filesOf(['f'.repeat(40)])).toEqual(new Map([['f'.repeat(40), []]]));
  });
});
