import { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerInterrupts } from '../../src/cli/commands/interrupts.js';
import { registerTriage } from '../../src/cli/commands/triage.js';
import type { ContextFactory } from '../../src/cli/main.js';
import { createContext } from '../../src/context.js';
import { demoInterrupts } from '../../src/demo/scenario-interrupts.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

const NOW = Date.parse('2026-08-31T12:00:00Z');

/** The real commands on a real program; each command opens (and closes) its own context on one database. */
function cli() {
  const repo = gitdir();
  repo.commit({ message: 'init', files: { 'README.md': '# shop\n' } });
  const config = { ...testContext(repo.path).config, now: NOW };
  const makeContext: ContextFactory = () => createContext(config, { log: () => {} });
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerTriage(program, makeContext);
    registerInterrupts(program, makeContext);
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
    try {
      await program.parseAsync(['node', 'hindsight', ...args]);
    } finally {
      spy.mockRestore();
    }
    return chunks.join('');
  };
  return { run, repo: repo.path };
}

afterEach(() => vi.restoreAllMocks());

describe('hindsight interrupts import / triage', () => {
  it('imports the demo log and prints the report, as text and JSON', async () => {
    const { run } = cli();
    const f = join(tempDir(), 'log.json');
    writeFileSync(f, JSON.stringify(demoInterrupts(NOW)));
    expect(await run('interrupts', 'import', f)).toMatch(
      /^interrupts: 21 new \(\d+ new cluster\(s\)\), 0 already imported; 1 secret\(s\) redacted\ntasks: 42 new, 0 updated, 0 unchanged/,
    );
    const text = await run('triage');
    expect(text).toContain('Triage 2026-08-24 12:00 → 2026-08-31 12:00');
    expect(text).toContain('Highest-leverage intervention:');
    const json = JSON.parse(await run('triage', '--json', '--since', '2026-08-17T12:00:00Z')) as {
      window: { since: string };
      kpis: unknown[];
    };
    expect(json.window.since).toBe('2026-08-17T12:00:00.000Z');
    expect(json.kpis).toHaveLength(5);
  });

  it('--draft-fixes writes proposed stubs for the recurring clusters without a fix', async () => {
    const { run, repo } = cli();
    const f = join(tempDir(), 'log.json');
    writeFileSync(f, JSON.stringify(demoInterrupts(NOW)));
    await run('interrupts', 'import', f);
    const out = JSON.parse(await run('triage', '--json', '--draft-fixes')) as {
      drafted: { type: string; path: string; written: boolean }[];
      kpis: { name: string; current: number | null }[];
    };
    expect(out.drafted.map((d) => d.type).sort()).toEqual(['adr', 'rule', 'skill']);
    for (const d of out.drafted) expect(existsSync(join(repo, d.path)), d.path).toBe(true);
    // The report runs after drafting: the recurring clusters now have (proposed) fixes.
    expect(out.kpis.find((k) => k.name === 'contextCoverage')!.current).toBe(1);
  });

  it('rejects bad flags with the fix', async () => {
    const { run } = cli();
    await expect(run('triage', '--since', 'last week')).rejects.toThrow(/--since 'last week' is not an ISO date-time/);
    await expect(run('triage', '--min-entries', '0')).rejects.toThrow(/--min-entries '0' must be a whole number/);
  });
});
