import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { moduleChangeStats } from '../../src/history/change-stats.js';
import { coChangedModules } from '../../src/history/coupling.js';
import { moduleIncidents, moduleRecurrence } from '../../src/history/incident-history.js';
import { ingestGit } from '../../src/ingest/git.js';
import { insertCommit, rebuildModuleRollups, type NewCommit } from '../../src/store/commits.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore, type Db } from '../../src/store/open.js';
import { sqliteMechanism, testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const CLAUDE = 'Co-Authored-By: Claude <noreply@anthropic.com>';

/** Every rollup row, sorted: what a rebuild from the stored rows must reproduce exactly. */
function rollups(db: Db) {
  return {
    days: db.prepare('SELECT * FROM module_days ORDER BY module, day, agent').all(),
    authors: db.prepare('SELECT * FROM module_authors ORDER BY module, email').all(),
    reverts: db.prepare('SELECT * FROM module_reverts ORDER BY sha, module').all(),
    incidents: db.prepare('SELECT * FROM module_incidents ORDER BY module, started_at, incident_id').all(),
    pairs: db.prepare('SELECT * FROM module_pair_days ORDER BY module, day, other').all(),
  };
}

function expectSameAsRebuild(db: Db) {
  const kept = rollups(db);
  rebuildModuleRollups(db);
  expect(kept).toEqual(rollups(db));
}

/** A database file migrated up to (not including) `migration`, open without the store, to fill old-style rows. */
function databaseBefore(migration: string) {
  const path = join(tempDir(), 'old.db');
  const old = new Database(path);
  const version = migrations.findIndex((m) => m.name === migration);
  for (const m of migrations.slice(0, version)) old.exec(m.sql);
  old.pragma(`user_version = ${version}`);
  return { path, old };
}

function history() {
  const g = gitdir();
  const first = g.commit({
    files: { 'src/payments/charge.ts': 'a\n', 'src/payments/refund.ts': 'r\n' },
    message: 'feat(payments): charge',
    date: '2026-02-01T10:00:00Z',
  });
  g.commit({
    files: { 'src/payments/charge.ts': 'a\nb\n', 'src/auth/login.ts': 'l\n' },
    message: `fix(payments): retry\n\n${CLAUDE}\n`,
    date: '2026-02-02T10:00:00Z',
  });
  return { g, first };
}

describe('per-module rollups', () => {
  it('are added by ingest once per commit: a re-ingest and new commits never count one twice', async () => {
    const { g, first } = history();
    const ctx = testContext(g.path, { now: NOW });
    await ingestGit(ctx);
    const afterFirst = moduleChangeStats(ctx.store, 'payments', NOW).allTime;
    expect(afterFirst).toMatchObject({ commits: 2, authors: 1, agentCommits: 1, reverts: 0 });
    expect(afterFirst.agents).toEqual([{ agent: 'claude', commits: 1 }]);

    await ingestGit(ctx); // nothing new
    expect(moduleChangeStats(ctx.store, 'payments', NOW).allTime.commits).toBe(2);

    g.commit({
      files: { 'src/payments/charge.ts': 'a\n' },
      message: `Revert "feat(payments): charge"\n\nThis reverts commit ${first}.\n`,
      author: { name: 'Bob', email: 'Bob@Example.com' },
      date: '2026-02-01T18:00:00Z', // the same day as the first commit: its rollup row grows
    });
    await ingestGit(ctx);
    const s = moduleChangeStats(ctx.store, 'payments', NOW);
    expect(s.allTime).toMatchObject({ commits: 3, authors: 2, agentCommits: 1, reverts: 1 });
    expect(moduleChangeStats(ctx.store, 'auth', NOW).allTime).toMatchObject({ commits: 1, reverts: 0 });
    expectSameAsRebuild(ctx.store);
  });

  it('count a revert whichever of the pair is stored first, at the time of the first revert', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const commit = (sha: string, at: number, files: string[], revertsSha: string | null = null): NewCommit => ({
      sha,
      repoId: seeder(ctx).repoId,
      authorName: 'Ada',
      authorEmail: 'ada@example.com',
      authoredAt: at,
      committedAt: at,
      subject: sha,
      body: '',
      parents: [],
      authorKind: 'human',
      agent: null,
      agentEvidence: null,
      revertsSha,
      files: files.map((path) => ({ path, oldPath: null, module: ctx.modules.moduleOf(path), added: 1, deleted: 0 })),
      trailers: [],
      fixes: [],
    });
    const [a, r1, r2] = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)];
    // git log lists a revert before the commit it undoes: the revert arrives first, then a second, earlier one.
    insertCommit(ctx.store, commit(r2, NOW - 5 * DAY, ['src/payments/x.ts'], a));
    insertCommit(ctx.store, commit(a, NOW - 200 * DAY, ['src/payments/x.ts', 'src/ledger/y.ts']));
    expect(moduleChangeStats(ctx.store, 'ledger', NOW).recent.reverts).toBe(1);
    insertCommit(ctx.store, commit(r1, NOW - 120 * DAY, ['src/payments/x.ts'], a));
    const ledger = moduleChangeStats(ctx.store, 'ledger', NOW);
    expect([ledger.recent.reverts, ledger.allTime.reverts]).toEqual([0, 1]); // first reverted 120 days ago
    expect(moduleChangeStats(ctx.store, 'payments', NOW).allTime.reverts).toBe(1);
    expectSameAsRebuild(ctx.store);
  });

  it('follow commit_files.module when the module rules change', async () => {
    const { g } = history();
    const ctx = testContext(g.path, { now: NOW });
    await ingestGit(ctx);
    expect(moduleChangeStats(ctx.store, 'billing', NOW).allTime.commits).toBe(0);
    const relabelled = testContext(g.path, {
      now: NOW,
      dbPath: ctx.config.dbPath,
      modules: { billing: ['src/payments/**'] },
    });
    await ingestGit(relabelled);
    expect(moduleChangeStats(relabelled.store, 'billing', NOW).allTime).toMatchObject({ commits: 2, authors: 1 });
    expect(moduleChangeStats(relabelled.store, 'payments', NOW).allTime.commits).toBe(0);
    expectSameAsRebuild(relabelled.store);
  });

  it('count the partial days at the edges of a window from the commits themselves', () => {
    const ctx = testContext(tempDir());
    const seed = seeder(ctx);
    const noon = Date.parse('2026-02-10T12:00:00Z');
    // Same UTC day as "now" but before and after it; the day 90 days back, before and after the window opens.
    seed.commit({ at: noon - 3_600_000, files: ['src/payments/a.ts'] });
    seed.commit({ at: noon + 3_600_000, files: ['src/payments/a.ts'] });
    seed.commit({ at: noon - 90 * DAY - 3_600_000, agent: 'claude', files: ['src/payments/a.ts'] });
    seed.commit({ at: noon - 90 * DAY + 3_600_000, agent: 'claude', files: ['src/payments/a.ts'] });
    const s = moduleChangeStats(ctx.store, 'payments', noon);
    expect([s.recent.commits, s.recent.agentCommits, s.allTime.commits]).toEqual([2, 1, 3]);
    // Authors are decided by their first and last commit; a window between them is checked against the commits.
    const before = moduleChangeStats(ctx.store, 'payments', noon - 30 * DAY, 30);
    expect([before.recent.commits, before.recent.authors]).toEqual([0, 0]);
  });
});

