import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentLinksFingerprint, incidentsLinkedSince } from '../../src/store/digest-marks.js';
import { replaceLinks } from '../../src/store/links.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open.js';
import { tempDir } from '../helpers/gitdir.js';

const INCIDENT = `INSERT INTO incidents (id, source, external_id, title, started_at, updated_at)
  VALUES (?, 'import', ?, 't', ?, 0)`;
const COMMIT = `INSERT INTO commits (sha, repo_id, author_name, author_email, authored_at, committed_at, subject,
  author_kind, agent) VALUES (?, 1, 'a', 'a@x', 0, 0, 's', ?, ?)`;
const LINK = `INSERT INTO incident_links (incident_id, kind, target, score, status, method, evidence, updated_at)
  VALUES (?, 'commit', ?, ?, ?, 'heuristic', '{}', ?)`;

describe('incidents linked to an agent (migration 0012)', () => {
  it("backfills an upgraded database's strong links, then keeps the first sighting through re-attribution", () => {
    const path = join(tempDir(), 'h.db');
    const old = new Database(path);
    const before = migrations.findIndex((m) => m.name === '0012-notify');
    for (const m of migrations.slice(0, before)) old.exec(m.sql);
    old.pragma(`user_version = ${before}`);
    old.prepare("INSERT INTO repos (id, path, name) VALUES (1, '/r', 'r')").run();
    old.prepare(COMMIT).run('a1', 'agent', 'claude');
    old.prepare(COMMIT).run('h1', 'human', null);
    old.prepare(INCIDENT).run(1, 'INC-1', 1000);
    old.prepare(INCIDENT).run(2, 'INC-2', 2000);
    old.prepare(LINK).run(1, 'a1', 0.7, 'suspect', 100);
    old.prepare(LINK).run(2, 'a1', 0.2, 'suspect', 100); // too weak to tie INC-2 to claude
    old.prepare(LINK).run(2, 'h1', 0.9, 'suspect', 100);
    old.close();

    const db = openStore(path);
    expect(incidentsLinkedSince(db, 'claude', 0, 10)).toEqual([{ incidentId: 1, linkedAt: 100 }]);
    expect(agentLinksFingerprint(db, 'claude')).toBe('1:100');
    // Re-attribution rewrites the links: INC-1's first sighting stays, INC-2 becomes claude's at 500.
    replaceLinks(
      db,
      1,
      [{ kind: 'commit', target: 'a1', score: 0.8, status: 'suspect', method: 'heuristic', evidence: {} }],
      400,
    );
    replaceLinks(
      db,
      2,
      [{ kind: 'commit', target: 'a1', score: 1, status: 'confirmed', method: 'fix-blame', evidence: {} }],
      500,
    );
    expect(incidentsLinkedSince(db, 'claude', 100, 10)).toEqual([{ incidentId: 2, linkedAt: 500 }]);
    expect(agentLinksFingerprint(db, 'claude')).toBe('2:500');
    db.close();
  });
});
