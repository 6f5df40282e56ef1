// The built binary on a postgres:// URL, beside the same commands on a SQLite file: the demo (git, deploys,
// production signals, incidents, attribution, interrupts, then every tool over a real MCP stdio session), ingest,
// attribute, triage and loop. Both engines must give the same answers, byte for byte once paths are set aside.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/gitdir.js';
import { freshPostgresUrl } from '../helpers/postgres.js';
import { assertBuilt, runCli } from './cli.js';

interface DemoRun {
  dir: string;
  out: { scenario: string; database: string; dashboard: string; traced: boolean; answers: unknown; tryIt: string[] };
  now: string;
}

function demo(database: string | undefined): DemoRun {
  const dir = tempDir('hindsight-demo-');
  const res = runCli(['demo', '--json', '--dir', dir], {
    cwd: dir,
    env: database === undefined ? {} : { HINDSIGHT_DB: database },
  });
  expect(res.code, res.stderr).toBe(0);
  const out = JSON.parse(res.stdout) as DemoRun['out'];
  const now = /HINDSIGHT_NOW=(\S+)/.exec(out.tryIt[0]!)![1]!;
  return { dir, out, now };
}

/** A run's text with its own folders and its timings set aside, so two runs compare. */
const neutral = (text: string, run: DemoRun) =>
  text.replaceAll(run.dir, '<dir>').replace(/\b\d+(\.\d+)? (ms|s)\b/g, '<time>');

describe('hindsight on PostgreSQL, through the built binary', () => {
  let lite: DemoRun;
  let pg: DemoRun;
  let url: string;
  beforeAll(() => {
    assertBuilt();
    url = freshPostgresUrl();
    lite = demo(undefined);
    pg = demo(url);
  }, 240_000);

  it('builds the demo into the database the URL names and answers every tool as on SQLite', () => {
    expect(pg.out.traced).toBe(true);
    expect(pg.out.database).toMatch(/^postgres:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:/); // never the password
    expect(pg.out.tryIt[0]).toContain('--db "$HINDSIGHT_DB"');
    expect(neutral(JSON.stringify(pg.out.answers), pg)).toBe(neutral(JSON.stringify(lite.out.answers), lite));
    expect(neutral(readFileSync(pg.out.dashboard, 'utf8'), pg).length).toBeGreaterThan(10_000);
  });

  it('refuses to build the demo into a database that already holds data, and writes nothing', () => {
    const dir = tempDir('hindsight-demo-');
    const res = runCli(['demo', '--dir', dir], { cwd: dir, env: { HINDSIGHT_DB: url } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/already holds data \(\d+ commits, \d+ incidents\); the demo builds into an empty/);
    expect(res.stderr).not.toMatch(/pw-|password/);
  });

  it('ingest, attribute, triage and loop --dry-run answer as on SQLite', () => {
    const run = (r: DemoRun, db: string, args: string[]) => {
      const res = runCli(['--db', db, '--repo', r.out.scenario, ...args], {
        cwd: r.dir,
        env: { HINDSIGHT_NOW: r.now },
      });
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
      return neutral(res.stdout, r);
    };
    const liteDb = join(lite.dir, 'hindsight.db');
    for (const args of [
      ['ingest', 'git'],
      ['attribute'],
      ['triage', '--json'],
      ['loop', '--dry-run'],
      ['metrics', '--json'],
    ]) {
      expect(run(pg, url, args), args.join(' ')).toBe(run(lite, liteDb, args));
    }
  });
});
