// --db / HINDSIGHT_DB as a postgres:// URL selects PostgreSQL, and its credentials never reach a message.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { engineOf, openEngine } from '../../../src/store/engine/open-engine.js';
import { redactUrl } from '../../../src/store/engine/postgres-url.js';
import { freshPostgresUrl } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/gitdir.js';

const SECRET_URL = 'postgresql://alice:s3cret-pw@127.0.0.1:1/hindsight?sslpassword=k3y&application_name=x';

describe('engine selection', () => {
  it('keeps a postgres:// or postgresql:// --db as written instead of resolving it as a path', () => {
    const cwd = tempDir();
    for (const url of ['postgres://u@h/db', 'POSTGRESQL://u@h/db']) {
      expect(loadConfig({ cwd, env: {}, flags: { db: url } }).dbPath).toBe(url);
      expect(loadConfig({ cwd, env: { HINDSIGHT_DB: url }, flags: {} }).dbPath).toBe(url);
    }
  });

  it('opens PostgreSQL for a URL and SQLite for a path', () => {
    const pg = openEngine(freshPostgresUrl());
    const lite = openEngine(':memory:');
    expect([engineOf(pg), engineOf(lite)]).toEqual(['postgres', 'sqlite']);
    pg.close();
    lite.close();
  });

  it('never shows the password, user or a secret parameter of a URL', () => {
    const shown = redactUrl(SECRET_URL);
    expect(shown).not.toMatch(/s3cret|alice|k3y/);
    expect(shown).toContain('127.0.0.1:1/hindsight');
  });

  it('a server that cannot be reached is named without its credentials', () => {
    let message = '';
    try {
      openEngine(SECRET_URL);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/cannot connect to PostgreSQL at postgresql:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:1/);
    expect(message).not.toMatch(/s3cret|alice|k3y/);
  });
});