describe('module_incidents', () => {
  function linked(ctx: AppContext) {
    const seed = seeder(ctx);
    const sha = seed.commit({ at: NOW - 20 * DAY, files: ['src/payments/a.ts', 'src/ledger/b.ts'] });
    const id = seed.incident({ externalId: 'INC-9', startedAt: NOW - 10 * DAY });
    seed.link({ incidentId: id, sha, score: 0.8 });
    return { id, sha };
  }

  it('follows links as attribution rejects, rescores and deletes them', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const { id, sha } = linked(ctx);
    const ids = (m: string) => moduleIncidents(ctx.store, m, { now: NOW, limit: 5 }).items.map((i) => i.id);
    expect([ids('payments'), ids('ledger')]).toEqual([['INC-9'], ['INC-9']]);
    ctx.store.prepare("UPDATE incident_links SET status = 'rejected' WHERE incident_id = ?").run(id);
    expect(ids('ledger')).toEqual([]);
    ctx.store.prepare("UPDATE incident_links SET status = 'suspect', score = 0.9 WHERE incident_id = ?").run(id);
    // Tied by a suspect only: counted apart from the module's incidents.
    expect(moduleRecurrence(ctx.store, 'ledger', NOW)).toMatchObject({
      allTime: 0,
      suspectsAllTime: 1,
      suspects90d: 1,
    });
    ctx.store.prepare('DELETE FROM incident_links WHERE target = ?').run(sha);
    expect(ids('payments')).toEqual([]);
  });

  it('follows the incident: its module field, start, files and deletion', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const { id } = linked(ctx);
    const db = ctx.store;
    db.prepare("UPDATE incidents SET module = 'search', started_at = ? WHERE id = ?").run(NOW - 100 * DAY, id);
    expect(moduleRecurrence(db, 'search', NOW)).toMatchObject({ allTime: 1, last90d: 0 });
    expect(moduleRecurrence(db, 'payments', NOW)).toMatchObject({ suspectsAllTime: 1, suspects90d: 0 });
    db.prepare("INSERT INTO incident_files(incident_id, path, kind, module) VALUES (?, 'x.go', 'file', 'infra')").run(
      id,
    );
    expect(moduleRecurrence(db, 'infra', NOW).allTime).toBe(1);
    db.prepare('DELETE FROM incident_files WHERE incident_id = ?').run(id);
    expect(moduleRecurrence(db, 'infra', NOW).allTime).toBe(0);
    db.prepare('DELETE FROM incidents WHERE id = ?').run(id);
    expect(db.prepare('SELECT COUNT(*) FROM module_incidents').pluck().get()).toBe(0);
  });

  it('includes links to commits stored after the link', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const seed = seeder(ctx);
    const id = seed.incident({ externalId: 'INC-1', startedAt: NOW - DAY });
    seed.link({ incidentId: id, sha: 'd'.repeat(40), score: 1, status: 'confirmed' });
    seed.commit({ sha: 'd'.repeat(40), at: NOW - 2 * DAY, files: ['src/payments/a.ts'] });
    expect(moduleRecurrence(ctx.store, 'payments', NOW).allTime).toBe(1);
  });
});

