// hindsight's schema on both engines: the same tables and columns, the same indexes, rollups kept equal by the
// triggers of each, the same full-text candidates, and a newer schema refused.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { interruptMatchIds } from '../../../src/store/engine/full-text.js';
import { openEngine } from '../../../src/store/engine/open-engine.js';
import { migratePostgres } from '../../../src/store/engine/postgres-migrate.js';
import { postgresMigrations } from '../../../src/store/engine/postgres-migrations/index.js';
import { PostgresDb } from '../../../src/store/engine/postgres.js';
import { sqliteEngine } from '../../../src/store/engine/sqlite.js';
import type { EngineDb, EngineKind } from '../../../src/store/engine/types.js';
import { migrations } from '../../../src/store/migrations/index.js';
import { ENGINES, freshTarget, storeEngine } from '../../helpers/engines.js';

/** table → its columns, as each engine's catalogue lists them (PostgreSQL's explicit rowid columns left out). */
function logicalSchema(kind: EngineKind, db: EngineDb): Record<string, string[]> {
  const rows =
    kind === 'sqlite'
      ? (db
          .prepare(
            `SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND m.name NOT LIKE 'interrupts_fts%'
             ORDER BY m.name, p.cid`,
          )
          .all() as { t: string; c: string }[])
      : (db
          .prepare(
            `SELECT table_name AS t, column_name AS c FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> 'hindsight_schema' AND column_name <> 'rowid'
             ORDER BY table_name, ordinal_position`,
          )
          .all() as { t: string; c: string }[]);
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.t] ??= []).push(r.c);
  return out;
}

