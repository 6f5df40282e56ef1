import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Webhooks } from '@octokit/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN_JS, assertBuilt } from '../e2e/cli.js';
import { startGithubDouble } from '../helpers/github-double.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';

// The doors, through the built binary: `ingest github` and `serve --http`.
const doubles: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const d of doubles) await d.close();
});

/** runCli, but asynchronous: the GitHub double answers from this process, so it must not block. */
function run(args: string[], o: { cwd: string; env?: Record<string, string> }) {
  assertBuilt();
  const child = spawn(process.execPath, [MAIN_JS, ...args], { cwd: o.cwd, env: { ...process.env, ...o.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('hindsight ingest github', () => {
  it('reads the clone from the global --repo and the GitHub repository from its own --repo', async () => {
    const g = gitdir();
    const sha = g.commit({ files: { 'a.ts': '1\n' }, message: 'one', date: '2026-01-01T08:00:00Z' });
    const gh = await startGithubDouble({ prefix: '/api/v3' });
    doubles.push(gh);
    gh.addDeployment({
      sha,
      createdAt: '2026-01-01T10:00:00Z',
      statuses: [{ state: 'success', at: '2026-01-01T10:05:00Z' }],
    });
    gh.addIssue({ title: 'Outage', labels: ['outage'], createdAt: '2026-01-01T12:00:00Z' });
    const db = join(tempDir('hindsight-cli-'), 'h.db');
    const cwd = tempDir('hindsight-cwd-');
    const res = await run(
      [
        '--db',
        db,
        '--repo',
        g.path,
        'ingest',
        'github',
        '--repo',
        'acme/shop',
        '--base-url',
        gh.baseUrl,
        '--label',
        'outage',
      ],
      { cwd, env: { GITHUB_TOKEN: gh.token, GH_TOKEN: '' } },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^github acme\/shop: \d+ request\(s\)/);
    expect(res.stdout).toMatch(/issues\s+1 stored/);
    expect(res.stdout).toMatch(/deployments\s+1 stored/);
    expect(res.stdout).not.toContain(gh.token);
    expect(gh.violations).toEqual([]);

    const status = await run(['--db', db, '--repo', g.path, 'status'], { cwd });
    expect(status.stdout).toMatch(/"deploys": 1/);
    expect(status.stdout).toMatch(/"incidents": 1/);

    const bad = await run(['--db', db, 'ingest', 'github', '--repo', 'acme/shop', '--base-url', gh.baseUrl], {
      cwd: g.path,
      env: { GITHUB_TOKEN: 'ghp_not_valid_secret' },
    });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/the token was rejected \(401/);
    expect(bad.stderr).not.toContain('ghp_not_valid_secret');
  });
});

describe('hindsight serve --http', () => {
  it('starts the webhook receiver on loopback and takes a signed GitHub delivery', async () => {
    assertBuilt();
    const g = gitdir();
    g.commit({ files: { 'a.ts': '1\n' }, message: 'one' });
    const child = spawn(
      process.execPath,
      [MAIN_JS, '--db', join(tempDir('hindsight-http-'), 'h.db'), 'serve', '--http', '--port', '0'],
      {
        cwd: g.path,
        env: { ...process.env, HINDSIGHT_WEBHOOK_SECRET: 's3cret', HINDSIGHT_INCIDENT_TOKEN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          const m = /webhook receiver on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      const res = await fetch(`${url}/webhooks/github`, {
        method: 'POST',
        body,
        headers: {
          'x-github-event': 'ping',
          'x-github-delivery': 'd-1',
          'x-hub-signature-256': await new Webhooks({ secret: 's3cret' }).sign(body),
        },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ outcome: 'ignored', why: 'ping' });
      expect(stderr).not.toContain('s3cret');
      expect(stderr).toContain(`POST ${url}/webhooks/github`);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
