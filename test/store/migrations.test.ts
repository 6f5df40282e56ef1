import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rebuildModuleRollups } from '../../src/store/commits.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore, type Db } from '../../src/store/open.js';
import { tempDir } from '../helpers/gitdir.js';

const DAY = 86_400_000;
const T = Date.parse('2026-02-01T10:00:00Z');

/** The schema as SQLite keeps it: every table, index and trigger with its SQL text. */
function schema(db: Db) {
  return db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all();
}

/** Every row of every table but meta (whose rollup mark depends on when a refresh ran), sorted. */
function contents(db: Db) {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'meta'")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.sort().map((t) => {
      const rows = db
        .prepare(`SELECT * FROM "${t}"`)
        .all()
        .map((r) => JSON.stringify(r));
      return [t, rows.sort().map((r) => JSON.parse(r) as unknown)];
    }),
  );
}

/**
 * Rows as a version-5 database held them: commits with files (one reverted), an incident naming a module with a
 * confirmed commit link and a failure-grade deploy link — the inputs of every backfill in 0006 and 0008.
 */
function fillVersion5(db: Database.Database) {
  db.exec(`INSERT INTO repos (id, path, name) VALUES (1, '/r', 'r')`);
  const commit = db.prepare(
    `INSERT INTO commits (sha, repo_id, author_name, author_email, authored_at, committed_at, subject, author_kind,
       agent, reverts_sha) VALUES (?, 1, 'Ada', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const file = db.prepare('INSERT INTO commit_files (sha, path, module, added, deleted) VALUES (?, ?, ?, 1, 0)');
  const [a, b, r] = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)];
  commit.run(a, 'Ada@Example.com', T, T, 'feat: charge', 'human', null, null);
  file.run(a, 'src/payments/charge.ts', 'payments');
  file.run(a, 'src/ledger/book.ts', 'ledger');
  commit.run(b, 'bot@example.com', T + DAY, T + DAY, 'fix: retry', 'agent', 'claude', null);
  file.run(b, 'src/payments/charge.ts', 'payments');
  commit.run(r, 'ada@example.com', T + 2 * DAY, T + 2 * DAY, 'Revert "feat: charge"', 'human', null, a);
  file.run(r, 'src/payments/charge.ts', 'payments');
  const merge = 'd'.repeat(40);
  commit.run(merge, 'ada@example.com', T + 2 * DAY, T + 2 * DAY, 'Merge branch x', 'human', null, null);
  file.run(merge, 'src/ledger/book.ts', 'ledger');
  db.exec(`UPDATE commits SET is_merge = 1 WHERE sha = '${merge}'`);
  db.exec(`UPDATE commits SET files_changed = (SELECT COUNT(*) FROM commit_files f WHERE f.sha = commits.sha)`);
  db.exec(`INSERT INTO deploys (id, repo_id, env, sha, started_at, finished_at, status, source)
           VALUES (1, 1, 'production', '${b}', ${T + DAY}, ${T + DAY}, 'success', 'cli')`);
  db.exec(`INSERT INTO incidents (id, source, external_id, title, started_at, module, updated_at)
           VALUES (1, 'file', 'INC-1', 'charges fail', ${T + 3 * DAY}, 'billing', 0)`);
  db.exec(
    `INSERT INTO incident_files (incident_id, path, kind, module) VALUES (1, 'src/search/q.ts', 'file', 'search')`,
  );
  const link = db.prepare(
    `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
     VALUES (1, ?, ?, ?, ?, 'heuristic', '{}', 0)`,
  );
  link.run('commit', b, 1, 'confirmed');
  link.run('deploy', '1', 0.9, 'suspect');
}

describe('migrations', () => {
  it('bring a version-5 database with data to the schema and rollups of a fresh one', () => {
    const dir = tempDir();
    const path = join(dir, 'v5.db');
    const old = new Database(path);
    for (const m of migrations.slice(0, 5)) old.exec(m.sql);
    old.pragma('user_version = 5');
    fillVersion5(old);
    old.close();

    const migrated = openStore(path);
    const fresh = openStore(join(dir, 'fresh.db'));
    expect(migrated.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(schema(migrated)).toEqual(schema(fresh));

    // The backfills found every rollup row a rebuild from the same rows finds.
    const backfilled = contents(migrated);
    expect(backfilled.module_incidents).not.toEqual([]);
    expect(backfilled.module_reverts).not.toEqual([]);
    expect(backfilled.module_pair_days).not.toEqual([]);
    expect(backfilled.deploys).toMatchObject([{ id: 1, linked_failure: 1 }]);
    // 0014: each file row carries its commit's file count, none for a merge.
    expect(
      migrated.prepare('SELECT substr(sha, 1, 1) AS c, path, basis_files AS n FROM commit_files ORDER BY 1, 2').all(),
    ).toEqual([
      { c: 'a', path: 'src/ledger/book.ts', n: 2 },
      { c: 'a', path: 'src/payments/charge.ts', n: 2 },
      { c: 'b', path: 'src/payments/charge.ts', n: 1 },
      { c: 'c', path: 'src/payments/charge.ts', n: 1 },
      { c: 'd', path: 'src/ledger/book.ts', n: null },
    ]);
    rebuildModuleRollups(migrated);
    expect(backfilled).toEqual(contents(migrated));
  });
});