function indexNames(kind: EngineKind, db: EngineDb): string[] {
  const sql =
    kind === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`
      : `SELECT indexname FROM pg_indexes i WHERE schemaname = current_schema()
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname`;
  return db.prepare(sql).pluck().all() as string[];
}

describe('the schema on both engines', () => {
  it('has the same tables, columns and indexes (FTS5 → a GIN index named interrupts_fts)', () => {
    const [lite, pg] = ENGINES.map((k) => storeEngine(k)) as [EngineDb, EngineDb];
    expect(logicalSchema('postgres', pg)).toEqual(logicalSchema('sqlite', lite));
    expect(indexNames('postgres', pg)).toEqual([...indexNames('sqlite', lite), 'interrupts_fts'].sort());
  });

  it.each(ENGINES)('%s refuses a database whose schema is newer than this code, with how to fix it', (kind) => {
    const target = freshTarget(kind);
    openEngine(target).close();
    if (kind === 'sqlite') {
      const raw = new Database(target);
      raw.pragma(`user_version = ${migrations.length + 1}`);
      raw.close();
    } else {
      const raw = new PostgresDb(target);
      raw.prepare("INSERT INTO hindsight_schema VALUES (?, 'from-the-future', 0)").run(migrations.length + 1);
      raw.close();
    }
    expect(() => openEngine(target)).toThrow(/newer than this hindsight knows .*upgrade hindsight/);
  });

  it('opening twice applies nothing twice', () => {
    const target = freshTarget('postgres');
    openEngine(target).close();
    const db = storeEngine('postgres', target);
    expect(db.prepare('SELECT count(*) FROM hindsight_schema').pluck().get()).toBe(migrations.length);
  });
});

/** The same writes, in portable SQL, on either engine. */
function writeHistory(db: EngineDb): void {
  const run = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args);
  run("INSERT INTO repos(id, path, name) VALUES (1, '/r', 'r')");
  const commit = (sha: string, at: number, files: [string, string][], agent: string | null = null) => {
    run(
      `INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at, subject, author_kind,
         agent)
       VALUES (?, 1, 'A', 'a@x', ?, ?, 's', ?, ?)`,
      sha,
      at,
      at,
      agent ? 'agent' : 'human',
      agent,
    );
    for (const [path, module] of files)
      run('INSERT INTO commit_files(sha, path, module, added, deleted) VALUES (?, ?, ?, 1, 0)', sha, path, module);
  };
  commit('c1', 86_400_000 * 3 + 5, [
    ['pay/a.ts', 'pay'],
    ['web/b.ts', 'web'],
  ]);
  commit('c2', 86_400_000 * 4, [['api/c.ts', 'api']]);
  commit('c3', 86_400_000 * 5, [['pay/d.ts', 'pay']], 'claude');
  const deploy = (id: number, sha: string) =>
    run(
      `INSERT INTO deploys(id, repo_id, env, sha, started_at, finished_at, status, source)
       VALUES (?, 1, 'production', ?, 1, 2, 'success', 'cli')`,
      id,
      sha,
    );
  deploy(1, 'c1');
  deploy(2, 'c2');
  const incident = (id: number, module: string | null, at: number) =>
    run(
      `INSERT INTO incidents(id, source, external_id, title, started_at, module, updated_at)
       VALUES (?, 'file', ?, 't', ?, ?, 0)`,
      id,
      `INC-${id}`,
      at,
      module,
    );
  incident(1, 'ops', 100);
  incident(2, null, 200);
  incident(3, null, 300);
  run("INSERT INTO incident_files(incident_id, path, kind, module) VALUES (2, 'web/b.ts', 'file', 'web')");
  let linkedAt = 0;
  const link = (iid: number, kind: string, target: string, score: number, status: string) =>
    run(
      `INSERT INTO incident_links(incident_id, kind, target, score, status, method, evidence, updated_at)
       VALUES (?, ?, ?, ?, ?, 'heuristic', '{}', ?)`,
      iid,
      kind,
      target,
      score,
      status,
      (linkedAt += 1000),
    );
  link(3, 'commit', 'c1', 0.9, 'suspect');
  link(2, 'commit', 'c2', 0.2, 'suspect');
  link(1, 'deploy', '1', 0.8, 'suspect');
  link(2, 'deploy', '2', 0.3, 'suspect');
  // Changes the triggers must follow: a weak link confirmed, a strong one rejected, an incident moved.
  run("UPDATE incident_links SET status = 'confirmed' WHERE incident_id = 2 AND target = 'c2'");
  run("UPDATE incident_links SET status = 'rejected' WHERE incident_id = 3 AND target = 'c1'");
  run("UPDATE incident_links SET status = 'confirmed' WHERE incident_id = 2 AND kind = 'deploy'");
  run('UPDATE incidents SET started_at = 150 WHERE id = 1');
  run('DELETE FROM incident_files WHERE incident_id = 2');
  // An agent's commit: a strong suspect and a weak confirmed link reach agent_incidents, a weak suspect, a rejected
  // link and a later confirmation do not (only new links count), and a link written again keeps its first sighting.
  link(1, 'commit', 'c3', 0.7, 'suspect');
  link(2, 'commit', 'c3', 0.2, 'suspect');
  run("UPDATE incident_links SET status = 'confirmed' WHERE incident_id = 2 AND target = 'c3'");
  link(3, 'commit', 'c3', 0.9, 'rejected');
  run("DELETE FROM incident_links WHERE incident_id = 1 AND target = 'c3'");
  link(1, 'commit', 'c3', 0.1, 'confirmed');

  const entry = (id: number, at: number, task: string | null, summary: string, detail: string | null) =>
    run(
      `INSERT INTO interrupts(id, kind, category, category_source, summary, detail, source, created_at, task_id)
       VALUES (?, 'interrupt', 'missing_context', 'given', ?, ?, 'agent', ?, ?)`,
      id,
      summary,
      detail,
      at,
      task,
    );
  entry(1, 86_400_000 + 1, 't1', 'Where is the payments retry policy documented?', null);
  entry(2, 86_400_000 + 2, 't1', 'Deploy failed: migrations timing out', 'the migration runner timed out twice');
  run("INSERT INTO tasks(id, started_at, updated_at) VALUES ('t1', 0, 0)");
  entry(3, 86_400_000 * 2, 't2', 'Which retries are allowed on payment calls?', 'payments team asked');
  run("INSERT INTO tasks(id, started_at, updated_at) VALUES ('t2', 0, 0)");
  run("UPDATE interrupts SET task_id = 't2', category = 'policy_gap' WHERE id = 2");
  run('DELETE FROM interrupts WHERE id = 1');
}

const rollups = (db: EngineDb) => ({
  moduleIncidents: db
    .prepare('SELECT module, started_at, incident_id, basis FROM module_incidents ORDER BY 1, 2, 3')
    .all(),
  interruptDays: db.prepare('SELECT day, kind, category, n FROM interrupt_days ORDER BY 1, 2, 3').all(),
  taskEntries: db.prepare('SELECT id, entries FROM tasks ORDER BY id').all(),
  linkedFailure: db.prepare('SELECT id, linked_failure FROM deploys ORDER BY id').all(),
  committedAt: db.prepare('SELECT sha, path, committed_at FROM commit_files ORDER BY 1, 2').all(),
  agentIncidents: db.prepare('SELECT agent, incident_id, linked_at FROM agent_incidents ORDER BY 1, 2').all(),
});

describe('rollups and full text on both engines', () => {
  it('the triggers of each engine keep the rollups equal', () => {
    const [lite, pg] = ENGINES.map((k) => storeEngine(k)) as [EngineDb, EngineDb];
    writeHistory(lite);
    writeHistory(pg);
    const expected = rollups(lite);
    expect(expected.moduleIncidents.length).toBeGreaterThan(0); // the case exercises every trigger
    expect(expected.agentIncidents).toEqual([{ agent: 'claude', incident_id: 1, linked_at: 5000 }]);
    expect(rollups(pg)).toEqual(expected);
  });

  it('a database written before 0012-notify gets the same agent_incidents from its backfill on both engines', () => {
    const before = migrations.findIndex((m) => m.name === '0012-notify');
    const [lite, pg] = ENGINES.map((kind) => {
      const target = freshTarget(kind);
      if (kind === 'sqlite') {
        const raw = new Database(target);
        for (const m of migrations.slice(0, before)) raw.exec(m.sql);
        raw.pragma(`user_version = ${before}`);
        writeHistory(sqliteEngine(raw));
        raw.close();
      } else {
        const raw = new PostgresDb(target);
        migratePostgres(raw, postgresMigrations.slice(0, before));
        writeHistory(raw);
        raw.close();
      }
      return storeEngine(kind, target);
    }) as [EngineDb, EngineDb];
    const expected = rollups(lite).agentIncidents;
    // The backfill sees the links as they are now: the weak link confirmed later counts, from its time.
    expect(expected).toEqual([
      { agent: 'claude', incident_id: 1, linked_at: 8000 },
      { agent: 'claude', incident_id: 2, linked_at: 6000 },
    ]);
    expect(rollups(pg).agentIncidents).toEqual(expected);
  });

  it('the same FTS5 match string finds the same entries (stemmed, OR of quoted words, newest first)', () => {
    const [lite, pg] = ENGINES.map((k) => storeEngine(k)) as [EngineDb, EngineDb];
    writeHistory(lite);
    writeHistory(pg);
    const match = ['payments', 'retry', 'timing'].map((w) => `"${w}"`).join(' OR ');
    const ids = (kind: EngineKind, db: EngineDb) =>
      db.prepare(interruptMatchIds(kind)).pluck().all({ match, scan: 10 });
    const sqliteIds = ids('sqlite', lite);
    const pgIds = ids('postgres', pg);
    expect(sqliteIds).toEqual([3, 2]);
    expect(pgIds).toEqual(sqliteIds);
  });
});
