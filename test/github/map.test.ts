import { describe, expect, it } from 'vitest';
import { closedIssues, deployOutcome, envName, issueSchema, issueToIncidentRow } from '../../src/github/map.js';
import { checkIncidentRow } from '../../src/ingest/incident-row.js';

const status = (state: string, at = '2026-01-02T10:00:00Z') => ({ id: 1, state, created_at: Date.parse(at) });

describe('GitHub shapes → rows', () => {
  it('maps deployment statuses: success, failure/error, superseded success, still running, never finished', () => {
    expect(deployOutcome([status('success')])).toMatchObject({ kind: 'final', status: 'success' });
    expect(deployOutcome([status('error')])).toMatchObject({ kind: 'final', status: 'failure' });
    expect(deployOutcome([status('failure')])).toMatchObject({ kind: 'final', status: 'failure' });
    // newest first: superseded after it succeeded → it shipped
    expect(deployOutcome([status('inactive', '2026-01-03T00:00:00Z'), status('success')])).toEqual({
      kind: 'final',
      status: 'success',
      at: Date.parse('2026-01-02T10:00:00Z'),
    });
    expect(deployOutcome([status('in_progress'), status('queued')])).toEqual({
      kind: 'pending',
      why: 'still in_progress',
    });
    expect(deployOutcome([])).toMatchObject({ kind: 'pending' });
    expect(deployOutcome([status('inactive'), status('in_progress')])).toMatchObject({ kind: 'never' });
    expect(envName('Production EU')).toBe('Production-EU');
  });

  it('reads the issues a pull request closes, with every GitHub closing keyword, in this repository only', () => {
    const body = 'Fixes #12, closes acme/shop#13 and Resolved: #14. Refs #15. fixes other/repo#16. fix #12';
    expect(closedIssues('acme/shop', body)).toEqual([12, 13, 14]);
    expect(closedIssues('acme/shop', null)).toEqual([]);
  });

  it('turns an incident issue into an import row that the incident schema accepts', () => {
    const issue = issueSchema.parse({
      number: 9,
      title: 'Login loop',
      body: 'Root-cause: `abc1234def`\n```\nTraceback:\n  File "app/auth/session.py", line 41, in refresh\n```\nsee package.json',
      state: 'open',
      created_at: '2026-02-01T10:00:00Z',
      updated_at: '2026-02-01T11:00:00Z',
      closed_at: null,
      html_url: 'https://github.com/acme/shop/issues/9',
      labels: ['incident', { name: 'P2' }, { name: 'module/auth' }],
    });
    const row = issueToIncidentRow('acme/shop', issue, 'production');
    expect(row).toMatchObject({
      id: 'acme/shop#9',
      source: 'github',
      status: 'open',
      severity: 'P2',
      module: 'auth',
      root_cause_sha: 'abc1234def',
      stack_frames: ['File "app/auth/session.py", line 41, in refresh'],
      resolved_at: undefined,
    });
    const check = checkIncidentRow(row);
    expect(check.ok).toBe(true);
  });
});
