import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, type GithubClient } from '../../src/github/client.js';
import { ingestGithub } from '../../src/github/ingest.js';
import { markFixMerged, markFixRejected, reconcileFromIngest } from '../../src/loop/merged.js';
import { runLoop } from '../../src/loop/run.js';
import { triageReport } from '../../src/triage/report.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import { NOW, at, fixRows, git, logRecurring, repoWithRemote } from './setup.js';

// Merge handling: the webhook calls markFixMerged for a merged hindsight/* PR; an ingest of PRs stores it and the
// next run settles it. Either way the fix is merged, its cluster covered, and Feedback-to-Demo visible.

let gh: GithubDouble;
let client: GithubClient;
afterAll(async () => {
  expect(gh.violations).toEqual([]);
  await gh.close();
});

describe('merge handling', () => {
  let s: ReturnType<typeof repoWithRemote>;
  let logged: ReturnType<typeof logRecurring>;

  beforeAll(async () => {
    s = repoWithRemote();
    logged = logRecurring(s.ctx);
    gh = await startGithubDouble({ remote: s.bare });
    client = await createGithubClient({ token: gh.token, baseUrl: gh.baseUrl, retryAfterBaseMs: 1 });
    // Every cluster gets its PR: an ADR (missing context) and a rule (policy gap), conventional messages each.
    const res = await runLoop(s.ctx, { repoSlug: 'acme/shop', maxFixes: 3, connect: async () => client });
    expect(res.items.map((i) => [i.action, i.title.split(':')[0]])).toEqual([
      ['opened', 'docs(adr)'],
      ['opened', 'chore(rules)'],
    ]);
  });

  it('a merged webhook marks the fix merged (once), keeps the cluster covered, and Feedback-to-Demo shows in the report', () => {
    const [adr] = fixRows(s.ctx);
    const mergedAt = at('2026-03-09T12:00:00Z');
    expect(markFixMerged(s.ctx, { branch: adr!.branch!, prNumber: adr!.pr_number!, mergedAt })).toEqual({
      fixId: adr!.id,
      clusterId: adr!.cluster_id,
      changed: true,
    });
    // Replayed delivery, or the `closed` event GitHub also sends for a merge: nothing changes.
    expect(markFixMerged(s.ctx, { branch: adr!.branch!, mergedAt: mergedAt + 1 })?.changed).toBe(false);
    expect(markFixRejected(s.ctx, { prNumber: adr!.pr_number!, closedAt: mergedAt })?.changed).toBe(false);
    expect(fixRows(s.ctx)[0]).toMatchObject({ status: 'merged', merged_at: mergedAt });
    // Not a loop branch, or an unknown PR: not ours.
    expect(markFixMerged(s.ctx, { branch: 'feature/x', prNumber: adr!.pr_number!, mergedAt })).toBeUndefined();
    expect(markFixMerged(s.ctx, { prNumber: 999, mergedAt })).toBeUndefined();

    const report = triageReport(s.ctx, { since: NOW - 7 * 86_400_000 + 1, until: at('2026-03-10T00:00:00Z') });
    const f2d = report.kpis.find((k) => k.name === 'feedbackToDemo')!;
    // The idempotency correction (Mar 4 10:00) → merged Mar 9 12:00.
    expect(f2d.current).toBe(mergedAt - at('2026-03-04T10:00:00Z'));
    expect(report.fixes.shipped.map((f) => f.id)).toEqual([adr!.id]);
    const cluster = s.ctx.store.prepare('SELECT fix_id FROM clusters WHERE id = ?').get(adr!.cluster_id) as {
      fix_id: number;
    };
    expect(cluster.fix_id).toBe(adr!.id);
    // A merged fix's cluster is no longer a candidate: the next run opens or updates nothing for it.
    expect(logged.clusterOf(logged.idempotency[0]!)).toBe(adr!.cluster_id);
  });

  it('an ingest of a PR closed unmerged marks its fix rejected as it lands, and the loop never reopens it', async () => {
    const rule = fixRows(s.ctx)[1]!;
    const pr = gh.pulls().find((p) => p.number === rule.pr_number)!;
    Object.assign(pr, { state: 'closed', closedAt: '2026-03-09T15:00:00Z', updatedAt: '2026-03-09T15:00:00Z' });

    await ingestGithub(s.ctx, client, { repo: 'acme/shop', incidentLabel: 'incident' });
    expect(fixRows(s.ctx)[1]).toMatchObject({ status: 'rejected', merged_at: null });
    // already settled by the ingest itself: the reconcile pass before a loop run finds nothing left
    expect(reconcileFromIngest(s.ctx, 'acme/shop')).toEqual([]);

    const before = git(s.bare, 'for-each-ref');
    const res = await runLoop(s.ctx, { repoSlug: 'acme/shop', connect: async () => client });
    expect(res.items).toEqual([]);
    expect(git(s.bare, 'for-each-ref')).toBe(before);
    expect(gh.pulls()).toHaveLength(2);
  });
});
