import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildScenario, type Scenario } from '../../src/demo/scenario.js';
import { gitEnv } from '../../src/demo/scenario-git.js';
import { UserInputError } from '../../src/errors.js';
import { tempDir } from '../helpers/gitdir.js';

interface IncidentRow {
  id: string;
  title: string;
  severity: string;
  started_at: string;
  resolved_at: string;
  env: string;
  module?: string;
  files: string[];
  stack_frames: string[];
  fix_sha?: string;
  root_cause_sha?: string;
}

const ALLOWED_FIELDS = new Set([
  'id',
  'title',
  'severity',
  'started_at',
  'resolved_at',
  'env',
  'service',
  'module',
  'files',
  'stack_frames',
  'fix_sha',
  'root_cause_sha',
  'url',
  'summary',
]);
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let a: Scenario;
let b: Scenario;
let incidents: IncidentRow[];
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: a.repoPath, env: gitEnv(), encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
const ms = (isoDate: string) => Date.parse(isoDate);
const isAncestor = (older: string, newer: string) => {
  try {
    git('merge-base', '--is-ancestor', older, newer);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  a = await buildScenario(tempDir('hindsight-demo-a-'));
  b = await buildScenario(tempDir('hindsight-demo-b-'));
  incidents = JSON.parse(readFileSync(a.incidentsFile, 'utf8')) as IncidentRow[];
});

describe('buildScenario determinism', () => {
  it('gives the same shas, deploys, incidents and post-mortems in two folders', () => {
    const head = (s: Scenario) =>
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: s.repoPath, env: gitEnv(), encoding: 'utf8' }).trim();
    expect(head(a)).toMatch(/^[0-9a-f]{40}$/);
    expect(head(b)).toBe(head(a));
    expect(readFileSync(b.incidentsFile)).toEqual(readFileSync(a.incidentsFile));
    expect(b.deploys).toEqual(a.deploys);
    expect(b.expected).toEqual(a.expected);
    expect(b.now).toBe(a.now);
    const pms = (s: Scenario) =>
      readdirSync(s.postmortemsDir).map((f) => readFileSync(join(s.postmortemsDir, f), 'utf8'));
    expect(pms(b)).toEqual(pms(a));
  });

  it('refuses a folder that is not empty, naming the field', async () => {
    const dir = tempDir('hindsight-demo-busy-');
    writeFileSync(join(dir, 'x.txt'), 'x');
    const err = await buildScenario(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).field).toBe('dir');
    expect(await buildScenario(join(dir, 'missing')).catch((e: unknown) => e)).toBeInstanceOf(UserInputError);
  });
});

describe('the demo repository', () => {
  it('is a checked-out repo on main with ~90 days of history in range', () => {
    expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git('rev-parse', '--is-bare-repository')).toBe('false');
    expect(git('status', '--porcelain')).toBe('');
    expect(git('branch', '--format=%(refname:short)')).toBe('main');
    const count = Number(git('rev-list', '--count', 'HEAD'));
    expect(count).toBeGreaterThanOrEqual(150);
    expect(count).toBeLessThanOrEqual(300);
    const times = git('log', '--format=%at').split('\n').map(Number);
    const days = (Math.max(...times) - Math.min(...times)) / 86_400;
    expect(days).toBeGreaterThan(85);
    expect(days).toBeLessThan(92);
    expect(Number(git('rev-list', '--count', '--merges', 'HEAD'))).toBeGreaterThanOrEqual(2);
    expect(ms(a.now)).toBeGreaterThan(Math.max(...times) * 1000);
    expect(a.now).toMatch(ISO_Z);
  });

  it('has the service layout, module config and a payments ADR', () => {
    const files = git('ls-files').split('\n');
    for (const f of [
      'src/payments/gateway.ts',
      'src/payments/charge.ts',
      'src/payments/refunds.ts',
      'src/payments/retry.ts',
    ]) {
      expect(files).toContain(f);
    }
    for (const dir of ['src/auth/', 'src/search/', 'src/api/', 'src/web/', 'test/', 'docs/adr/']) {
      expect(files.some((f) => f.startsWith(dir))).toBe(true);
    }
    expect(files).toEqual(expect.arrayContaining(['README.md', '.github/CODEOWNERS', 'package.json']));
    expect(JSON.parse(readFileSync(join(a.repoPath, 'hindsight.config.json'), 'utf8'))).toEqual({
      modules: { payments: ['src/payments/**'], auth: ['src/auth/**'], search: ['src/search/**'] },
    });
    const adrs = files.filter((f) => f.startsWith('docs/adr/'));
    expect(adrs.length).toBeGreaterThanOrEqual(2);
    expect(adrs.length).toBeLessThanOrEqual(4);
    const paymentsAdr = adrs.map((f) => readFileSync(join(a.repoPath, f), 'utf8')).find((t) => /idempotency/i.test(t));
    expect(paymentsAdr).toContain('src/payments');
  });

  it('carries each agent identity in its real shape', () => {
    const log = git('log', '--format=%an <%ae>%n%B%n--end--');
    expect(log).toContain('Cursor Agent <cursoragent@cursor.com>');
    expect(log).toContain('dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>');
    expect(log).toContain('Co-Authored-By: Claude <noreply@anthropic.com>');
    expect(log).toContain('🤖 Generated with [Claude Code](https://claude.com/claude-code)');
    const copilot = log
      .split('--end--')
      .filter((c) => c.includes('Copilot <198982749+Copilot@users.noreply.github.com>'));
    expect(copilot.length).toBeGreaterThan(0);
    for (const c of copilot) expect(c).toMatch(/^Co-authored-by: .+ <.+@acme\.dev>$/m);
    const humans = new Set(
      git('log', '--format=%ae')
        .split('\n')
        .filter((e) => e.endsWith('@acme.dev')),
    );
    expect(humans.size).toBeGreaterThanOrEqual(3);
    expect(git('log', '-1', '--format=%B', a.expected.paymentsInducingSha)).toContain(
      'Co-Authored-By: Claude <noreply@anthropic.com>',
    );
  });
});