describe('migration 0006', () => {
  it.skipIf(sqliteMechanism)(
    'backfills commit times and the rollups of an existing database as ingest would build them',
    () => {
      const { path, old } = databaseBefore('0006-module-rollups');
      old.exec(`INSERT INTO repos(id, path, name) VALUES (1, '/r', 'r');
      INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at, subject, author_kind,
        agent, reverts_sha)
      VALUES ('a1', 1, 'A', 'a@x', 1000, ${NOW - DAY}, 's', 'agent', 'claude', NULL),
             ('b2', 1, 'B', 'b@x', 1000, ${NOW - 2 * DAY}, 's', 'human', NULL, 'a1');
      INSERT INTO commit_files(sha, path, module) VALUES ('a1', 'p/x', 'p'), ('a1', 'q/y', 'q'), ('b2', 'p/x', 'p');
      INSERT INTO incidents(id, source, external_id, title, started_at, updated_at) VALUES (7, 's', 'I', 't', ${NOW}, 0);
      INSERT INTO incident_links(incident_id, kind, target, score, status, method, evidence, updated_at)
      VALUES (7, 'commit', 'a1', 0.9, 'suspect', 'heuristic', '{}', 0);`);
      old.close();

      const db = openStore(path);
      expect(db.prepare('SELECT COUNT(*) FROM commit_files WHERE committed_at IS NULL').pluck().get()).toBe(0);
      expect(moduleChangeStats(db, 'p', NOW).allTime).toMatchObject({ commits: 2, agentCommits: 1, reverts: 1 });
      expect(moduleRecurrence(db, 'q', NOW).suspectsAllTime).toBe(1);
      expectSameAsRebuild(db);
    },
  );
});

