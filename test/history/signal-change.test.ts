import { describe, expect, it } from 'vitest';
import { prng } from '../../src/demo/scenario-text.js';
import { changeTest, mannWhitneyP } from '../../src/history/signal-change.js';

/** n samples around `level` with ±`noise` uniform jitter and an occasional spike, from a seeded PRNG. */
function series(seed: number, n: number, level: number, noise: number, spikes = 0): number[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, (_, i) => level + (rnd() * 2 - 1) * noise + (i < spikes ? level * 5 : 0));
}

describe('change test', () => {
  it('detects a real error-rate step', () => {
    const v = changeTest(series(1, 60, 0.004, 0.001), series(2, 60, 0.03, 0.004));
    expect(v.kind).toBe('step');
    if (v.kind === 'insufficient') throw new Error('unreachable');
    expect(v.direction).toBe('up');
    expect(v.p).toBeLessThan(0.001);
    expect(v.robustZ).toBeGreaterThan(6);
  });

  it('does not call noise a step, over many seeds', () => {
    let steps = 0;
    for (let seed = 1; seed <= 200; seed += 2) {
      if (changeTest(series(seed, 60, 0.01, 0.003), series(seed + 1, 60, 0.01, 0.003)).kind === 'step') steps++;
    }
    expect(steps).toBeLessThanOrEqual(1);
  });

  it('is not moved by a few spikes after the deploy', () => {
    expect(changeTest(series(3, 60, 0.01, 0.003), series(4, 60, 0.01, 0.003, 3)).kind).toBe('none');
  });

  it('does not call a tiny but significant drift a step (effect size matters)', () => {
    const v = changeTest(series(5, 3000, 0.01, 0.003), series(6, 3000, 0.0106, 0.003));
    expect(v.kind).toBe('none');
    if (v.kind === 'insufficient') throw new Error('unreachable');
    expect(v.p).toBeLessThan(0.01);
  });

  it('says when there are too few samples', () => {
    expect(changeTest([0.1, 0.1], series(7, 60, 0.5, 0.01))).toEqual({ kind: 'insufficient', before: 2, after: 60 });
  });

  it("Mann-Whitney's p matches a textbook example", () => {
    // Two fully separated samples of 5: exact two-sided p = 2/252 ≈ 0.0079; the normal approximation ≈ 0.012.
    const p = mannWhitneyP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(p).toBeGreaterThan(0.005);
    expect(p).toBeLessThan(0.02);
    expect(mannWhitneyP([1, 1, 1], [1, 1, 1])).toBe(1);
  });
});
