import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { DatabaseBusyError, immediateTransaction } from '../../src/store/write-lock.js';
import { tempDir } from '../helpers/gitdir.js';

describe('immediateTransaction', () => {
  it('gives up after the busy timeout with a retryable error that keeps the SQLite error, having written nothing', () => {
    const path = join(tempDir('hindsight-lock-'), 'h.db');
    const db = openStore(path);
    db.pragma('busy_timeout = 50');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // another process holding the write lock

    const write = () =>
      immediateTransaction(db, () => db.prepare("INSERT INTO meta(key, value) VALUES ('k', 'v')").run());
    let err: unknown;
    try {
      write();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatabaseBusyError);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ retryable: true, upstream: 'database', cause: { code: 'SQLITE_BUSY' } });
    expect((err as Error).message).toMatch(/busy.*retry/);
    expect(db.inTransaction).toBe(false);

    other.exec('ROLLBACK');
    write();
    expect(db.prepare("SELECT value FROM meta WHERE key = 'k'").pluck().get()).toBe('v');
  });
});
