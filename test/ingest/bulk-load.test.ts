import { describe, expect, it } from 'vitest';
import { ingestGit } from '../../src/ingest/git.js';
import { rebuildModuleRollups } from '../../src/store/commits.js';
import { deferIndexes, getMeta, openStore, type Db } from '../../src/store/open.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';

const COMMIT_TABLES = ['commits', 'commit_files', 'commit_trailers', 'commit_fixes'];

const indexes = (db: Db) =>
  db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();

const rollups = (db: Db) => ({
  days: db.prepare('SELECT * FROM module_days ORDER BY module, day, agent').all(),
  authors: db.prepare('SELECT * FROM module_authors ORDER BY module, email').all(),
  reverts: db.prepare('SELECT * FROM module_reverts ORDER BY sha, module').all(),
});

/** Commits in two modules, by a human and an agent, one of them reverted (git log lists the revert first). */
function history() {
  const g = gitdir();
  g.commit({ files: { 'src/payments/a.ts': '1\n', 'src/search/q.ts': 'q\n' }, message: 'feat: both' });
  g.commit({
    files: { 'src/payments/a.ts': '2\n' },
    message: 'feat(payments): risky',
    author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
    date: '2026-01-02T00:00:00Z',
  });
  g.git('revert', '--no-edit', 'HEAD');
  g.commit({ files: { 'src/search/q.ts': 'q2\n' }, message: 'fix(search): query', date: '2026-01-03T00:00:00Z' });
  return g;
}

describe('first ingest into an empty store (bulk load)', () => {
  it('ends with every index of the schema and rollups equal to a rebuild from the stored rows', async () => {
    const ctx = testContext(history().path);
    const schema = indexes(openStore(':memory:'));
    expect((await ingestGit(ctx)).added).toBe(4);

    expect(indexes(ctx.store)).toEqual(schema);
    expect(getMeta(ctx.store, 'deferred_indexes')).toBeUndefined();
    const atIngest = rollups(ctx.store);
    expect(atIngest.reverts).toHaveLength(1);
    expect(atIngest.days.length).toBeGreaterThan(0);
    rebuildModuleRollups(ctx.store);
    expect(rollups(ctx.store)).toEqual(atIngest);
  });

  it('keeps the indexes it is told to keep, and the next ingest rebuilds those a dead run left dropped', async () => {
    const ctx = testContext(history().path);
    const schema = indexes(ctx.store);
    // What a bulk load that died half-way leaves behind: dropped indexes, remembered in meta.
    deferIndexes(ctx.store, COMMIT_TABLES, ['commits_reverts']);
    const names = indexes(ctx.store).map((r) => (r as { name: string }).name);
    expect(names).toContain('commits_reverts');
    expect(names).not.toContain('commits_time');
    expect(names).not.toContain('commit_files_path_time');
    expect(JSON.parse(getMeta(ctx.store, 'deferred_indexes')!)).toHaveLength(schema.length - names.length);

    await ingestGit(ctx);
    expect(indexes(ctx.store)).toEqual(schema);
    expect(getMeta(ctx.store, 'deferred_indexes')).toBeUndefined();
  });

  it('an incremental ingest after it adds to the same rollups as a rebuild', async () => {
    const g = history();
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    g.commit({ files: { 'src/payments/b.ts': 'b\n' }, message: 'feat(payments): more', date: '2026-01-04T00:00:00Z' });
    g.git('revert', '--no-edit', 'HEAD');
    expect((await ingestGit(ctx)).added).toBe(2);
    const incremental = rollups(ctx.store);
    expect(incremental.reverts).toHaveLength(2);
    rebuildModuleRollups(ctx.store);
    expect(rollups(ctx.store)).toEqual(incremental);
  });
});
