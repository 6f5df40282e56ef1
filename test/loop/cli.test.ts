import { describe, expect, it } from 'vitest';
import { runCli } from '../e2e/cli.js';
import { NOW, fixRows, git, logRecurring, repoWithRemote, userState } from './setup.js';

// The built binary, as the weekly workflow runs it.

const NO_TOKENS = { GITHUB_TOKEN: '', GH_TOKEN: '', GH_ENTERPRISE_TOKEN: '', GITHUB_ENTERPRISE_TOKEN: '' };

describe('hindsight loop (CLI)', () => {
  it('--dry-run prints the PR it would open, the file and the body, and changes nothing', () => {
    const s = repoWithRemote();
    logRecurring(s.ctx);
    const db = s.ctx.config.dbPath;
    s.ctx.store.close();
    const before = { user: userState(s.work), remote: git(s.bare, 'for-each-ref') };
    const env = { ...NO_TOKENS, HINDSIGHT_NOW: new Date(NOW).toISOString() };

    const res = runCli(['--db', db, '--repo', s.work.path, 'loop', '--dry-run', '--repo-slug', 'acme/shop'], {
      cwd: s.work.path,
      env,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /^hindsight loop --dry-run: the plan — nothing was committed, pushed, opened or recorded/,
    );
    expect(res.stdout).toMatch(/repository acme\/shop, base main \([0-9a-f]{12}\), remote origin/);
    expect(res.stdout).toMatch(
      /1\. cluster #\d+ "gateway, idempotency, key, retry" \(missing_context, payments\): 3 entries → adr\n {3}would open a draft PR: docs\(adr\): decide on gateway/,
    );
    expect(res.stdout).toContain('branch hindsight/adr-payments-gateway-idempotency-key-retry');
    expect(res.stdout).toContain('── docs/adr/0002-decide-on-gateway-idempotency-key-retry-payments.md (created)');
    expect(res.stdout).toMatch(/── pull request body\n {3}│ <!-- hindsight-loop cluster:\d+ -->\n {3}│ ## Why/);

    const json = runCli(['--db', db, '--repo', s.work.path, 'loop', '--dry-run', '--json', '--max-fixes', '2'], {
      cwd: s.work.path,
      env,
    });
    const parsed = JSON.parse(json.stdout) as { dryRun: boolean; items: { action: string; type: string }[] };
    expect(parsed.items.map((i) => [i.action, i.type])).toEqual([
      ['would_open', 'adr'],
      ['would_open', 'rule'],
    ]);
    expect(userState(s.work)).toEqual(before.user);
    expect(git(s.bare, 'for-each-ref')).toBe(before.remote);
  });

  it('a real run without a token exits 2 before pushing anything; bad numbers name the flag', () => {
    const s = repoWithRemote();
    logRecurring(s.ctx);
    const db = s.ctx.config.dbPath;
    const before = git(s.bare, 'for-each-ref');
    const args = ['--db', db, '--repo', s.work.path, 'loop', '--repo-slug', 'acme/shop'];
    // An Enterprise host nobody is logged in to: neither the environment nor `gh` has a token for it.
    const res = runCli([...args, '--base-url', 'http://127.0.0.1:9/api/v3'], { cwd: s.work.path, env: NO_TOKENS });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^hindsight: no GitHub token for 127\.0\.0\.1:9, so no pull request can be opened/);
    expect(git(s.bare, 'for-each-ref')).toBe(before);
    expect(fixRows(s.ctx)).toEqual([]);

    const bad = runCli([...args, '--max-fixes', '0'], { cwd: s.work.path, env: NO_TOKENS });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-fixes '0' must be a whole number of at least 1/);
  });
});
