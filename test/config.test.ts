import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { tempDir } from './helpers/gitdir.js';

describe('loadConfig', () => {
  it('defaults: data/hindsight.db under the working folder, the working folder as repository', () => {
    const cwd = tempDir();
    const c = loadConfig({ cwd, env: {}, flags: {} });
    expect(c.dbPath).toBe(join(cwd, 'data/hindsight.db'));
    expect(c.repoPath).toBe(cwd);
    expect(c.env).toBe('production');
    expect(c.agent).toBeUndefined();
  });

  it('flags beat environment, environment beats the config file', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'hindsight.config.json'),
      JSON.stringify({ db: 'file.db', agent: 'cursor', modules: { pay: ['src/pay/**'] } }),
    );
    const fromFile = loadConfig({ cwd, env: {}, flags: {} });
    expect(fromFile).toMatchObject({ dbPath: join(cwd, 'file.db'), agent: 'cursor', modules: { pay: ['src/pay/**'] } });
    const fromEnv = loadConfig({ cwd, env: { HINDSIGHT_DB: 'env.db', HINDSIGHT_AGENT: 'claude' }, flags: {} });
    expect(fromEnv).toMatchObject({ dbPath: join(cwd, 'env.db'), agent: 'claude' });
    const fromFlag = loadConfig({ cwd, env: { HINDSIGHT_DB: 'env.db' }, flags: { db: '/abs/flag.db' } });
    expect(fromFlag.dbPath).toBe('/abs/flag.db');
  });

  it('names the bad field of an invalid config file, and a bad HINDSIGHT_NOW', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'hindsight.config.json'),
      JSON.stringify({ modules: { pay: 'src/pay/**' }, colour: 'blue' }),
    );
    expect(() => loadConfig({ cwd, env: {}, flags: {} })).toThrow(
      /modules\.pay[\s\S]*Unrecognized key.*colour|colour[\s\S]*modules\.pay/,
    );
    writeFileSync(join(cwd, 'hindsight.config.json'), '{ not json');
    expect(() => loadConfig({ cwd, env: {}, flags: {} })).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ cwd: tempDir(), env: { HINDSIGHT_NOW: 'soon' }, flags: {} })).toThrow(
      /HINDSIGHT_NOW='soon'/,
    );
    expect(() => loadConfig({ cwd: tempDir(), env: {}, flags: { config: 'missing.json' } })).toThrow(/does not exist/);
  });

  it('reads the group commit size from HINDSIGHT_WRITE_GROUP and refuses one that is not a whole number ≥ 1', () => {
    expect(loadConfig({ cwd: tempDir(), env: { HINDSIGHT_WRITE_GROUP: '1' }, flags: {} }).writeGroup).toBe(1);
    expect(loadConfig({ cwd: tempDir(), env: {}, flags: {} }).writeGroup).toBeUndefined();
    for (const bad of ['0', '2.5', 'many'])
      expect(() => loadConfig({ cwd: tempDir(), env: { HINDSIGHT_WRITE_GROUP: bad }, flags: {} })).toThrow(
        new RegExp(`HINDSIGHT_WRITE_GROUP='${bad}' is not a whole number`),
      );
  });
});
