import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { runCli } from '../e2e/cli.js';

function repo() {
  const g = gitdir();
  const a = g.commit({
    files: { 'src/payments/a.ts': 'export const a = 1;\n' },
    message: 'feat: a',
    date: '2026-03-01T10:00:00Z',
  });
  const b = g.commit({
    files: { 'src/payments/a.ts': 'export const a = 2;\n' },
    message: 'fix: a',
    date: '2026-03-02T10:00:00Z',
  });
  return { g, a, b, db: join(tempDir(), 'h.db') };
}

describe('the hindsight CLI', () => {
  it('ingests, records deploys, imports incidents and reports status', () => {
    const { g, a, b, db } = repo();
    const base = ['--db', db, '--repo', g.path];
    expect(runCli([...base, 'ingest', 'git'], { cwd: g.path }).stdout).toMatch(/ingested 2 new commit\(s\)/);
    expect(runCli([...base, 'ingest', 'git'], { cwd: g.path }).stdout).toMatch(/ingested 0 new commit\(s\)/);
    const d1 = runCli(
      [...base, 'deploy', 'record', '--sha', a, '--status', 'success', '--at', '2026-03-01T12:00:00Z'],
      { cwd: g.path },
    );
    expect(d1.stdout).toMatch(/deploy #1 production \w{10} success: 1 commit\(s\) since the beginning/);
    const d2 = runCli(
      [...base, 'deploy', 'record', '--sha', b, '--status', 'success', '--at', '2026-03-02T12:00:00Z', '--id', 'run-7'],
      { cwd: g.path },
    );
    expect(d2.stdout).toMatch(/deploy #2 .* 1 commit\(s\) since deploy #1/);
    const again = runCli([...base, 'deploy', 'record', '--sha', b, '--status', 'success', '--id', 'run-7'], {
      cwd: g.path,
    });
    expect(again.stdout).toMatch(/already recorded as #2/);
    const back = runCli(
      [...base, 'deploy', 'record', '--sha', a, '--status', 'success', '--at', '2026-03-02T13:00:00Z'],
      { cwd: g.path },
    );
    expect(back.stdout).toMatch(/rollback to deploy #1; rolled back: #2/);
    // deploy list: each deploy's predecessor and commit count, to check against git rev-list.
    const list = JSON.parse(runCli([...base, 'deploy', 'list', '--json'], { cwd: g.path }).stdout) as {
      deploys: {
        id: number;
        status: string;
        prev: { id: number } | null;
        commits: number;
        rolledBackBy: number | null;
      }[];
    };
    expect(list.deploys.map((d) => [d.id, d.status, d.prev?.id ?? null, d.commits, d.rolledBackBy])).toEqual([
      [1, 'success', null, 1, null],
      [2, 'rolled_back', 1, 1, 3],
      [3, 'success', 1, 0, null],
    ]);
    expect(runCli([...base, 'deploy', 'list'], { cwd: g.path }).stdout).toMatch(
      /#2 run-7 production \w{10} 2026-03-02 rolled_back: 1 commit\(s\) since #1 \w{10} \(rolled back by #3\)/,
    );
    const wrongEnv = runCli([...base, 'deploy', 'list', '--env', 'prod'], { cwd: g.path });
    expect([wrongEnv.code, wrongEnv.stderr]).toEqual([
      2,
      expect.stringMatching(/no deploys in env 'prod'; known: production/),
    ]);

    const file = join(tempDir(), 'inc.ndjson');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'INC-1',
        title: 'a broke',
        started_at: '2026-03-02T12:30:00Z',
        files: ['src/payments/a.ts'],
      }) + '\n',
    );
    expect(runCli([...base, 'ingest', 'incidents', file], { cwd: g.path }).stdout).toMatch(
      /1 new, 0 updated, 0 unchanged/,
    );
    expect(runCli([...base, 'ingest', 'incidents', file], { cwd: g.path }).stdout).toMatch(
      /0 new, 0 updated, 1 unchanged/,
    );
    const status = JSON.parse(runCli([...base, 'status'], { cwd: g.path }).stdout) as Record<string, number>;
    expect(status).toMatchObject({ commits: 2, deploys: 3, incidents: 1 });
    expect(status['links']).toBeGreaterThan(0);
  });

  it('serves only the error for a repository that does not exist, rather than answer about nothing', () => {
    const { g, db } = repo();
    const res = runCli(['--db', db, '--repo', join(g.path, 'missing'), 'serve', '--no-ingest'], { cwd: g.path });
    expect(res.stderr).toMatch(/repository .*missing does not exist; pass --repo PATH/);
    expect(res.stderr).toMatch(/serving on stdio anyway: every tool call answers with this error/);
    expect(res.code).toBe(2); // a configuration error, once the client has gone
  });

  it('rejects a bad import with file:line and field, exit code 2, and writes nothing', () => {
    const { g, db } = repo();
    const file = join(tempDir(), 'bad.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'INC-1', title: 'ok', started_at: '2026-03-02T12:30:00Z' }),
        JSON.stringify({ id: 'INC-2', title: 'no zone', started_at: '2026-03-02T12:30:00' }),
      ].join('\n'),
    );
    const res = runCli(['--db', db, '--repo', g.path, 'ingest', 'incidents', file], { cwd: g.path });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.ndjson:2 started_at/);
    expect(res.stderr).toMatch(/--skip-invalid/);
    const status = JSON.parse(runCli(['--db', db, '--repo', g.path, 'status'], { cwd: g.path }).stdout) as Record<
      string,
      number
    >;
    expect(status['incidents']).toBe(0);
    const skip = runCli(['--db', db, '--repo', g.path, 'ingest', 'incidents', file, '--skip-invalid'], { cwd: g.path });
    expect(skip.stdout).toMatch(/1 new[\s\S]*1 row\(s\) rejected/);
  });

  it('says how to fix bad flags and a folder that is not a repository', () => {
    const { g, db } = repo();
    const bad = runCli(['--db', db, '--repo', g.path, 'deploy', 'record', '--sha', 'HEAD', '--status', 'ok'], {
      cwd: g.path,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/status 'ok' must be one of success, failure, rolled_back/);
    const when = runCli(
      ['--db', db, '--repo', g.path, 'deploy', 'record', '--sha', 'HEAD', '--status', 'success', '--at', 'yesterday'],
      { cwd: g.path },
    );
    expect(when.stderr).toMatch(/--at 'yesterday' is not an ISO date-time/);
    const notRepo = runCli(['--db', db, '--repo', tempDir(), 'ingest', 'git'], { cwd: g.path });
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/is not a git repository/);
  });
});
