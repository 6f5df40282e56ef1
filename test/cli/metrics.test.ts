import { describe, expect, it } from 'vitest';
import { DAY, deliveryFixture, HOUR, NOW } from '../delivery/fixture.js';
import { runCli } from '../e2e/cli.js';

describe('hindsight metrics', () => {
  it('prints the DORA figures for a window ending at HINDSIGHT_NOW, as text with definitions or as JSON', () => {
    const f = deliveryFixture();
    const c = f.seed.commit({ at: NOW - 2 * DAY - 3 * HOUR, agent: 'codex', files: ['src/a.ts'] });
    f.deploy({ at: NOW - 2 * DAY, shas: [c], service: 'api', status: 'rolled_back' });
    f.deploy({ at: NOW - DAY, shas: [], service: 'api' });
    f.ctx.store.close();
    const base = ['--db', f.ctx.config.dbPath, '--repo', f.ctx.config.repoPath, 'metrics'];
    const env = { HINDSIGHT_NOW: new Date(NOW).toISOString() };
    const opts = { cwd: f.ctx.config.repoPath, env };

    const text = runCli([...base, '--window-days', '7'], opts);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^DORA keys 2026-02-22…2026-03-01 \(7 d/);
    expect(text.stdout).toMatch(/codex: 1 deploy .* lead 3h .* fail 100% \(1\)/);
    expect(text.stdout).toMatch(/deploymentReworkRate \(lower is better\)/);

    const json = runCli([...base, '--env', 'production', '--service', 'api', '--json'], opts);
    const m = JSON.parse(json.stdout) as { scope: unknown; overall: { current: Record<string, number> } };
    expect(m.scope).toEqual({ env: 'production', service: 'api' });
    expect(m.overall.current).toMatchObject({ deploys: 2, failed: 1, recoveryMedianH: 24 });

    const bad = runCli([...base, '--window-days', '0'], opts);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--window-days '0' must be a whole number from 1 to 365/);
  });
});
