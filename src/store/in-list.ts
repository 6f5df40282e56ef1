/** Most parameters one `IN (…)` list binds; longer lists are read in chunks of this size. */
export const IN_LIST_MAX = 500;

/**
 * `items` in chunks for `col IN (?, …)`, each padded (by repeating its last item, which changes no answer of an IN
 * test) to a power of two or the maximum: a statement text per size bucket, so a list query needs at most ten prepared
 * statements per database instead of one per list length. Plain `?` lists work on every engine.
 */
export function* inListChunks<T>(items: readonly T[]): Generator<{ marks: string; params: T[] }> {
  for (let i = 0; i < items.length; i += IN_LIST_MAX) {
    const chunk = items.slice(i, i + IN_LIST_MAX);
    let size = 1;
    while (size < chunk.length) size *= 2;
    size = Math.min(size, IN_LIST_MAX);
    const params = chunk.concat(Array<T>(size - chunk.length).fill(chunk[chunk.length - 1]!));
    yield { marks: Array<string>(size).fill('?').join(', '), params };
  }
}
