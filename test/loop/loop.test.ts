import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, type GithubClient } from '../../src/github/client.js';
import { runLoop, type LoopOptions } from '../../src/loop/run.js';
import { computeKpis } from '../../src/triage/kpis.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { startGithubDouble, type GithubDouble } from '../helpers/github-double.js';
import {
  NOW,
  at,
  dirty,
  fixRows,
  git,
  logAnotherIdempotencyQuestion,
  logRecurring,
  repoWithRemote,
  userState,
} from './setup.js';

const DAY = 86_400_000;
const BRANCH = 'hindsight/adr-payments-gateway-idempotency-key-retry';

let gh: GithubDouble;
let doubles: GithubDouble[] = [];
let client: GithubClient;

async function double(remote: string): Promise<{ gh: GithubDouble; client: GithubClient }> {
  const d = await startGithubDouble({ remote });
  doubles.push(d);
  return { gh: d, client: await createGithubClient({ token: d.token, baseUrl: d.baseUrl, retryAfterBaseMs: 1 }) };
}

afterAll(async () => {
  for (const d of doubles) {
    expect(d.violations).toEqual([]);
    await d.close();
  }
  doubles = [];
});

const writes = (d: GithubDouble) => d.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

describe('hindsight loop against a bare remote and the GitHub double', () => {
  let s: ReturnType<typeof repoWithRemote>;
  let logged: ReturnType<typeof logRecurring>;
  let options: LoopOptions;

  beforeAll(async () => {
    s = repoWithRemote();
    logged = logRecurring(s.ctx);
    ({ gh, client } = await double(s.bare));
    options = { repoSlug: 'acme/shop', connect: async () => client };
    dirty(s.work);
  });

  it('opens one draft PR for the most recurring cluster: branch and commit pushed, fix recorded, clone untouched', async () => {
    const before = userState(s.work);
    const mainBefore = git(s.bare, 'rev-parse', 'refs/heads/main');
    const res = await runLoop(s.ctx, options);

    expect(res.items).toHaveLength(1);
    const [item] = res.items;
    expect(item).toMatchObject({ action: 'opened', type: 'adr', branch: BRANCH, pushed: true });
    expect(item!.title).toBe('docs(adr): decide on gateway, idempotency, key, retry (payments)');
    expect(item!.files.map((f) => [f.path, f.action])).toEqual([
      ['docs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md', 'created'],
    ]);

    // The remote: the branch holds one commit on top of main, with the conventional message and the ADR only.
    expect(git(s.bare, 'rev-parse', `${BRANCH}^`)).toBe(mainBefore);
    expect(git(s.bare, 'rev-parse', 'refs/heads/main')).toBe(mainBefore);
    expect(git(s.bare, 'log', '-1', '--format=%s', BRANCH)).toBe(item!.title);
    expect(git(s.bare, 'log', '-1', '--format=%b', BRANCH)).toMatch(
      /Cluster #\d+ "[^"]+" \(missing_context, payments\)/,
    );
    expect(git(s.bare, 'show', '--name-status', '--format=', BRANCH)).toBe(
      'A\tdocs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md',
    );
    const adr = git(s.bare, 'show', `${BRANCH}:docs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md`);
    expect(adr).toMatch(/^---\nstatus: proposed\ndate: 2026-03-08\n---/);
    expect(adr).toContain(`Correction #${logged.idempotency[1]} (2026-03-04)`);
    expect(git(s.bare, 'rev-parse', BRANCH)).toBe(item!.commit);

    // GitHub: exactly one draft PR from the branch into main, its body listing the evidence and the KPIs.
    expect(writes(gh)).toEqual(['POST /repos/acme/shop/pulls']);
    const [pr] = gh.pulls();
    expect(pr).toMatchObject({ draft: true, headRef: BRANCH, baseRef: 'main', title: item!.title });
    expect(pr!.body).toContain(`Interrupt #${logged.idempotency[0]} (2026-03-03)`);
    expect(pr!.body).toMatch(/3 interrupts and corrections in the last 7 days/);
    expect(pr!.body).toContain('`docs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md` (created)');
    expect(pr!.body).toMatch(/\*\*Context Coverage Score\*\* \(higher is better\): 0% now \(0 of 2 recurring clusters/);
    expect(pr!.body).toMatch(/\*\*Interrupt Rate\*\*/);
    expect(pr!.body).toMatch(/\*\*Feedback-to-Demo cycle time\*\*/);

    // The database: the fix, open, with its PR and branch, covering the cluster and its entries.
    const fixes = fixRows(s.ctx);
    expect(fixes).toHaveLength(1);
    expect(fixes[0]).toMatchObject({
      type: 'adr',
      status: 'open_pr',
      pr_number: pr!.number,
      pr_url: `https://github.com/acme/shop/pull/${pr!.number}`,
      branch: BRANCH,
      cluster_id: logged.clusterOf(logged.idempotency[0]!),
      path: 'docs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md',
    });
    expect(JSON.parse(fixes[0]!.evidence)).toMatchObject({ commit: item!.commit, entries: 3 });
    const covered = s.ctx.store
      .prepare('SELECT fix_id FROM clusters WHERE id = ?')
      .get(logged.clusterOf(logged.idempotency[0]!)) as { fix_id: number };
    expect(covered.fix_id).toBe(fixes[0]!.id);

    // The user's clone: same HEAD and branches, the uncommitted edits still there, no worktree left behind.
    expect(userState(s.work)).toEqual(before);
  });

  it('a second run updates the same PR and force-pushes the branch with fresh evidence; a third changes nothing', async () => {
    const firstCommit = git(s.bare, 'rev-parse', BRANCH);
    logAnotherIdempotencyQuestion(s.ctx, '2026-03-09T09:00:00Z');
    const later = NOW + DAY;
    const second = await runLoop(s.ctx, { ...options, now: later });

    expect(second.items.map((i) => [i.action, i.branch, i.pushed])).toEqual([['updated', BRANCH, true]]);
    expect(gh.pulls()).toHaveLength(1);
    expect(writes(gh)).toEqual([
      'POST /repos/acme/shop/pulls',
      `PATCH /repos/acme/shop/pulls/${gh.pulls()[0]!.number}`,
    ]);
    expect(gh.pulls()[0]!.body).toMatch(/4 interrupts and corrections in the last 7 days/);
    // Rewritten, not stacked: one commit on top of main, replacing the first.
    const head = git(s.bare, 'rev-parse', BRANCH);
    expect(head).not.toBe(firstCommit);
    expect(git(s.bare, 'rev-parse', `${BRANCH}^`)).toBe(git(s.bare, 'rev-parse', 'refs/heads/main'));
    expect(git(s.bare, 'show', `${BRANCH}:docs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md`)).toMatch(
      /4 interrupts and corrections/,
    );
    expect(fixRows(s.ctx)).toHaveLength(1);
    expect(JSON.parse(fixRows(s.ctx)[0]!.evidence)).toMatchObject({ commit: head, entries: 4 });

    const third = await runLoop(s.ctx, { ...options, now: later });
    expect(third.items.map((i) => [i.action, i.pushed, i.commit])).toEqual([['updated', false, head]]);
    expect(git(s.bare, 'rev-parse', BRANCH)).toBe(head);
    expect(gh.pulls()).toHaveLength(1);
  });

  it('leaves the branch alone when someone else pushed to it', async () => {
    const other = join(tempDir(), 'human');
    git(s.work.path, 'clone', '-q', s.bare, other);
    git(other, 'checkout', '-q', BRANCH);
    git(
      other,
      '-c',
      'user.name=Grace',
      '-c',
      'user.email=grace@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'docs: finish the decision',
    );
    git(other, 'push', '-q', 'origin', BRANCH);
    const humanHead = git(s.bare, 'rev-parse', BRANCH);
    const patches = writes(gh).length;

    logAnotherIdempotencyQuestion(s.ctx, '2026-03-09T15:00:00Z');
    const res = await runLoop(s.ctx, { ...options, now: NOW + 2 * DAY });
    expect(res.items).toHaveLength(1); // handled: the next cluster waits for the next run
    expect(res.items[0]).toMatchObject({ action: 'left_alone', branch: BRANCH });
    expect(res.items[0]!.note).toMatch(/has commits the loop did not make/);
    expect(git(s.bare, 'rev-parse', BRANCH)).toBe(humanHead);
    expect(writes(gh)).toHaveLength(patches);
  });

  it('a PR merged on GitHub is noticed by the next run: fix merged, Feedback-to-Demo computable, next cluster gets its PR', async () => {
    const pr = gh.pulls()[0]!;
    const mergedAt = '2026-03-10T12:00:00Z';
    Object.assign(pr, { state: 'closed', mergedAt, mergeSha: 'a'.repeat(40) });

    const res = await runLoop(s.ctx, { ...options, now: at('2026-03-11T12:00:00Z') });
    expect(res.settled).toEqual([{ fixId: fixRows(s.ctx)[0]!.id, status: 'merged', prNumber: pr.number }]);
    const fixes = fixRows(s.ctx);
    expect(fixes[0]).toMatchObject({ status: 'merged', merged_at: at(mergedAt) });
    // Feedback-to-Demo: the correction of Mar 4 10:00 → the merge on Mar 10 12:00.
    const kpis = computeKpis(s.ctx.store, at('2026-03-04T00:00:00Z'), at('2026-03-11T00:00:00Z'));
    expect(kpis.feedbackToDemoMedianMs).toBe(at(mergedAt) - at('2026-03-04T10:00:00Z'));

    // One fix per run: the migrations cluster (a policy gap) now gets its rule.
    expect(res.items.map((i) => [i.action, i.type, i.branch, i.title])).toEqual([
      [
        'opened',
        'rule',
        'hindsight/rule-migrations-approval-migration-production',
        'chore(rules): approval, migration, production in migrations',
      ],
    ]);
    expect(git(s.bare, 'show', '--name-status', '--format=', res.items[0]!.branch)).toBe('M\tAGENTS.md');
    expect(git(s.bare, 'show', `${res.items[0]!.branch}:AGENTS.md`)).toMatch(
      /^# Agents\n\nRun `npm test` before you push\.\n\n## Rules from hindsight\n\n- Changes about approval, migration, production in migrations MUST/,
    );
    expect(gh.pulls().filter((p) => (p.state ?? 'open') === 'open')).toHaveLength(1);
    expect(fixes[1]).toMatchObject({ type: 'rule', status: 'open_pr', path: 'AGENTS.md' });
  });
});

describe('from a bare repository (--repo pointing at a mirror)', () => {
  it('opens the PR just the same: the base is checked out in a temporary folder', async () => {
    const s = repoWithRemote();
    const mirror = join(tempDir(), 'mirror.git');
    git(s.work.path, 'clone', '-q', '--bare', s.bare, mirror);
    const ctx = testContext(mirror, { now: NOW });
    logRecurring(ctx);
    const { gh: d, client: c } = await double(s.bare);
    const res = await runLoop(ctx, { repoSlug: 'acme/shop', connect: async () => c });
    expect(res.items.map((i) => [i.action, i.branch])).toEqual([['opened', BRANCH]]);
    expect(git(s.bare, 'log', '-1', '--format=%s', BRANCH)).toBe(res.items[0]!.title);
    expect(d.pulls()).toHaveLength(1);
    expect(git(mirror, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
  });
});

describe('--dry-run', () => {
  it('prints the PR it would open with the files, and changes nothing anywhere', async () => {
    const s = repoWithRemote();
    logRecurring(s.ctx);
    // main already has an ADR on the subject (agents do not read it): numbering follows it, the body points at it.
    s.work.commit({
      files: {
        'docs/adr/0002-idempotency-keys-for-gateway-retries.md':
          '---\nstatus: accepted\n---\n\n# Idempotency keys for gateway retries\n\nEvery charge retry reuses the key of its first attempt.\n',
      },
      message: 'docs(adr): idempotency keys',
    });
    s.work.git('push', '-q', 'origin', 'main');
    dirty(s.work);
    const { gh: d } = await double(s.bare);
    const before = { user: userState(s.work), remote: git(s.bare, 'for-each-ref') };
    const res = await runLoop(s.ctx, { dryRun: true, repoSlug: 'acme/shop', maxFixes: 2 });

    expect(res.items.map((i) => [i.action, i.type, i.branch, i.commit])).toEqual([
      ['would_open', 'adr', BRANCH, null],
      ['would_open', 'rule', 'hindsight/rule-migrations-approval-migration-production', null],
    ]);
    expect(res.items[0]!.files[0]).toMatchObject({
      path: 'docs/adr/0003-decide-on-gateway-idempotency-key-retry-payments.md',
      action: 'created',
    });
    expect(res.items[0]!.body).toContain(
      '> ADR-0002 (`docs/adr/0002-idempotency-keys-for-gateway-retries.md`) already seems to answer this',
    );
    expect(res.items[0]!.files[0]!.content).toMatch(/# Decide on gateway, idempotency, key, retry \(payments\)/);
    expect(res.items[1]!.files[0]).toMatchObject({ path: 'AGENTS.md', action: 'appended' });
    expect(res.items[0]!.body).toMatch(/## Evidence[\s\S]*## KPIs it should move/);
    expect(d.requests).toEqual([]);
    expect(fixRows(s.ctx)).toEqual([]);
    expect(userState(s.work)).toEqual(before.user);
    expect(git(s.bare, 'for-each-ref')).toBe(before.remote);
  });

  it('works on a clone without a remote (the demo), saying what a real run needs', async () => {
    const s = repoWithRemote();
    s.work.git('remote', 'remove', 'origin');
    logRecurring(s.ctx);
    const res = await runLoop(s.ctx, { dryRun: true });
    expect(res.repo).toBeNull();
    expect(res.items.map((i) => i.action)).toEqual(['would_open']);
    expect(res.notes.join('\n')).toMatch(/has no remote.*git remote add origin/);
  });
});
