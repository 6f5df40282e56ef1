import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError, UserInputError, classifyError } from '../src/errors.js';
import { tempDir } from './helpers/gitdir.js';

/** The error a real call throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

// Issue 13, defect 9: real failures — from SQLite, V8 and our own classes — sorted by who acts on them.
describe('classifyError', () => {
  it('our own errors: the caller (2), the set-up (2), the upstream with its retry advice (3)', () => {
    expect(classifyError(new UserInputError('pass a path'))).toEqual({
      blame: 'input',
      message: 'pass a path',
      exitCode: 2,
    });
    expect(classifyError(new ConfigError('fix the file'))).toMatchObject({ blame: 'config', exitCode: 2 });
    expect(classifyError(new UpstreamError('git', 'timed out', true))).toEqual({
      blame: 'upstream',
      message: 'git: timed out (temporary: try again)',
      exitCode: 3,
    });
  });

  it("SQLite's own failures: a lock is a retry; a foreign or read-only file is the environment's", () => {
    const dir = tempDir();
    const path = join(dir, 'h.db');
    const holder = new Database(path);
    holder.exec('CREATE TABLE t(x); BEGIN IMMEDIATE');
    const writer = new Database(path, { timeout: 0 });
    const busy = classifyError(
      thrown(() => writer.exec('INSERT INTO t VALUES (1)')),
      { dbPath: path },
    );
    expect(busy).toMatchObject({ blame: 'busy', exitCode: 3 });
    expect(busy.message).toMatch(/retry in a moment/);
    holder.exec('ROLLBACK');

    const readOnly = new Database(path, { readonly: true });
    expect(classifyError(thrown(() => readOnly.exec('INSERT INTO t VALUES (1)')))).toMatchObject({
      blame: 'environment',
      exitCode: 3,
      message: expect.stringMatching(/SQLITE_READONLY.*writable/),
    });

    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database\n'.repeat(100));
    expect(classifyError(thrown(() => new Database(notes).pragma('journal_mode = WAL')))).toMatchObject({
      blame: 'environment',
      message: expect.stringMatching(/is not a SQLite database \(SQLITE_NOTADB\)/),
    });
  });

  it('limits only a huge argument reaches are the caller’s to fix, not bugs', () => {
    const db = new Database(':memory:');
    const like = thrown(() => db.prepare("SELECT 'a' LIKE ?").get('%'.repeat(60_000)));
    expect(classifyError(like)).toMatchObject({ blame: 'input', exitCode: 2, message: /shorten it/ });
    // What records.ts once built from a stored path; V8 refuses it when it compiles, on first use.
    const regex = thrown(() => new RegExp(`(?<![\\w-])${'A'.repeat(100_000)}(?![\\w-])`, 'i').test('x'));
    expect(classifyError(regex)).toMatchObject({ blame: 'input', exitCode: 2 });
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({ blame: 'bug', exitCode: 1 });
  });
});