describe('migration 0008', () => {
  it.skipIf(sqliteMechanism)(
    'backfills module pairs up to the rollups mark (the next refresh adds the rest once) and deploy failures',
    () => {
      const { path, old } = databaseBefore('0008-history-rollups');
      const add = (sha: string, at: number, files: [string, string][], isMerge = 0) => {
        old
          .prepare(
            `INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at, subject, author_kind,
             is_merge, files_changed) VALUES (?, 1, 'A', 'a@x', 0, ?, 's', 'human', ?, ?)`,
          )
          .run(sha, at, isMerge, files.length);
        for (const [p, m] of files)
          old.prepare('INSERT INTO commit_files(sha, path, module) VALUES (?, ?, ?)').run(sha, p, m);
      };
      old.exec(`INSERT INTO repos(id, path, name) VALUES (1, '/r', 'r')`);
      add('a1', NOW - DAY, [
        ['p/x', 'p'],
        ['q/y', 'q'],
      ]);
      add('a2', NOW - DAY + 60_000, [
        ['p/x', 'p'],
        ['p/z', 'p'],
        ['q/y', 'q'],
      ]);
      add(
        'm1',
        NOW - DAY,
        [
          ['p/x', 'p'],
          ['q/y', 'q'],
        ],
        1,
      ); // merges are no coupling
      // Rolled up before the migration (the mark), then one commit stored after it.
      old.exec(`UPDATE meta SET value = (SELECT MAX(rowid) FROM commits) WHERE key = 'module_rollups_through'`);
      add('b1', NOW - 3 * DAY, [
        ['q/y', 'q'],
        ['r/w', 'r'],
      ]);
      old.exec(`INSERT INTO deploys(id, repo_id, env, sha, started_at, finished_at, status, source)
        VALUES (1, 1, 'prod', 'a1', 0, ${NOW - DAY}, 'success', 'cli'), (2, 1, 'prod', 'a2', 0, ${NOW - DAY}, 'success', 'cli');
      INSERT INTO incidents(id, source, external_id, title, started_at, updated_at) VALUES (7, 's', 'I', 't', ${NOW}, 0);
      INSERT INTO incident_links(incident_id, kind, target, score, status, method, evidence, updated_at)
      VALUES (7, 'deploy', '2', 0.9, 'suspect', 'heuristic', '{}', 0);`);
      old.close();

      const db = openStore(path);
      const pairs = () => db.prepare('SELECT module, day, other, commits FROM module_pair_days ORDER BY 1, 2, 3').all();
      const day = Math.floor(NOW / DAY);
      expect(pairs()).toEqual([
        { module: 'p', day: day - 1, other: 'p', commits: 2 },
        { module: 'p', day: day - 1, other: 'q', commits: 2 },
        { module: 'q', day: day - 1, other: 'p', commits: 2 },
        { module: 'q', day: day - 1, other: 'q', commits: 2 },
      ]);
      expect(coChangedModules(db, 'q', { now: NOW })).toMatchObject({
        basis: 3,
        items: [
          { module: 'p', commits: 2 },
          { module: 'r', commits: 1 },
        ],
      });
      expect(db.prepare('SELECT id, linked_failure FROM deploys ORDER BY id').all()).toEqual([
        { id: 1, linked_failure: 0 },
        { id: 2, linked_failure: 1 },
      ]);
      const refreshed = pairs();
      expect(refreshed).toHaveLength(8);
      // (The mark was set by hand, so only the pair rollup is complete here.)
      rebuildModuleRollups(db);
      expect(pairs()).toEqual(refreshed);
    },
  );
});
