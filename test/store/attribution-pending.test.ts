import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { countPending, pendingIncidents, replaceLinks } from '../../src/store/links.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open.js';
import { tempDir } from '../helpers/gitdir.js';

const INSERT = `INSERT INTO incidents (id, source, external_id, title, started_at, updated_at)
  VALUES (?, 'import', ?, 't', ?, 0)`;

describe('the attribution pending marker (migration 0009)', () => {
  it('marks the incidents of an upgraded database that have no links, and only those', () => {
    const path = join(tempDir(), 'h.db');
    const old = new Database(path);
    const before = migrations.findIndex((m) => m.name === '0009-attribution-pending');
    for (const m of migrations.slice(0, before)) old.exec(m.sql);
    old.pragma(`user_version = ${before}`);
    old.prepare(INSERT).run(1, 'INC-1', 1000);
    old.prepare(INSERT).run(2, 'INC-2', 2000);
    old
      .prepare(
        `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
         VALUES (1, 'deploy', '1', 0.5, 'suspect', 'heuristic', '{}', 0)`,
      )
      .run();
    old.close();

    const db = openStore(path);
    expect(pendingIncidents(db)).toEqual([2]);
    db.prepare(INSERT).run(3, 'INC-3', 500);
    expect(pendingIncidents(db)).toEqual([3, 2]);
    replaceLinks(db, 3, [], 1);
    replaceLinks(db, 2, [], 1, [1]);
    expect(pendingIncidents(db)).toEqual([1]);
    expect(countPending(db)).toBe(1);
    db.close();
  });
});