describe('deploys', () => {
  it('are chronological, in range, with a failure and the planned rollback shape', () => {
    const at = a.deploys.map((d) => ms(d.at));
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    for (const d of a.deploys) expect(d.at).toMatch(ISO_Z);
    const prod = a.deploys.filter((d) => d.env === 'production');
    expect(prod.length).toBeGreaterThanOrEqual(35);
    expect(prod.length).toBeLessThanOrEqual(45);
    expect(a.deploys.filter((d) => d.env === 'staging').length).toBeGreaterThanOrEqual(3);

    const failed = a.deploys.findIndex((d) => d.status === 'failure');
    expect(failed).toBeGreaterThan(0);
    const retry = a.deploys.slice(failed + 1).find((d) => d.env === 'production');
    expect(retry?.status).toBe('success');
    expect(ms(retry?.at ?? '') - at[failed]!).toBeLessThan(6 * 3_600_000);

    const k = a.expected.rolledBackDeployIndex!;
    const [before, bad, back] = [a.deploys[k - 1]!, a.deploys[k]!, a.deploys[k + 1]!];
    expect([before.env, bad.env, back.env]).toEqual(['production', 'production', 'production']);
    expect(back.sha).toBe(before.sha);
    expect(bad.sha).not.toBe(before.sha);
    const searchIncident = incidents.find((i) => i.module === 'search');
    expect(ms(searchIncident!.started_at)).toBeGreaterThan(ms(bad.at));
    expect(ms(searchIncident!.started_at)).toBeLessThan(ms(back.at));
  });

  it('deploy the tip of main at that time', () => {
    for (const d of a.deploys) {
      expect(isAncestor(d.sha, 'main')).toBe(true);
      const atDeploy = git('rev-list', '--first-parent', '-1', `--before=${d.at}`, 'main');
      if (d !== a.deploys[a.expected.rolledBackDeployIndex! + 1]) expect(d.sha).toBe(atDeploy);
    }
  });
});

