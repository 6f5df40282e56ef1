import { describe, expect, it } from 'vitest';
import { windowDays } from '../../src/cli/commands/hotspots.js';
import { UserInputError } from '../../src/errors.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('hindsight hotspots --since', () => {
  it('takes days, weeks or a past date, and says how to write it otherwise', () => {
    expect(windowDays(undefined, NOW)).toBe(90);
    expect(windowDays('30d', NOW)).toBe(30);
    expect(windowDays('12w', NOW)).toBe(84);
    expect(windowDays('2026-02-01', NOW)).toBe(29);
    for (const bad of ['0d', '90', 'soon', '2027-01-01', '9'.repeat(60) + 'd']) {
      expect(() => windowDays(bad, NOW), bad).toThrow(UserInputError);
    }
    expect(() => windowDays('3 months', NOW)).toThrow(
      /--since '3 months' must be a number of days or weeks \(90d, 12w\)/,
    );
  });
});
