// The engine contract: the same calls give the same answers on SQLite and on PostgreSQL.
import { describe, expect, it } from 'vitest';
import { translatePlaceholders } from '../../../src/store/engine/placeholders.js';
import { PostgresDb } from '../../../src/store/engine/postgres.js';
import { autoId, emptyEngine, ENGINES } from '../../helpers/engines.js';
import { freshPostgresUrl } from '../../helpers/postgres.js';

describe.each(ENGINES)('engine contract on %s', (kind) => {
  const withTable = () => {
    const db = emptyEngine(kind);
    db.exec(`CREATE TABLE t (${autoId(kind)}, name TEXT NOT NULL UNIQUE, n BIGINT, score DOUBLE PRECISION, b BYTEA)`);
    return db;
  };

  it('binds positional and named parameters, and refuses a wrong count or a missing name', () => {
    const db = withTable();
    db.prepare('INSERT INTO t(name, n) VALUES (?, ?)').run('a', 1);
    db.prepare('INSERT INTO t(name, n) VALUES (@name, @n)').run({ name: 'b', n: 2 });
    expect(db.prepare("SELECT name FROM t WHERE n = @n OR name = @n || '?'").pluck().all({ n: 2 })).toEqual(['b']);
    expect(db.prepare('SELECT name, n FROM t WHERE n >= ? ORDER BY n').all([1])).toEqual([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
    ]);
    expect(() => db.prepare('SELECT 1 FROM t WHERE n = ?').all()).toThrow(RangeError);
    expect(() => db.prepare('SELECT 1 FROM t WHERE n = @n').all({})).toThrow(/n/);
  });

  it('answers RETURNING and lastInsertRowid, and counts changes', () => {
    const db = withTable();
    const r = db.prepare('INSERT INTO t(name) VALUES (?) RETURNING id').run('x');
    expect(r).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(db.prepare('INSERT INTO t(name) VALUES (?) RETURNING id, name').get('y')).toEqual({ id: 2, name: 'y' });
    expect(db.prepare('UPDATE t SET n = 7').run().changes).toBe(2);
  });

  it('upserts with ON CONFLICT … DO NOTHING / DO UPDATE', () => {
    const db = withTable();
    const ins = db.prepare('INSERT INTO t(name, n) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    expect(ins.run('a', 1).changes).toBe(1);
    expect(ins.run('a', 2).changes).toBe(0);
    db.prepare('INSERT INTO t(name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = t.n + excluded.n').run(
      'a',
      5,
    );
    expect(db.prepare('SELECT n FROM t').pluck().get()).toBe(6);
  });

  it('commits, rolls back, and nests savepoints like better-sqlite3', () => {
    const db = withTable();
    const add = db.prepare('INSERT INTO t(name) VALUES (?)');
    const names = () => db.prepare('SELECT name FROM t ORDER BY name').pluck().all();
    db.transaction(() => add.run('a'))();
    expect(() =>
      db.transaction(() => {
        add.run('b');
        throw new Error('boom');
      })(),
    ).toThrow('boom');
    expect(names()).toEqual(['a']);
    const outer = db.transaction(() => {
      add.run('c');
      expect(db.inTransaction).toBe(true);
      try {
        db.transaction(() => {
          add.run('d');
          throw new Error('inner');
        })();
      } catch {
        // the inner savepoint is rolled back, the outer transaction goes on
      }
      db.transaction(() => add.run('e')).immediate();
    });
    outer.immediate();
    expect(names()).toEqual(['a', 'c', 'e']);
    expect(db.inTransaction).toBe(false);
  });

  it('orders NULLs as asked with NULLS FIRST / NULLS LAST (the defaults differ: write them out)', () => {
    const db = withTable();
    const add = db.prepare('INSERT INTO t(name, n) VALUES (?, ?)');
    add.run('a', 2);
    add.run('b', null);
    add.run('c', 1);
    expect(db.prepare('SELECT name FROM t ORDER BY n ASC NULLS FIRST').pluck().all()).toEqual(['b', 'c', 'a']);
    expect(db.prepare('SELECT name FROM t ORDER BY n ASC NULLS LAST').pluck().all()).toEqual(['c', 'a', 'b']);
    expect(db.prepare('SELECT name FROM t ORDER BY n DESC NULLS LAST').pluck().all()).toEqual(['a', 'c', 'b']);
  });

  it('matches LIKE case-insensitively on both only through lower() (SQLite ignores ASCII case, PostgreSQL not)', () => {
    const db = withTable();
    db.prepare('INSERT INTO t(name) VALUES (?)').run('Payments-API');
    const like = db.prepare('SELECT count(*) FROM t WHERE name LIKE ?').pluck();
    const lowered = db.prepare('SELECT count(*) FROM t WHERE lower(name) LIKE lower(?)').pluck();
    expect(like.get('payments%')).toBe(kind === 'sqlite' ? 1 : 0);
    expect(lowered.get('payments%')).toBe(1);
  });

  it('gives integers, 64-bit counts, sums, reals and blobs back as SQLite does', () => {
    const db = withTable();
    const big = 2 ** 52 + 1; // unix-ms timestamps are far below; still exact
    db.prepare('INSERT INTO t(name, n, score, b) VALUES (?, ?, ?, ?)').run('a', big, 0.25, Buffer.from([0, 1, 255]));
    db.prepare('INSERT INTO t(name, n, score) VALUES (?, ?, ?)').run('b', BigInt(3), 0.5);
    expect(db.prepare('SELECT n, score, b FROM t WHERE name = ?').get('a')).toEqual({
      n: big,
      score: 0.25,
      b: Buffer.from([0, 1, 255]),
    });
    const agg = db.prepare(
      'SELECT count(*) AS c, SUM(n) AS s, MAX(score) AS m, MAX(n) / 2 AS half FROM t WHERE name = ?',
    );
    expect(agg.get('b')).toEqual({ c: 1, s: 3, m: 0.5, half: 1 });
    expect(db.prepare('SELECT n FROM t WHERE name = ?').pluck().get('zzz')).toBeUndefined();
  });

  it('keeps camelCase aliases as written, and iterates', () => {
    const db = withTable();
    db.prepare('INSERT INTO t(name, n) VALUES (?, ?)').run('a', 1);
    const row = db.prepare('SELECT name AS theName, n AS "quotedN" FROM t ORDER BY theName').get();
    expect(row).toEqual({ theName: 'a', quotedN: 1 });
    expect([...db.prepare('SELECT name FROM t').pluck().iterate()]).toEqual(['a']);
  });

  it('reports constraint violations as errors and leaves the data as it was', () => {
    const db = withTable();
    const add = db.prepare('INSERT INTO t(name) VALUES (?)');
    add.run('a');
    expect(() => db.transaction(() => add.run('a'))()).toThrow(/unique/i);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });
});

describe('placeholder translation', () => {
  it('numbers ? and @name, reuses a name, and leaves quotes, comments, casts and $$ bodies alone', () => {
    const t = translatePlaceholders(
      `SELECT '?', "a?", x::text, @a, ? -- what?\n, /* @b */ @a, $$ ? $$ AS camelCase FROM t WHERE y = 'it''s ?'`,
    );
    expect(t.text).toBe(
      `SELECT '?', "a?", x::text, $1, $2 -- what?\n, /* @b */ $1, $$ ? $$ AS camelCase FROM t WHERE y = 'it''s ?'`,
    );
    expect(t.slots).toEqual(['a', 0]);
    expect(t.aliases.get('camelcase')).toBe('camelCase');
  });
});

describe('PostgreSQL timeouts', () => {
  it('the server cancels a statement past statementTimeoutMs (57014), and the connection keeps answering', () => {
    const db = new PostgresDb(freshPostgresUrl(), { statementTimeoutMs: 200 });
    try {
      expect(() => db.prepare('SELECT pg_sleep(2)').get()).toThrow(
        expect.objectContaining({ code: '57014', message: expect.stringMatching(/statement timeout/) }),
      );
      expect(db.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    } finally {
      db.close();
    }
  });
});
