import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { getMeta, openStore, setMeta } from '../../src/store/open.js';
import { tempDir } from '../helpers/gitdir.js';

describe('openStore', () => {
  it('creates the folder, applies every migration once, and turns on WAL, foreign keys and a busy timeout', () => {
    const path = join(tempDir(), 'nested/dir/h.db');
    const db = openStore(path);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    setMeta(db, 'k', 'v1');
    db.close();
    const again = openStore(path);
    expect(getMeta(again, 'k')).toBe('v1');
    expect(again.pragma('user_version', { simple: true })).toBe(migrations.length);
    again.close();
  });

  it('refuses a database written by a newer hindsight instead of corrupting it', () => {
    const path = join(tempDir(), 'h.db');
    const db = openStore(path);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openStore(path)).toThrow(/newer than this hindsight/);
  });

  it('enforces the schema: foreign keys and checks reject bad rows', () => {
    const db = openStore(':memory:');
    expect(() => db.prepare("INSERT INTO deploy_commits (deploy_id, sha) VALUES (999, 'abc')").run()).toThrow(
      /FOREIGN KEY/,
    );
    expect(() =>
      db
        .prepare(
          "INSERT INTO incidents (source, external_id, title, started_at, updated_at, env) VALUES ('x', 'I', 't', 1, 1, 'production')",
        )
        .run(),
    ).not.toThrow();
    expect(() =>
      db
        .prepare(
          "INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at) VALUES (1, 'commit', 'a', 1.5, 'suspect', 'heuristic', '{}', 1)",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