describe('the payments story', () => {
  const payments = () => incidents.filter((i) => a.expected.paymentsIncidentIds.includes(i.id));

  it('blames the lines the fix changed, at its parent, on the inducing commit', () => {
    const fix = a.expected.paymentsFixSha;
    expect(git('log', '-1', '--format=%s', fix)).toBe('fix(payments): restore gateway timeout and retry backoff');
    const diff = git('diff', '-U0', `${fix}^`, fix);
    const blamed = new Map<string, number>();
    let file = '';
    for (const line of diff.split('\n')) {
      const f = /^--- a\/(.+)$/.exec(line);
      if (f) file = f[1]!;
      const h = /^@@ -(\d+)(?:,(\d+))? /.exec(line);
      if (!h || h[2] === '0') continue;
      const blame = git('blame', '--porcelain', '-L', `${h[1]},+${h[2] ?? '1'}`, `${fix}^`, '--', file);
      for (const m of blame.matchAll(/^([0-9a-f]{40}) \d+ \d+/gm)) blamed.set(m[1]!, (blamed.get(m[1]!) ?? 0) + 1);
    }
    expect([...blamed.keys()]).toEqual([a.expected.paymentsInducingSha]);
    expect(blamed.get(a.expected.paymentsInducingSha)).toBeGreaterThanOrEqual(3);
    const induced = git('show', a.expected.paymentsInducingSha, '--', 'src/payments/gateway.ts');
    expect(induced).toContain('+const GATEWAY_TIMEOUT_MS = 2_000;');
    expect(induced).toContain('-const GATEWAY_TIMEOUT_MS = 10_000;');
  });

  it('has other commits touching gateway.ts between the cause and the fix', () => {
    const between = git(
      'rev-list',
      `${a.expected.paymentsInducingSha}..${a.expected.paymentsFixSha}^`,
      '--',
      'src/payments/gateway.ts',
    );
    expect(between.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(2);
  });

  it('has three recurring incidents after the inducing deploy, the last one carrying the fix', () => {
    const rows = payments();
    expect(rows.map((i) => i.id)).toEqual(a.expected.paymentsIncidentIds);
    expect(new Set(rows.map((i) => i.title)).size).toBe(1);
    const shipped = a.deploys.find(
      (d) => d.env === 'production' && d.status === 'success' && isAncestor(a.expected.paymentsInducingSha, d.sha),
    );
    expect(shipped).toBeDefined();
    const fixedAt = Number(git('log', '-1', '--format=%ct', a.expected.paymentsFixSha)) * 1000;
    for (const i of rows) {
      expect(ms(i.started_at)).toBeGreaterThan(ms(shipped!.at));
      expect(ms(i.started_at)).toBeLessThan(fixedAt);
      expect(i.root_cause_sha).toBeUndefined();
      expect(i.files).toContain('src/payments/gateway.ts');
    }
    expect(rows.map((i) => i.fix_sha)).toEqual([undefined, undefined, a.expected.paymentsFixSha]);
  });

  it('names stack frames that point at the code running when each incident began', () => {
    for (const i of payments()) {
      const live = a.deploys
        .filter((d) => d.env === 'production' && d.status === 'success' && ms(d.at) < ms(i.started_at))
        .pop()!;
      const frame = i.stack_frames.find((f) => f.includes('callGateway (src/payments/gateway.ts:'))!;
      const [, line] = /gateway\.ts:(\d+):\d+\)$/.exec(frame)!;
      const source = git('show', `${live.sha}:src/payments/gateway.ts`).split('\n');
      expect(source[Number(line) - 1]).toContain('fetch(');
    }
  });

  it('writes a post-mortem for each payments incident, keyed by the same id', () => {
    const docs = readdirSync(a.postmortemsDir).map((f) => matter(readFileSync(join(a.postmortemsDir, f), 'utf8')));
    for (const id of a.expected.paymentsIncidentIds) {
      const doc = docs.find((d) => d.data['id'] === id);
      const row = incidents.find((i) => i.id === id)!;
      expect(doc?.data['title']).toBe(row.title);
      expect(doc?.data['started_at']).toBe(row.started_at);
      expect(doc?.content).toMatch(/timeout/i);
      expect(doc?.content).toContain('src/payments/gateway.ts');
      expect(doc?.content).not.toContain(a.expected.paymentsInducingSha.slice(0, 7));
    }
  });
});

describe('incidents file', () => {
  it('uses only the importer fields, with ISO dates and full shas', () => {
    expect(incidents.length).toBeGreaterThanOrEqual(7);
    for (const i of incidents) {
      for (const key of Object.keys(i)) expect(ALLOWED_FIELDS).toContain(key);
      expect(i.started_at).toMatch(ISO_Z);
      expect(ms(i.resolved_at)).toBeGreaterThan(ms(i.started_at));
      expect(i.env).toBe('production');
      if (i.fix_sha) expect(git('cat-file', '-t', i.fix_sha)).toBe('commit');
    }
    expect(new Set(incidents.map((i) => i.id)).size).toBe(incidents.length);
    expect(incidents.filter((i) => i.files.length === 0).length).toBeGreaterThanOrEqual(2);
  });
});

describe('the auth revert story', () => {
  it('reverts a Cursor agent commit a day later, with an auth incident in between', () => {
    const reverted = a.expected.revertedSha!;
    expect(git('log', '-1', '--format=%an <%ae>', reverted)).toBe('Cursor Agent <cursoragent@cursor.com>');
    const revert = git('log', '--format=%H', `--grep=This reverts commit ${reverted}.`, 'main');
    expect(revert).toMatch(/^[0-9a-f]{40}$/);
    const body = git('log', '-1', '--format=%B', revert);
    expect(body).toMatch(/^Revert "/);
    expect(body).toContain(`This reverts commit ${reverted}.`);
    expect(git('log', '-1', '--format=%ae', revert)).toMatch(/@acme\.dev$/);
    const [t0, t1] = [reverted, revert].map((s) => Number(git('log', '-1', '--format=%ct', s)) * 1000);
    expect(t1! - t0!).toBeLessThan(2 * 86_400_000);
    const auth = incidents.find((i) => i.module === 'auth')!;
    expect(ms(auth.started_at)).toBeGreaterThan(t0!);
    expect(ms(auth.started_at)).toBeLessThan(t1!);
    // The revert restores the file exactly.
    expect(git('diff', `${reverted}^`, revert, '--', 'src/auth/session.ts')).toBe('');
  });
});
