import { describe, expect, it } from 'vitest';
import { cosmeticChange, isDocPath } from '../../src/attribution/filters.js';

describe('isDocPath', () => {
  it('build files ending in .txt are code; prose .txt stays documentation', () => {
    expect(isDocPath('CMakeLists.txt')).toBe(false);
    expect(isDocPath('src/lib/CMakeLists.txt')).toBe(false);
    expect(isDocPath('meson_options.txt')).toBe(false);
    expect(isDocPath('requirements-dev.txt')).toBe(false);
    expect(isDocPath('Documentation/nvme-list.txt')).toBe(true);
    expect(isDocPath('notes.txt')).toBe(true);
  });
});

describe('cosmeticChange: judged by the diff, never the message', () => {
  const h = (removed: string[], added: string[]) => ({ removed, added });
  it('re-wrapped or re-indented lines and reordered includes are cosmetic', () => {
    expect(cosmeticChange([h(['  return run(1, 3);'], ['  return run(1,', '             3);'])])).toBe('layout only');
    expect(cosmeticChange([h(['#include <b.h>'], []), h([], ['#include <b.h>'])])).toBe('reorders lines only');
    expect(cosmeticChange([h(['#include <b.h>'], []), h([], ['#include <b.h>']), h(['f(a,b);'], ['f(a, b);'])])).toBe(
      'reorders and re-lays out lines only',
    );
  });
  it('any change of content is not: a dropped include, a changed operator, a pure addition', () => {
    expect(cosmeticChange([h(['#include <b.h>', '#include <b.h>'], ['#include <b.h>'])])).toBeNull();
    expect(cosmeticChange([h(['if (a > b)'], ['if (a >= b)'])])).toBeNull();
    expect(cosmeticChange([h([], ['x = 1;'])])).toBeNull();
    expect(cosmeticChange([])).toBeNull();
  });
});
