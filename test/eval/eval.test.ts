import { describe, expect, it } from 'vitest';
import { FEATURES, zeroFeatures, type TrainingRow } from '../../src/attribution/weights.js';
import { DEFAULT_WEIGHTS } from '../../src/attribution/weights.js';
import { Learner, MIN_TRAIN_PAIRS } from '../../src/eval/learner.js';
import { ConfirmedTally, RankTally } from '../../src/eval/metrics.js';
import { renderReport } from '../../src/eval/report.js';
import { SUSPECTS_HEADLINE, evaluateAttribution } from '../../src/eval/run.js';
import { BACKPORT } from '../../src/eval/truth.js';
import { HEADLINE, LEARNED } from '../../src/eval/variants.js';
import { gitdir } from '../helpers/gitdir.js';

const file = (cond: string, extra = '') => `#include <stdio.h>

static int check(int len, int max)
{
    if (${cond})
        return -1;
    return 0;
}
${extra}
int main(void)
{
    return check(1, 2);
}
`;
const UTIL = 'static int twice(int x)\n{\n    return x * 2;\n}\n';

describe('hindsight eval attribution', () => {
  it('builds incidents from Fixes: trailers and reverts, and scores every variant on the same pairs', async () => {
    const g = gitdir();
    g.commit({
      files: { 'src/check.c': file('len > max') },
      message: 'check: add length check',
      date: '2025-01-01T10:00:00Z',
    });
    g.git('tag', 'v0.1');
    const inducing = g.commit({
      files: { 'src/check.c': file('len >= max + 1') },
      message: 'check: allow one more byte',
      date: '2025-01-05T10:00:00Z',
    });
    g.git('tag', 'v0.2');
    const reverted = g.commit({
      files: { 'src/check.c': file('len >= max + 1', UTIL) },
      message: 'check: add a helper',
      date: '2025-01-10T10:00:00Z',
    });
    g.git('tag', 'v0.3');
    const fix = g.commit({
      files: { 'src/check.c': file('len > max', UTIL) },
      message: `check: fix off-by-one\n\nThe bound let one byte too many through.\n\nFixes: ${inducing.slice(0, 12)} ("check: allow one more byte")\n`,
      date: '2025-01-20T10:00:00Z',
    });
    g.git('revert', '--no-edit', reverted);
    // A backport on a release branch: the same fix again, off the default branch.
    g.git('checkout', '-q', '-b', 'stable', inducing);
    const backport = g.commit({
      files: { 'src/check.c': file('len > max') },
      message: `check: fix off-by-one (backport)\n\nFixes: ${inducing.slice(0, 12)}\n`,
      date: '2025-01-21T10:00:00Z',
    });
    g.git('checkout', '-q', 'main');

    const logs: string[] = [];
    const report = await evaluateAttribution({ repoPath: g.path, tags: 'v*', log: (m) => logs.push(m) });

    expect(report.dataset).toMatchObject({ evaluated: 2, fromReverts: 1, multiCause: 0 });
    expect(report.dataset.excluded[BACKPORT]).toBe(1);
    expect(report.pairs.some((p) => p.fix === backport)).toBe(false);
    expect(report.pairs.find((p) => p.fix === fix)?.truth).toEqual([inducing]);
    expect(report.leaks.found).toBe(0);
    const byName = Object.fromEntries(report.confirmed.map((c) => [c.variant, c]));
    expect(byName['B-SZZ']!.role).toBe('reference');
    expect(byName['R-SZZ']!.role).toBe('reference');
    expect(byName['L-SZZ']!.role).toBe('reference');
    // the headline is the shipped configuration; learned weights are an extra, labelled row
    expect(byName[HEADLINE]!.role).toBe('ours');
    expect(byName[HEADLINE]!.metrics).toMatchObject({ precision: 1, recall: 1, f1: 1, pairs: 2 });
    expect(byName[LEARNED]!.role).toBe('ablation');
    expect(report.confirmed.filter((c) => c.role === 'ablation').length).toBeGreaterThan(10);
    // the cause of the fix shipped in v0.2, before the fix: suspect mode finds it among the release's changes
    expect(report.repo.releaseTags).toBe(3);
    expect(report.suspects.map((s) => s.setting)).toHaveLength(4);
    // the headline is calibrated (the global map: too few confirmed incidents here); the ablation row is not
    const headline = report.suspects.find((s) => s.setting === SUSPECTS_HEADLINE)!;
    const raw = report.suspects.find((s) => s.setting.startsWith('what ships without calibration'))!;
    expect(headline.calibration.points).not.toEqual(raw.calibration.points);
    expect(
      report.pairs.find((p) => p.fix === fix)!.suspectRank[
        "all earlier releases, commits touching the incident's files"
      ],
    ).toBeLessThanOrEqual(5);
    expect(report.pairs.find((p) => p.fix === fix)!.why).toMatch(/only commit|ahead of/);

    const md = renderReport(report);
    expect(md).toMatch(/\| \*\*hindsight \(what ships\)\*\* \| 1\.000 \| 1\.000 \| 1\.000 \| 0\/2 \|/);
    expect(md).toMatch(/default branch only \(1 backports left out\)/);
    expect(md).toMatch(/B-SZZ \(reference\)/);
    expect(logs.join('\n')).toMatch(/blamed 2\/2 fixes/);

    const all = await evaluateAttribution({ repoPath: g.path, tags: 'v*', branches: 'all', log: () => {} });
    expect(all.pairs.map((p) => p.fix)).toContain(backport);
    expect(all.dataset.evaluated).toBe(3);
  });
});

