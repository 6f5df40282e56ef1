import { describe, expect, it } from 'vitest';
import { insertCommit } from '../../src/store/commits.js';
import { insertDeploy, setDeployLinks } from '../../src/store/deploys.js';
import {
  linkedIncidentIds,
  revertsOfIdentity,
  staleSummaryDeploys,
  summariesFromRows,
  summaryPage,
  refreshImpactSummaries,
  type ImpactIdentity,
  type ImpactSummary,
} from '../../src/store/impact-summaries.js';
import { insertIncident, updateIncident, type IncidentFields } from '../../src/store/incidents.js';
import { replaceLinks } from '../../src/store/links.js';
import type { Db } from '../../src/store/open.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { newCommit } from '../helpers/new-commit.js';
import { newIncident } from '../helpers/new-incident.js';

// my_deploy_impact's summaries kept at write time (migration 0016) must stay what the rows say after every event
// that can change them. Each test checks the stored summary of the event's deploys against a value the event
// changed (a summary that ignored the event would still hold the old one), and the whole stored table against the
// same figures computed from rows.

const CLAUDE: ImpactIdentity = { kind: 'agent', value: 'claude', repoId: null };
const ALL = { who: CLAUDE, lo: -1, hi: Number.MAX_SAFE_INTEGER, edge: [] };

function setup() {
  const ctx = testContext(tempDir());
  const db = ctx.store;
  db.prepare("INSERT INTO repos (id, path, name) VALUES (1, '/r', 'r')").run();
  const commit = (sha: string, at: number, over = {}) =>
    insertCommit(db, newCommit(1, sha, { committedAt: at, authorKind: 'agent', agent: 'claude', ...over }));
  const deploy = (finishedAt: number, shas: string[], env = 'production', rolledBackIds: number[] = []) => {
    const id = insertDeploy(db, {
      repoId: 1,
      env,
      service: '',
      sha: shas[0]!,
      startedAt: finishedAt - 10,
      finishedAt,
      status: 'success',
      source: 'cli',
      externalId: null,
    });
    setDeployLinks(db, id, { prevId: null, rollbackToId: null, rolledBackIds, shas });
    return id;
  };
  const incident = (startedAt: number, env = 'production'): IncidentFields =>
    newIncident(`INC-${startedAt}-${env}`, startedAt, { env });
  // As an attribution run writes links: each incident's in turn, the marked summaries recomputed once at the end.
  const link = (incidentId: number, sha: string, score: number) => {
    replaceLinks(
      db,
      incidentId,
      [{ kind: 'commit', target: sha, score, status: 'suspect', method: 'heuristic', evidence: { reasons: [] } }],
      1,
    );
    expect(db.prepare('SELECT count(*) FROM impact_dirty').pluck().get()).toBeGreaterThan(0);
    refreshImpactSummaries(db);
  };
  return { ctx, db, commit, deploy, incident, link };
}

/** claude's stored summary of one deploy (every deploy's, when all of its commits are claude's). */
function stored(db: Db, deployId: number): ImpactSummary | undefined {
  return summaryPage(db, CLAUDE, {
    lo: -1,
    hi: Number.MAX_SAFE_INTEGER,
    env: null,
    excluded: [],
    after: null,
    limit: 100,
  })
    .concat(
      // A deploy that lists none of claude's commits is not on a page; its row still counts shipped commits.
      db
        .prepare(
          `SELECT deploy_id AS deployId, env, service, finished_at AS finishedAt, status, first_at AS firstAt,
             last_at AS lastAt, carried, listed, first_any AS firstAny, first_env AS firstEnv, incidents, weight,
             failed_link AS failedLink
           FROM impact_deploys WHERE ident = 'a:claude' AND repo_id = 0 AND listed = 0`,
        )
        .all() as ImpactSummary[],
    )
    .find((s) => s.deployId === deployId);
}

