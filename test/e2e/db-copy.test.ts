// The built CLI moves a database to PostgreSQL and back (`hindsight db copy`), with progress on stderr, the result on
// stdout, and the password of the URL nowhere in either.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { buildDemoDatabase } from '../../src/cli/commands/demo.js';
import { tempDir } from '../helpers/gitdir.js';
import { freshPostgresUrl } from '../helpers/postgres.js';
import { runCli } from './cli.js';

it('hindsight db copy: SQLite → PostgreSQL → SQLite, verified, without showing the password', async () => {
  const { dbPath } = await buildDemoDatabase(tempDir(), () => {});
  const url = freshPostgresUrl();
  const password = new URL(url).password;
  expect(password.length).toBeGreaterThan(0);
  const cwd = tempDir();
  const lite = new Database(dbPath, { readonly: true });
  const tables = lite
    .prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'interrupts_fts%'",
    )
    .pluck()
    .get() as number;
  lite.close();

  const there = runCli(['db', 'copy', '--from', dbPath, '--to', url, '--batch', '100'], { cwd });
  expect(there.stderr).toMatch(/copy commits: \d+\/\d+/);
  expect(there.stdout).toMatch(new RegExp(`copied \\d+ rows in ${tables} tables .* every table verified`));
  expect(there.code).toBe(0);
  const back = join(cwd, 'back.db');
  const home = runCli(['db', 'copy', '--from', url, '--to', back], { cwd });
  expect(home.code).toBe(0);
  expect(home.stdout.match(/copied (\d+) rows/)?.[1]).toBe(there.stdout.match(/copied (\d+) rows/)?.[1]);
  for (const text of [there.stdout, there.stderr, home.stdout, home.stderr]) expect(text).not.toContain(password);

  const again = runCli(['db', 'copy', '--from', dbPath, '--to', url], { cwd });
  expect(again.code).not.toBe(0);
  expect(again.stderr).toMatch(/already holds data/);
  expect(again.stderr).not.toContain(password);
}, 180_000);
