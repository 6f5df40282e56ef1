import { describe, expect, it } from 'vitest';
import { deployFailureCounts } from '../../src/store/deploys.js';
import type { Db } from '../../src/store/open.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;

function store() {
  const ctx = testContext(tempDir(), { now: NOW });
  const repoId = seeder(ctx).repoId;
  const db = ctx.store;
  const deploy = (id: number, finishedAt: number, status = 'success', env = 'production') =>
    db
      .prepare(
        `INSERT INTO deploys(id, repo_id, env, sha, started_at, finished_at, status, source)
         VALUES (?, ?, ?, 'abc', ?, ?, ?, 'cli')`,
      )
      .run(id, repoId, env, finishedAt, finishedAt, status);
  const incident = db
    .prepare(
      `INSERT INTO incidents(source, external_id, title, started_at, updated_at) VALUES ('t', ?, 't', ?, 0)
       RETURNING id`,
    )
    .pluck();
  const link = (incidentId: number, deployId: number, score: number, status = 'suspect') =>
    db
      .prepare(
        `INSERT INTO incident_links(incident_id, kind, target, score, status, method, evidence, updated_at)
         VALUES (?, 'deploy', ?, ?, ?, 'heuristic', '{"reasons":[]}', 0)`,
      )
      .run(incidentId, String(deployId), score, status);
  return { db, repoId, deploy, incident: (id: string) => incident.get(id, NOW) as number, link };
}

/** The definition the flag stands for, asked of the links themselves. */
function failedByLinks(db: Db, since: number, until: number): number {
  return db
    .prepare(
      `SELECT COUNT(*) FROM deploys d WHERE d.finished_at >= ? AND d.finished_at <= ? AND (d.status <> 'success'
         OR EXISTS (SELECT 1 FROM incident_links l WHERE l.kind = 'deploy' AND l.target = CAST(d.id AS TEXT)
           AND l.status <> 'rejected' AND (l.status = 'confirmed' OR l.score >= 0.5)))`,
    )
    .pluck()
    .get(since, until) as number;
}

describe('deploys.linked_failure', () => {
  it('follows deploy links as they are written, rescored, rejected and deleted', () => {
    const { db, deploy, incident, link } = store();
    const window = { since: NOW - 90 * DAY, until: NOW, repoId: null };
    deploy(1, NOW - 10 * DAY);
    deploy(2, NOW - 9 * DAY);
    deploy(3, NOW - 8 * DAY, 'failure');
    deploy(4, NOW - 200 * DAY); // outside the window
    const a = incident('INC-1');
    const b = incident('INC-2');
    link(a, 1, 0.8);
    link(b, 2, 0.3); // too weak to count
    link(b, 4, 0.9);
    const check = (failed: number) => {
      expect(deployFailureCounts(db, window)).toEqual({ deploys: 3, failed });
      expect(failedByLinks(db, window.since, window.until)).toBe(failed);
    };
    check(2);

    db.prepare("UPDATE incident_links SET score = 0.6 WHERE target = '2'").run();
    check(3);
    db.prepare("UPDATE incident_links SET status = 'rejected' WHERE target = '1'").run();
    check(2);
    db.prepare("UPDATE incident_links SET status = 'confirmed', score = 0.1 WHERE target = '1'").run();
    check(3);
    db.prepare("DELETE FROM incident_links WHERE target = '2'").run();
    check(2);
    db.prepare('DELETE FROM incidents WHERE id = ?').run(a); // its links go with it
    check(1);
    expect(deployFailureCounts(db, { ...window, env: 'staging' })).toEqual({ deploys: 0, failed: 0 });
  });

  it('is set for a deploy stored after a link that names it', () => {
    const { db, deploy, incident, link } = store();
    link(incident('INC-1'), 7, 1, 'confirmed');
    deploy(7, NOW - DAY);
    expect(db.prepare('SELECT linked_failure FROM deploys WHERE id = 7').pluck().get()).toBe(1);
  });
});
