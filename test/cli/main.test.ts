import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/gitdir.js';
import { runCli } from '../e2e/cli.js';

// main.ts loads only the module of the command being run; help must still know every command.
describe('hindsight command registration', () => {
  it('lists every command in the top-level help, after global options too', () => {
    for (const args of [['--help'], ['--db', 'x.db', '--help']]) {
      const res = runCli(args, { cwd: tempDir() });
      expect(res.code).toBe(0);
      const commands = [...res.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
      expect(commands).toEqual(
        expect.arrayContaining(['serve', 'ingest', 'deploy', 'attribute', 'eval', 'status', 'triage', 'interrupts']),
      );
      expect(commands).toEqual(expect.arrayContaining(['loop', 'demo']));
    }
  });

  it('runs a command named after a global option with a value, with its subcommands', () => {
    const res = runCli(['--db', 'ingest', 'ingest', '--help'], { cwd: tempDir() });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Usage: hindsight ingest/);
    expect(res.stdout).toMatch(/^ {2}github\b/m); // registered by another module, under ingest
  });

  it('rejects an unknown command with the usage hint', () => {
    const res = runCli(['statu'], { cwd: tempDir() });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/run hindsight --help for usage/);
  });
});
