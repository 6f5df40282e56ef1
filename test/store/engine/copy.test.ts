// `hindsight db copy` on the demo's real data: SQLite → PostgreSQL → SQLite gives identical rows, an interrupted
// copy continues, and the refusals (non-empty target, another source's partial copy, another schema version).
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDatabase } from '../../../src/cli/commands/demo.js';
import { copyDatabase, tableChecksum } from '../../../src/store/engine/copy.js';
import { openEngine } from '../../../src/store/engine/open-engine.js';
import { migrations } from '../../../src/store/migrations/index.js';
import { loadConfig } from '../../../src/config.js';
import { createContext } from '../../../src/context.js';
import { ingestGit } from '../../../src/ingest/git.js';
import { tempDir } from '../../helpers/gitdir.js';
import { mcpClient } from '../../helpers/mcp.js';
import { freshPostgresUrl } from '../../helpers/postgres.js';

let demoDb = '';
let demoRepo = '';
let demoNow = '';
beforeAll(async () => {
  const demo = await buildDemoDatabase(tempDir(), () => {});
  demoDb = demo.dbPath;
  demoRepo = demo.scenario.repoPath;
  demoNow = demo.scenario.now;
}, 120_000);

/** A context over `db` for the demo's repository, at the demo's clock. */
function demoContext(db: string) {
  return createContext(loadConfig({ cwd: demoRepo, env: { HINDSIGHT_NOW: demoNow }, flags: { db, repo: demoRepo } }), {
    log: () => {},
  });
}

/**
 * The tables whose SQLite rowid the store reads (the copy keeps it); elsewhere it is only insertion order, which a
 * copy made in key order need not keep (agent_incidents, filled by a trigger as links arrive).
 */
const ROWID_READ = new Set(['commits', 'commit_trailers', 'incident_files']);

/** Every row of every table, as the SQLite engine reads them back. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")
    .pluck()
    .all() as string[];
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const n = (db.prepare('SELECT count(*) FROM pragma_table_info(?)').pluck().get(t) as number) + 1;
    const all = Array.from({ length: n }, (_, i) => i + 1).join(', ');
    // Every column in the order: rows compare as sets, whatever order either engine stored them in.
    out[t] = db.prepare(`SELECT ${ROWID_READ.has(t) ? 'rowid' : 'NULL'} AS _r, * FROM "${t}" ORDER BY ${all}`).all();
  }
  db.close();
  return out;
}

/** The demo's data plus rows in the tables the demo leaves empty, and first sightings older than their links. */
function richSource(): string {
  const path = join(tempDir(), 'source.db');
  copyFileSync(demoDb, path);
  const db = new Database(path);
  const incident = db.prepare('SELECT MIN(id) FROM incidents').pluck().get() as number;
  db.prepare(
    `INSERT INTO notifications(incident_id, repo, number, target, sha, comment_id, url, body_hash, state, created_at,
       updated_at) VALUES (?, 'acme/shop', 42, 'pull', 'abc', 9007199254740000, NULL, 'h', 'posted', 1, 2)`,
  ).run(incident);
  db.prepare("INSERT INTO digest_marks(agent, read_at) VALUES ('claude', 1700000000000)").run();
  db.prepare(
    "INSERT INTO resource_subscriptions(token_id, uri, created_at) VALUES ('tok', 'hindsight://digest', 3)",
  ).run();
  db.prepare('UPDATE agent_incidents SET linked_at = linked_at - 1').run();
  db.close();
  return path;
}

