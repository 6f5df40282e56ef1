import { describe, expect, it } from 'vitest';
import { ensureModuleRollups } from '../../src/store/commits.js';
import { rebuildModuleIncidents } from '../../src/store/incidents.js';
import type { Db } from '../../src/store/open.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;

/** module → basis of the incident's module_incidents rows, as kept (the writers' and triggers' work). */
function kept(db: Db, id: number): Record<string, string> {
  ensureModuleRollups(db);
  const rows = db
    .prepare('SELECT module, basis FROM module_incidents WHERE incident_id = ? ORDER BY module')
    .all(id) as { module: string; basis: string }[];
  return Object.fromEntries(rows.map((r) => [r.module, r.basis]));
}

/** The kept basis, checked against a rebuild of the rollup from the stored rows. */
function basis(db: Db, id: number): Record<string, string> {
  ensureModuleRollups(db);
  const before = db.prepare('SELECT * FROM module_incidents ORDER BY 1, 2, 3').all();
  rebuildModuleIncidents(db);
  expect(db.prepare('SELECT * FROM module_incidents ORDER BY 1, 2, 3').all()).toEqual(before);
  return kept(db, id);
}

// module_incidents.basis (migration 0017) is kept by triggers on incidents, their files and links, and by the commit
// writer for links that name a commit before it is stored; each step below is one event that moves it.
describe('module_incidents basis', () => {
  it('follows links as they are added, confirmed, rejected and deleted, and the incident as it changes', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const db = ctx.store;
    const seed = seeder(ctx);
    const at = NOW - 20 * DAY;
    const a = seed.commit({ at, files: ['src/payments/a.ts', 'src/ledger/b.ts'] });
    const b = seed.commit({ at, files: ['src/auth/c.ts'] });
    const d = seed.commit({ at, files: ['src/search/d.ts'] });
    const id = seed.incident({ externalId: 'INC-1', startedAt: NOW - 10 * DAY, module: 'search' });
    expect(basis(db, id)).toEqual({ search: 'named' });

    seed.link({ incidentId: id, sha: a, score: 0.8 });
    seed.link({ incidentId: id, sha: b, score: 0.7 });
    seed.link({ incidentId: id, sha: 'e'.repeat(40), score: 0.2 }); // weak: no tie
    expect(basis(db, id)).toEqual({ auth: 'suspect', ledger: 'suspect', payments: 'suspect', search: 'named' });

    // Confirming a cause makes its modules 'cause' and the incident's suspect-only modules 'elsewhere'.
    db.prepare("UPDATE incident_links SET status = 'confirmed' WHERE incident_id = ? AND target = ?").run(id, a);
    expect(basis(db, id)).toEqual({ auth: 'elsewhere', ledger: 'cause', payments: 'cause', search: 'named' });

    // A file the incident names: 'named' over any link.
    const file = db.prepare("INSERT INTO incident_files(incident_id, path, kind, module) VALUES (?, ?, 'file', ?)");
    file.run(id, 'src/auth/c.ts', 'auth');
    file.run(id, 'src/ledger/b.ts', 'ledger');
    expect(basis(db, id)).toEqual({ auth: 'named', ledger: 'named', payments: 'cause', search: 'named' });

    db.prepare("UPDATE incident_links SET status = 'rejected' WHERE incident_id = ? AND target = ?").run(id, a);
    expect(basis(db, id)).toEqual({ auth: 'named', ledger: 'named', search: 'named' });

    db.prepare("DELETE FROM incident_files WHERE incident_id = ? AND module = 'auth'").run(id);
    expect(basis(db, id)).toEqual({ auth: 'suspect', ledger: 'named', search: 'named' });
    db.prepare("UPDATE incident_files SET module = 'infra', path = 'infra/x.tf' WHERE incident_id = ?").run(id);
    expect(basis(db, id)).toEqual({ auth: 'suspect', infra: 'named', search: 'named' });

    // A confirmed link inserted: 'named' stays, the suspect-only module turns 'elsewhere'.
    seed.link({ incidentId: id, sha: d, score: 1, status: 'confirmed' });
    expect(basis(db, id)).toEqual({ auth: 'elsewhere', infra: 'named', search: 'named' });
    db.prepare('DELETE FROM incident_links WHERE incident_id = ? AND target = ?').run(id, d);
    expect(basis(db, id)).toEqual({ auth: 'suspect', infra: 'named', search: 'named' });

    // A confirmed cause that is stored after its link, in a module the incident reached by a suspect only.
    const late = 'f'.repeat(40);
    seed.link({ incidentId: id, sha: late, score: 1, status: 'confirmed' });
    expect(kept(db, id)).toEqual({ auth: 'elsewhere', infra: 'named', search: 'named' });
    seed.commit({ sha: late, at, files: ['src/auth/e.ts', 'src/billing/f.ts'] });
    expect(basis(db, id)).toEqual({ auth: 'cause', billing: 'cause', infra: 'named', search: 'named' });

    db.prepare("UPDATE incidents SET module = 'payments' WHERE id = ?").run(id);
    expect(basis(db, id)).toEqual({ auth: 'cause', billing: 'cause', infra: 'named', payments: 'named' });
    db.prepare('DELETE FROM incident_links WHERE incident_id = ? AND target = ?').run(id, late);
    expect(basis(db, id)).toEqual({ auth: 'suspect', infra: 'named', payments: 'named' });

    db.prepare('DELETE FROM incident_links WHERE incident_id = ?').run(id);
    db.prepare('DELETE FROM incident_files WHERE incident_id = ?').run(id);
    db.prepare('DELETE FROM incidents WHERE id = ?').run(id);
    expect(kept(db, id)).toEqual({});
  });

  it('a suspect stored after its link is elsewhere when the incident has a confirmed cause', () => {
    const ctx = testContext(tempDir(), { now: NOW });
    const db = ctx.store;
    const seed = seeder(ctx);
    const id = seed.incident({ externalId: 'INC-2', startedAt: NOW - DAY, files: ['src/billing/z.ts'] });
    seed.link({ incidentId: id, sha: 'a'.repeat(40), score: 1, status: 'confirmed' });
    seed.link({ incidentId: id, sha: 'b'.repeat(40), score: 0.9 });
    seed.commit({ sha: 'b'.repeat(40), at: NOW - 2 * DAY, files: ['src/ledger/x.ts', 'src/billing/z.ts'] });
    expect(basis(db, id)).toEqual({ billing: 'named', ledger: 'elsewhere' });
    // Two links stored in one batch into the same module: the stronger basis wins.
    seed.link({ incidentId: id, sha: 'c'.repeat(40), score: 0.9 });
    seed.commit({ sha: 'a'.repeat(40), at: NOW - 3 * DAY, files: ['src/payments/x.ts'] });
    seed.commit({ sha: 'c'.repeat(40), at: NOW - 3 * DAY, files: ['src/payments/y.ts'] });
    expect(basis(db, id)).toEqual({ billing: 'named', ledger: 'elsewhere', payments: 'cause' });
  });
});