describe('learned weights', () => {
  const rows = (y: 0 | 1, value: number): TrainingRow[] => [
    { x: { ...zeroFeatures(), message: value }, y },
    { x: { ...zeroFeatures(), message: 1 - value }, y: (1 - y) as 0 | 1 },
  ];

  it('train only on pairs strictly older than the pair under test', () => {
    const honest = new Learner();
    const poisoned = new Learner();
    for (let t = 1; t <= MIN_TRAIN_PAIRS + 5; t++) {
      honest.record(t, rows(1, 1));
      poisoned.record(t, rows(1, 1));
    }
    // rows of the pair under test (t = 26) and of later pairs say the opposite: they must change nothing
    for (let t = MIN_TRAIN_PAIRS + 6; t <= 60; t++) poisoned.record(t, rows(1, 0));
    const at = MIN_TRAIN_PAIRS + 6;
    expect(poisoned.weightsBefore(at)).toEqual(honest.weightsBefore(at));
    expect(honest.weightsBefore(at).w.message).toBeGreaterThan(DEFAULT_WEIGHTS.w.message);
    expect(new Learner().weightsBefore(at)).toBe(DEFAULT_WEIGHTS);
  });

  it('keep disabled features at zero weight', () => {
    const l = new Learner(['message']);
    for (let t = 1; t <= MIN_TRAIN_PAIRS + 1; t++) l.record(t, rows(1, 1));
    const w = l.weightsBefore(100);
    expect(w.w.message).toBe(0);
    expect(FEATURES.filter((f) => f !== 'message').every((f) => Number.isFinite(w.w[f]))).toBe(true);
  });
});

describe('metrics', () => {
  it('micro-averages precision and recall over named commits, and ranks by the first true cause', () => {
    const c = new ConfirmedTally();
    c.add(['a'], ['a']);
    c.add(['b', 'c'], ['c', 'd']);
    c.add([], ['e']);
    expect(c.result()).toMatchObject({
      truePositives: 2,
      predicted: 3,
      actual: 4,
      precision: 0.667,
      recall: 0.5,
      empty: 1,
    });
    const r = new RankTally();
    r.add(['x', 'a'], ['a'], new Set(['x', 'a']));
    r.add(['a'], ['a'], new Set(['a']));
    r.add(['x'], ['b'], new Set(['x']));
    expect(r.result()).toEqual({ incidents: 3, hit1: 0.333, hit5: 0.667, mrr: 0.5, inPool: 0.667 });
  });
});
