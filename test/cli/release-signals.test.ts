import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { runCli } from '../e2e/cli.js';

const MIN = 60_000;

describe('hindsight ingest signals and release review', () => {
  it('ingests a signals file, then reviews the release with the error-rate step it shows', async () => {
    const g = gitdir();
    const a = g.commit({ files: { 'src/payments/a.ts': '1' }, message: 'feat: a', date: '2026-03-01T08:00:00Z' });
    const b = g.commit({ files: { 'src/payments/a.ts': '2' }, message: 'feat: b', date: '2026-03-02T08:00:00Z' });
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    await recordDeploy(ctx, { ref: a, status: 'success', finishedAt: Date.parse('2026-03-01T12:00:00Z') });
    await recordDeploy(ctx, { ref: b, status: 'success', finishedAt: Date.parse('2026-03-02T12:00:00Z') });
    ctx.store.close();
    const at = Date.parse('2026-03-02T12:00:00Z');
    const rows = ['timestamp,metric,value,service'];
    for (let i = -60; i < 60; i++) {
      const level = i < 0 ? 0.005 : 0.04;
      rows.push(`${new Date(at + i * MIN).toISOString()},error_rate,${level + (i % 7) / 10_000},payments`);
    }
    const file = join(tempDir(), 'signals.csv');
    writeFileSync(file, rows.join('\n'));
    const base = ['--db', ctx.config.dbPath, '--repo', g.path];
    const opts = { cwd: g.path, env: { HINDSIGHT_NOW: '2026-03-03T00:00:00Z' } };

    const ingested = runCli([...base, 'ingest', 'signals', file], opts);
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(ingested.stdout).toMatch(/^csv: 1 series, 120 samples \(120 new or changed\) from 2026-03-02T11:00:00.000Z/);
    expect(ingested.stdout).toMatch(/modules payments/);

    const review = runCli([...base, 'release', 'review'], opts);
    expect(review.code, review.stderr).toBe(0);
    expect(review.stdout).toMatch(
      /^release review: deploy #2 production [0-9a-f]{12} \(success, 2026-03-02 12:00\), previous #1/,
    );
    expect(review.stdout).toMatch(/- signals: error rate of payments rose from 0\.5 % to 4(\.\d)? %/);
    expect(review.stdout).toMatch(/suggested change: gate deploys on error rate of payments/);
    const json = JSON.parse(runCli([...base, 'release', 'review', a.slice(0, 12), '--json'], opts).stdout) as {
      deploy: { id: number };
    };
    expect(json.deploy.id).toBe(1);

    const bad = runCli([...base, 'ingest', 'signals', file, '--format', 'xml'], opts);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format 'xml' must be one of prom, otlp, csv/);
    writeFileSync(file, 'timestamp,metric,value\n2026-03-02T12:00:00Z,error_rate,7\n');
    const invalid = runCli([...base, 'ingest', 'signals', file], opts);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/line 2: value: error_rate is a ratio from 0 to 1/);
  });
});
