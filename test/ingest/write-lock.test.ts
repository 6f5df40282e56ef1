import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticRepo } from '../../bench/gen-git.js';
import { UpstreamError } from '../../src/errors.js';
import { ingestGit } from '../../src/ingest/git.js';
import { countCommits } from '../../src/store/commits.js';
import { readLease, takeLease } from '../../src/store/leases.js';
import { sqliteMechanism, testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';

const COMMITS = 3_000;
let repo: string;

beforeAll(async () => {
  repo = await syntheticRepo(tempDir('hindsight-repo-'), COMMITS, () => {});
});

describe('the git ingest and other writers', () => {
  it.skipIf(sqliteMechanism)(
    'holds no transaction across an event-loop turn: another connection writes between its chunks',
    async () => {
      const ctx = testContext(repo);
      const other = new Database(ctx.config.dbPath);
      other.pragma('busy_timeout = 0'); // the lock must be free whenever this process gets a turn
      let turns = 0;
      let openAtTurn = 0;
      const busy: string[] = [];
      let done = false;
      const probe = () => {
        turns++;
        if (ctx.store.inTransaction) openAtTurn++;
        try {
          other.exec('BEGIN IMMEDIATE');
          other.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('probe', ?)").run(turns);
          other.exec('COMMIT');
        } catch (err) {
          busy.push(String((err as { code?: unknown }).code));
          if (other.inTransaction) other.exec('ROLLBACK');
        }
        if (!done) setTimeout(probe, 1);
      };
      probe();
      const res = await ingestGit(ctx).finally(() => (done = true));

      expect(res).toMatchObject({ added: COMMITS, total: COMMITS });
      expect(turns).toBeGreaterThan(3);
      expect({ openAtTurn, busy }).toEqual({ openAtTurn: 0, busy: [] });
      other.close();
    },
  );

  it('runs two ingests of one database one after the other: the second waits, then finds nothing new', async () => {
    const a = testContext(repo);
    const b = testContext(repo, { dbPath: a.config.dbPath });
    const [first, second] = await Promise.all([ingestGit(a), ingestGit(b)]);

    expect(first.added + second.added).toBe(COMMITS);
    expect(Math.min(first.added, second.added)).toBe(0);
    expect([...a.logs, ...b.logs].join('\n')).toMatch(/waiting for the git ingest of process \d+/);
    expect(countCommits(a.store)).toBe(COMMITS);
    expect(readLease(a.store, 'git ingest')).toBeUndefined();
  });

  it('a git log that fails mid-way: an UpstreamError naming it, and the next run does not wait', async () => {
    const g = gitdir();
    const first = g.commit({ files: { 'a.ts': '1\n' }, message: 'one' });
    g.commit({ files: { 'a.ts': '2\n' }, message: 'two' });
    rmSync(join(g.path, '.git/objects', first.slice(0, 2), first.slice(2))); // a lost object
    const ctx = testContext(g.path);
    const err = await ingestGit(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/^git log: .*\S/);
    expect(readLease(ctx.store, 'git ingest')).toBeUndefined();
  });

  it('takes over the lease of a run whose process died, without waiting', async () => {
    const ctx = testContext(repo);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const now = Date.now();
    const holder = { token: 'dead', pid: dead, host: hostname(), since: now, beat: now };
    expect(takeLease(ctx.store, 'git ingest', holder, () => false)).toBeUndefined();

    expect(await ingestGit(ctx)).toMatchObject({ added: COMMITS });
    expect(ctx.logs.join('\n')).not.toMatch(/waiting/);
  });
});
