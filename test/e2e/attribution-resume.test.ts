import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { importIncidents } from '../../src/ingest/incidents.js';
import { tempDir } from '../helpers/gitdir.js';
import { paymentsStory } from '../helpers/stories.js';
import { assertBuilt, runCli } from './cli.js';

type LinkRow = { incident: string; kind: string; target: string; score: number; status: string; updatedAt: number };

function links(dbPath: string): LinkRow[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT i.external_id AS incident, l.kind, l.target, l.score, l.status, l.updated_at AS updatedAt
         FROM incident_links l JOIN incidents i ON i.id = l.incident_id ORDER BY 1, 2, 3`,
      )
      .all() as LinkRow[];
  } finally {
    db.close();
  }
}

const withoutTime = (rows: LinkRow[]) => rows.map(({ updatedAt: _, ...r }) => r);

describe('attribution survives a crash between the import and its attribution (issue 13)', () => {
  beforeAll(assertBuilt);

  it('the next import attributes what the crashed one left, and a run after that changes nothing', async () => {
    const { g, ctx, fix } = await paymentsStory();
    const file = join(tempDir(), 'incidents.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'INC-1', title: 'Payments API timeouts', started_at: '2026-02-05T08:00:00Z', module: 'payments' },
        {
          id: 'INC-2',
          title: 'Payments API timeouts',
          started_at: '2026-02-08T08:00:00Z',
          files: ['src/payments/gateway.ts'],
          fix_sha: fix,
        },
        { id: 'INC-3', title: 'login errors', started_at: '2026-02-06T08:00:00Z', files: ['src/auth/login.ts'] },
      ]),
    );
    // The same history, for the same import run uninterrupted: what every incident should end with.
    const fresh = join(tempDir(), 'fresh.db');
    ctx.store.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(ctx.config.dbPath, fresh);
    // What `ingest incidents` does before it attributes: its import transaction. Then the process dies.
    expect(importIncidents(ctx, file).inserted).toBe(3);
    const crashed = ctx.config.dbPath;
    ctx.store.close();
    expect(links(crashed)).toEqual([]);

    expect(runCli(['--repo', g.path, '--db', fresh, 'ingest', 'incidents', file], { cwd: g.path }).code).toBe(0);
    const expected = withoutTime(links(fresh));
    expect(new Set(expected.map((l) => l.incident))).toEqual(new Set(['INC-1', 'INC-2', 'INC-3']));

    const again = runCli(['--repo', g.path, '--db', crashed, 'ingest', 'incidents', file], { cwd: g.path });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 new, 0 updated, 3 unchanged/);
    const resumed = links(crashed);
    expect(withoutTime(resumed)).toEqual(expected);

    // Nothing is pending any more: neither a third import nor a plain ingest rewrites a link.
    expect(runCli(['--repo', g.path, '--db', crashed, 'ingest', 'incidents', file], { cwd: g.path }).code).toBe(0);
    expect(links(crashed)).toEqual(resumed);
  });

  it('`attribute` also finishes the work a crashed import left', async () => {
    const { g, ctx } = await paymentsStory();
    const file = join(tempDir(), 'incidents.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'INC-7', title: 'timeouts', started_at: '2026-02-05T08:00:00Z', files: ['src/payments/gateway.ts'] },
      ]),
    );
    importIncidents(ctx, file);
    ctx.store.close();
    const res = runCli(['--repo', g.path, '--db', ctx.config.dbPath, 'attribute'], { cwd: g.path });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/attributed 1 incident\(s\)/);
    expect(links(ctx.config.dbPath).length).toBeGreaterThan(0);
  });
});
