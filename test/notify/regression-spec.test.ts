import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { proposeRegressionSpec } from '../../src/notify/regression-spec.js';
import { UserInputError } from '../../src/errors.js';
import { PAYMENTS_INCIDENT, importJson, paymentsStory } from '../helpers/stories.js';

const INCIDENT = PAYMENTS_INCIDENT;

async function attributed(withFix = true) {
  const story = await paymentsStory();
  importJson(story.ctx, [{ ...INCIDENT, ...(withFix ? { fix_sha: story.fix } : {}) }]);
  await refreshAttribution(story.ctx);
  return story;
}

describe('propose-test: a regression-test spec from the incident', () => {
  it("holds the failure, the frames with their code, the expected behaviour, the fix's lines and the cause", async () => {
    const { ctx, g, fix, inducing } = await attributed();
    mkdirSync(join(g.path, 'test'));
    const spec = await proposeRegressionSpec(ctx, 'INC-7');
    expect(spec).toMatchObject({ path: 'test/regressions/INC-7.md', written: true, layout: 'the test/ folder' });
    const text = readFileSync(join(g.path, spec.path), 'utf8');
    expect(text).toBe(spec.content);
    expect(text).toContain('# Regression test: INC-7 — Payments API timeouts on /charge');
    expect(text).toContain('What happened: Charges aborted after 2 s');
    // The frame, with the line as it was before the fix.
    expect(text).toContain(
      '`src/payments/gateway.ts:7` — `return http.post(GATEWAY_URL, body, { timeout: TIMEOUT_MS });`',
    );
    expect(text).toContain(`passes at \`${fix.slice(0, 10)}\` and fails at \`${inducing.slice(0, 10)}\``);
    // The fix's changed lines, on the fix's side, with what they replaced.
    expect(text).toMatch(
      /`src\/payments\/gateway\.ts` line 4:\n {2}```diff\n {2}-export const TIMEOUT_MS = 2000;\n {2}\+export const TIMEOUT_MS = 10000;/,
    );
    expect(text).toContain('+  return withBackoff(');
    expect(text).toMatch(
      new RegExp(
        `\`${inducing.slice(0, 10)}\` perf\\(payments\\): fail fast on slow gateway .*confirmed \\(fix-blame\\)`,
      ),
    );
    expect(text).toContain('- test/payments/gateway.test.ts');
  });

  it('never overwrites, and says what is missing when there is no fix', async () => {
    const { ctx, g } = await attributed();
    mkdirSync(join(g.path, 'tests'));
    writeFileSync(join(g.path, 'tests', 'keep.txt'), 'x');
    const first = await proposeRegressionSpec(ctx, 'INC-7');
    expect(first.path).toBe('tests/regressions/INC-7.md');
    await expect(proposeRegressionSpec(ctx, 'INC-7')).rejects.toThrow(/already exists; hindsight never overwrites/);

    const bare = await attributed(false);
    await expect(proposeRegressionSpec(bare.ctx, 'INC-7')).rejects.toThrow(UserInputError);
    await expect(proposeRegressionSpec(bare.ctx, 'INC-7')).rejects.toThrow(/no ingested fix/);
    await expect(proposeRegressionSpec(ctx, 'INC-7', { dryRun: true })).rejects.toThrow(/never overwrites/);
    expect(existsSync(join(bare.g.path, 'test', 'regressions'))).toBe(false);
  });
});