describe('db copy', () => {
  it('gives a PostgreSQL database that answers as its SQLite source and takes new commits (its rollup mark read back)', async () => {
    const source = join(tempDir(), 'source.db');
    copyFileSync(demoDb, source);
    const url = freshPostgresUrl();
    copyDatabase(source, url);
    const answers = async (db: string) => {
      const ctx = demoContext(db);
      const client = await mcpClient(ctx);
      const out: unknown[] = [];
      for (const [name, args] of [
        ['change_risk', { paths: ['src/payments/gateway.ts'] }],
        ['module_incident_history', { module: 'payments' }],
        ['my_deploy_impact', {}],
      ] as const)
        out.push((await client.callTool({ name, arguments: args })).structuredContent);
      await client.close();
      ctx.store.close();
      return out;
    };
    expect(await answers(url)).toEqual(await answers(source));
    const ctx = demoContext(url);
    try {
      appendFileSync(join(demoRepo, 'src/payments/gateway.ts'), '// one more\n');
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', demoRepo, '-c', 'user.name=T', '-c', 'user.email=t@x', ...args]);
      git('commit', '-qam', 'one more');
      expect((await ingestGit(ctx)).added).toBe(1);
    } finally {
      ctx.store.close();
    }
  });

  it('SQLite → PostgreSQL → SQLite gives identical rows, every table verified', () => {
    const source = richSource();
    const url = freshPostgresUrl();
    const there = copyDatabase(source, url);
    expect(there.resumed).toBe(false);
    const counts = Object.fromEntries(there.tables.map((t) => [t.name, t.rows]));
    expect(counts).toMatchObject({ commits: expect.any(Number), interrupts: expect.any(Number) });
    for (const t of ['commits', 'commit_files', 'deploys', 'incidents', 'incident_links', 'interrupts', 'module_days'])
      expect(counts[t], t).toBeGreaterThan(0);
    for (const t of [
      'signal_samples',
      'build_jobs',
      'deploy_gates',
      'notifications',
      'agent_incidents',
      'digest_marks',
    ])
      expect(counts[t], t).toBeGreaterThan(0);
    // Every table of the schema is copied (FTS5's own tables are rebuilt by the target's triggers).
    const tables = Object.keys(dump(source)).filter((t) => !t.startsWith('interrupts_fts'));
    expect(there.tables.map((t) => t.name).sort()).toEqual(tables);

    const back = join(tempDir(), 'back.db');
    const home = copyDatabase(url, back);
    expect(home.tables).toEqual(there.tables);
    expect(dump(back)).toEqual(dump(source));
    // The copy is a working database: ids continue after the copied ones on PostgreSQL.
    const pg = openEngine(url);
    const maxId = pg.prepare('SELECT MAX(id) FROM incidents').pluck().get() as number;
    const id = pg
      .prepare(
        `INSERT INTO incidents(source, external_id, title, started_at, updated_at) VALUES ('t', 'X', 't', 0, 0)
         RETURNING id`,
      )
      .run().lastInsertRowid;
    expect(id).toBe(maxId + 1);
    pg.close();
  }, 120_000);

  it('an interrupted copy continues where it stopped when run again, and reports progress', () => {
    const url = freshPostgresUrl();
    let events = 0;
    expect(() =>
      copyDatabase(demoDb, url, {
        batchSize: 50,
        onProgress: () => {
          if (++events === 12) throw new Error('killed');
        },
      }),
    ).toThrow('killed');
    const seen: string[] = [];
    const report = copyDatabase(demoDb, url, { batchSize: 50, onProgress: (p) => seen.push(p.table) });
    expect(report.resumed).toBe(true);
    expect(seen[0]).not.toBe('repos'); // tables finished before the interruption are not copied again
    const pg = openEngine(url);
    const { name: _, ...commits } = report.tables.find((t) => t.name === 'commits')!;
    expect(tableChecksum(pg, 'commits')).toEqual(commits);
    pg.close();
  }, 120_000);

  it('refuses a target that already holds data, a partial copy of another source, and another schema version', () => {
    const url = freshPostgresUrl();
    copyDatabase(demoDb, url);
    expect(() => copyDatabase(demoDb, url)).toThrow(/already holds data \(table repos\)/);

    const other = join(tempDir(), 'other.db');
    copyFileSync(demoDb, other);
    const partial = freshPostgresUrl();
    expect(() =>
      copyDatabase(demoDb, partial, {
        onProgress: () => {
          throw new Error('stop');
        },
      }),
    ).toThrow('stop');
    expect(() => copyDatabase(other, partial)).toThrow(/is a partial copy of .*, not of/);

    const raw = new Database(other);
    raw.pragma('user_version = 9');
    raw.close();
    expect(() => copyDatabase(other, join(tempDir(), 'x.db'))).toThrow(
      new RegExp(`schema version 9, this hindsight ${migrations.length}`),
    );
  }, 120_000);
});