/** Every stored summary of claude equals the one computed from rows, and nothing is left to recompute. */
function expectExact(db: Db): void {
  expect(staleSummaryDeploys(db)).toEqual([]);
  const ids = (db.prepare('SELECT id FROM deploys ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const fromRows = summariesFromRows(db, ids, ALL).sort((a, b) => a.deployId - b.deployId);
  expect(ids.map((id) => stored(db, id)).filter((s) => s !== undefined)).toEqual(fromRows);
}

describe('impact summaries (migration 0016)', () => {
  it('a deploy stored out of order takes over the first shipment of a later deploy of its env', () => {
    const { db, commit, deploy } = setup();
    commit('c1', 100);
    const later = deploy(2000, ['c1']);
    expect(stored(db, later)).toMatchObject({ listed: 1, firstAny: 1, firstEnv: 1 });
    const earlier = deploy(1000, ['c1']);
    expect(stored(db, later)).toMatchObject({ carried: 1, listed: 0, firstAny: 0, firstEnv: 0 });
    expect(stored(db, earlier)).toMatchObject({ listed: 1, firstAny: 1, firstEnv: 1 });
    // Another env ships it first there, but it is not the first deploy to carry it anywhere.
    const staging = deploy(3000, ['c1'], 'staging');
    expect(stored(db, staging)).toMatchObject({ listed: 1, firstAny: 0, firstEnv: 1 });
    expectExact(db);
  });

  it('a link written after the deploy weighs it and counts the incident as mine', () => {
    const { db, commit, deploy, incident, link } = setup();
    commit('c1', 100);
    const d = deploy(1000, ['c1']);
    const inc = insertIncident(db, incident(2000), 1);
    expect(stored(db, d)).toMatchObject({ incidents: 0, weight: 0, failedLink: 0 });
    link(inc, 'c1', 0.8);
    expect(stored(db, d)).toMatchObject({ incidents: 1, weight: 0.8, failedLink: 1 });
    expect(linkedIncidentIds(db, CLAUDE, 0, 5000)).toEqual([inc]);
    link(inc, 'c1', 0.35); // shown, but no longer failure-grade
    expect(stored(db, d)).toMatchObject({ incidents: 1, weight: 0.35, failedLink: 0 });
    expect(linkedIncidentIds(db, CLAUDE, 0, 5000)).toEqual([]);
    expectExact(db);
  });

  it('a link no answer shows marks nothing; one that stops being shown still reaches the summary (0019)', () => {
    const { db, commit, deploy, incident, link } = setup();
    commit('c1', 100);
    const d = deploy(1000, ['c1']);
    const inc = insertIncident(db, incident(2000), 1);
    link(inc, 'c1', 0.8);
    link(inc, 'c1', 0.1); // shown → not shown: the deletion of the shown link marks the deploy
    expect(stored(db, d)).toMatchObject({ incidents: 0, weight: 0, failedLink: 0 });
    const weak = (score: number) => ({
      kind: 'commit' as const,
      target: 'c1',
      score,
      status: 'suspect' as const,
      method: 'heuristic' as const,
      evidence: { reasons: [] },
    });
    replaceLinks(db, inc, [weak(0.2)], 2); // not shown → not shown, as a re-attribution rewrites it
    db.prepare('UPDATE incident_links SET score = 0.25 WHERE incident_id = ?').run(inc);
    expect(db.prepare('SELECT count(*) FROM impact_dirty').pluck().get()).toBe(0);
    db.prepare("UPDATE incident_links SET status = 'confirmed' WHERE incident_id = ?").run(inc); // shown again
    refreshImpactSummaries(db);
    expect(stored(db, d)).toMatchObject({ incidents: 1, weight: 2.25, failedLink: 1 });
    expectExact(db);
  });

  it("an incident moved in time or env moves in or out of a deploy's incidents", () => {
    const { db, commit, deploy, incident, link } = setup();
    commit('c1', 100);
    const d = deploy(1000, ['c1']);
    const inc = insertIncident(db, incident(500), 1); // began before the deploy: not after it
    link(inc, 'c1', 0.9);
    expect(stored(db, d)).toMatchObject({ incidents: 0, failedLink: 0 });
    updateIncident(db, inc, { ...incident(500), startedAt: 1500 }, 2);
    expect(stored(db, d)).toMatchObject({ incidents: 1, weight: 0.9, failedLink: 1 });
    updateIncident(db, inc, { ...incident(500), startedAt: 1500, env: 'staging' }, 3);
    expect(stored(db, d)).toMatchObject({ incidents: 0, failedLink: 0 });
    expectExact(db);
  });

  it("a deploy's status change reaches its summary and the first shipments of its env", () => {
    const { db, commit, deploy } = setup();
    commit('c1', 100);
    const first = deploy(1000, ['c1']);
    const again = deploy(2000, ['c1']);
    expect(stored(db, again)).toMatchObject({ listed: 0 });
    // Rolled back by a later deploy (the writer sets the status of the earlier one).
    const back = deploy(3000, ['c1'], 'production', [first]);
    expect(stored(db, first)).toMatchObject({ status: 'rolled_back', listed: 1 });
    expect(stored(db, back)).toMatchObject({ listed: 0 });
    // A failed deploy shipped nothing: the next one ships the commit first. Any writer's change is marked at once,
    // and answers recompute marked deploys from rows until a writer refreshes them.
    db.prepare("UPDATE deploys SET status = 'failure' WHERE id = ?").run(first);
    expect(staleSummaryDeploys(db).sort()).toEqual([first, again, back].sort());
    refreshImpactSummaries(db);
    expect(stored(db, first)).toMatchObject({ status: 'failure', listed: 1 });
    expect(stored(db, again)).toMatchObject({ listed: 1 });
    expectExact(db);
  });

  it('commits ingested after a deploy named them, and their reverts, join the summaries', () => {
    const { db, commit, deploy } = setup();
    const d = deploy(1000, ['c1', 'c2']);
    expect(stored(db, d)).toBeUndefined(); // no commit stored yet: nobody's
    commit('r1', 300, { revertsSha: 'c1', agent: 'codex' }); // the revert arrives before the commit it reverts
    commit('c1', 100);
    expect(stored(db, d)).toMatchObject({ carried: 1, listed: 1, firstAt: 100, lastAt: 100 });
    commit('c2', 200);
    expect(stored(db, d)).toMatchObject({ carried: 2, listed: 2, firstAt: 100, lastAt: 200 });
    expect(revertsOfIdentity(db, CLAUDE, 0, 5000)).toEqual([
      { sha: 'c1', committedAt: 100, revertedBy: 'r1', at: 300 },
    ]);
    expectExact(db);
  });
});
