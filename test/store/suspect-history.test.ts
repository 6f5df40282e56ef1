import { describe, expect, it } from 'vitest';
import { insertCommit } from '../../src/store/commits.js';
import { insertDeploy, setDeployLinks } from '../../src/store/deploys.js';
import { openStore } from '../../src/store/open.js';
import { ensureRepo } from '../../src/store/repos.js';
import {
  commitPathModulesOf,
  latestDeployOf,
  liveSinceDeploysOf,
  shippedChangesTo,
} from '../../src/store/suspect-facts.js';
import { testDbTarget } from '../helpers/context.js';
import { newCommit } from '../helpers/new-commit.js';

const DAY = 86_400_000;

function commit(repoId: number, sha: string, at: number, path: string) {
  const files = [{ path, oldPath: null, module: path.split('/')[1]!, added: 3, deleted: 1 }];
  return newCommit(repoId, sha, { authoredAt: at, committedAt: at, files });
}

describe('suspect history reads (both engines)', () => {
  it('finds the latest shipped changes to a file or module however old, and the deploy that put each live', async () => {
    const db = await openStore(testDbTarget());
    const repoId = ensureRepo(db, '/tmp/repo');
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const c = 'c'.repeat(40);
    insertCommit(db, commit(repoId, a, 1 * DAY, 'src/db/pool.c'));
    insertCommit(db, commit(repoId, b, 2 * DAY, 'src/db/pool.c'));
    insertCommit(db, commit(repoId, c, 300 * DAY, 'src/db/pool.c')); // never shipped
    const deploy = (sha: string, at: number, shas: string[], service = '') => {
      const id = insertDeploy(db, {
        repoId,
        env: 'production',
        service,
        sha,
        startedAt: at,
        finishedAt: at,
        status: 'success',
        source: 'api',
        externalId: null,
      });
      setDeployLinks(db, id, { prevId: null, rollbackToId: null, rolledBackIds: [], shas });
      return id;
    };
    const first = deploy(a, 1 * DAY + 1000, [a]);
    const second = deploy(b, 3 * DAY, [a, b]); // a range by date: `a` again
    deploy(b, 4 * DAY, [b], 'billing');

    const q = { env: 'production', service: null, before: 200 * DAY, limit: 10 };
    expect(shippedChangesTo(db, 'path', 'src/db/pool.c', q).map((r) => r.sha)).toEqual([b, a]);
    expect(shippedChangesTo(db, 'path', 'src/db/pool.c', { ...q, limit: 1 }).map((r) => r.sha)).toEqual([b]);
    expect(shippedChangesTo(db, 'module', 'db', q).map((r) => r.sha)).toEqual([b, a]);
    // as of a time: `b` was committed but not shipped yet; before the first deploy nothing was
    expect(shippedChangesTo(db, 'path', 'src/db/pool.c', { ...q, before: 2 * DAY + 1 }).map((r) => r.sha)).toEqual([a]);
    expect(shippedChangesTo(db, 'path', 'src/db/pool.c', { ...q, before: DAY + 500 })).toEqual([]);
    expect(shippedChangesTo(db, 'path', 'src/db/pool.c', { ...q, env: 'staging' })).toEqual([]);

    // `a` went live with the first deploy; the latest deploy that carried it is the second
    const live = (sha: string, service: string | null) =>
      liveSinceDeploysOf(db, [sha, a, b], { env: 'production', service, before: 200 * DAY }).get(sha)?.id;
    expect(live(a, null)).toBe(first);
    expect(latestDeployOf(db, a, 'production', 200 * DAY)?.id).toBe(second);
    // a service filter keeps deploys of that service and service-less ones
    expect(live(b, 'web')).toBe(second);
    db.close();
  });

  it('reads the lines each candidate changed in each of its files (a binary file counts 0)', async () => {
    const db = await openStore(testDbTarget());
    const repoId = ensureRepo(db, '/tmp/repo');
    const a = 'a'.repeat(40);
    const files = [
      { path: 'src/db/pool.c', oldPath: null, module: 'db', added: 30, deleted: 12 },
      { path: 'src/ui/menu.c', oldPath: null, module: 'ui', added: 1, deleted: 0 },
      { path: 'img/logo.png', oldPath: null, module: 'img', added: null, deleted: null },
    ];
    insertCommit(db, newCommit(repoId, a, { authoredAt: DAY, committedAt: DAY, files }));
    expect(commitPathModulesOf(db, [a]).get(a)).toEqual([
      { path: 'img/logo.png', module: 'img', lines: 0 },
      { path: 'src/db/pool.c', module: 'db', lines: 42 },
      { path: 'src/ui/menu.c', module: 'ui', lines: 1 },
    ]);
    db.close();
  });
});
