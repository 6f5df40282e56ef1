import { describe, expect, it } from 'vitest';
import { IN_LIST_MAX, inListChunks } from '../../src/store/in-list.js';

describe('inListChunks', () => {
  it('pads each chunk to a size bucket with its last item and never loses or invents an item', () => {
    for (const n of [1, 2, 3, 5, 255, 257, 500, 501, 1234]) {
      const items = Array.from({ length: n }, (_, i) => `s${i}`);
      const chunks = [...inListChunks(items)];
      expect(chunks).toHaveLength(Math.ceil(n / IN_LIST_MAX));
      const seen = new Set<string>();
      for (const c of chunks) {
        const size = c.params.length;
        expect(size === IN_LIST_MAX || (size & (size - 1)) === 0).toBe(true); // a power of two, or the maximum
        expect(c.marks.split(', ')).toHaveLength(size);
        for (const p of c.params) seen.add(p);
      }
      expect([...seen].sort()).toEqual([...items].sort());
    }
  });

  it('keeps the number of statement texts small: at most ten sizes whatever the list lengths', () => {
    const sizes = new Set<number>();
    for (let n = 1; n <= 1200; n++) for (const c of inListChunks(Array<number>(n).fill(1))) sizes.add(c.params.length);
    expect(sizes.size).toBeLessThanOrEqual(10);
  });

  it('yields nothing for an empty list', () => {
    expect([...inListChunks([])]).toEqual([]);
  });
});
