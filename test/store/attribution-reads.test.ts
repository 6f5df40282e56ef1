import { describe, expect, it } from 'vitest';
import { commitsBy, revertsOfShas } from '../../src/store/commit-facts.js';
import { insertCommit } from '../../src/store/commits.js';
import { incidentCardsByExternalId, incidentCardsByTitle } from '../../src/store/incident-lookup.js';
import { insertIncident, type IncidentFields } from '../../src/store/incidents.js';
import {
  commitLinkEvidence,
  commitLinksTo,
  incidentLinks,
  markPendingTogether,
  pendingIncidents,
  replaceLinks,
} from '../../src/store/links.js';
import { openStore } from '../../src/store/open.js';
import { testDbTarget } from '../helpers/context.js';
import { newCommit } from '../helpers/new-commit.js';
import { newIncident } from '../helpers/new-incident.js';
import { ensureRepo } from '../../src/store/repos.js';

const DAY = 86_400_000;

function incident(external: string, title: string, startedAt: number, env = 'production'): IncidentFields {
  return newIncident(external, startedAt, { title, env });
}

const sha = (c: string) => c.repeat(40);

describe('the link reads answers make', () => {
  it('lists an incident’s links without the rejected ones, confirmed first, with their evidence parsed', () => {
    const db = openStore(testDbTarget());
    const id = insertIncident(db, incident('INC-1', 'timeouts', 10 * DAY), 0);
    const link = (target: string, score: number, status: string) => ({
      kind: 'commit' as const,
      target,
      score,
      status,
      method: 'heuristic',
      evidence: { reasons: [`why ${target.slice(0, 1)}`], factors: {} },
    });
    replaceLinks(
      db,
      id,
      [link(sha('a'), 0.9, 'suspect'), link(sha('b'), 0.4, 'confirmed'), link(sha('c'), 0.2, 'rejected')],
      0,
    );
    expect(incidentLinks(db, id).map((l) => [l.target.slice(0, 1), l.status, l.evidence.reasons[0]])).toEqual([
      ['b', 'confirmed', 'why b'],
      ['a', 'suspect', 'why a'],
    ]);
    // Weak links are left out unless confirmed; rejected ones always.
    expect(
      commitLinksTo(db, [sha('a'), sha('b'), sha('c')], 0.5)
        .map((l) => l.target.slice(0, 1))
        .sort(),
    ).toEqual(['a', 'b']);
    expect(commitLinkEvidence(db, id, sha('a'))).toEqual({ reasons: ['why a'], factors: {} });
    expect(commitLinkEvidence(db, id, sha('d'))).toBeUndefined();
  });

  it('marks every kind of change pending at once, each in its own scope', () => {
    const db = openStore(testDbTarget());
    const a = insertIncident(db, incident('INC-1', 'old', 1 * DAY), 0);
    const b = insertIncident(db, incident('INC-2', 'staging', 5 * DAY, 'staging'), 0);
    const c = insertIncident(db, incident('INC-3', 'recent', 9 * DAY), 0);
    for (const id of [a, b, c]) replaceLinks(db, id, [], 0);
    expect(pendingIncidents(db)).toEqual([]);
    markPendingTogether(db, { ids: [a], startedFrom: [{ from: 4 * DAY, env: 'production' }] });
    expect(pendingIncidents(db).sort()).toEqual([a, c]);
    markPendingTogether(db, { all: true });
    expect(pendingIncidents(db).sort()).toEqual([a, b, c]);
  });
});

describe('finding incidents and commits by what a caller typed', () => {
  it('matches an external id in any case, and title words literally (LIKE wildcards are not wildcards)', () => {
    const db = openStore(testDbTarget());
    insertIncident(db, incident('INC-7', '100% CPU on the payments host', 1 * DAY), 0);
    insertIncident(db, incident('INC-8', '100 CPUs added', 2 * DAY), 0);
    expect(incidentCardsByExternalId(db, 'inc-7').map((r) => r.externalId)).toEqual(['INC-7']);
    expect(incidentCardsByTitle(db, '100%', 6).map((r) => r.externalId)).toEqual(['INC-7']);
    expect(incidentCardsByTitle(db, 'CPU_', 6)).toEqual([]);
    expect(incidentCardsByTitle(db, 'CPU', 6).map((r) => r.externalId)).toEqual(['INC-8', 'INC-7']);
  });

  it('finds an author’s commits by email in any case, within the window, newest first; and their reverts', () => {
    const db = openStore(testDbTarget());
    const repo = ensureRepo(db, '/tmp/hindsight-store-test-repo');
    insertCommit(db, newCommit(repo, sha('a'), { committedAt: 1000 }));
    insertCommit(db, newCommit(repo, sha('b'), { committedAt: 2000 }));
    insertCommit(db, newCommit(repo, sha('c'), { committedAt: 9000 }));
    insertCommit(
      db,
      newCommit(repo, sha('d'), { committedAt: 3000, authorEmail: 'bob@example.com', revertsSha: sha('a') }),
    );
    const mine = commitsBy(
      db,
      { kind: 'email', value: 'ada@example.COM' },
      { since: 0, until: 5000, repoId: null, limit: 10 },
    );
    expect(mine.map((c) => c.sha.slice(0, 1))).toEqual(['b', 'a']);
    expect(
      commitsBy(db, { kind: 'name', value: 'ADA LOVELACE' }, { since: 0, until: 99_999, repoId: repo, limit: 2 }),
    ).toHaveLength(2);
    expect(revertsOfShas(db, [sha('a'), sha('b')])).toEqual([{ sha: sha('a'), revertedBy: sha('d'), at: 3000 }]);
  });
});
