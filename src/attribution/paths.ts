import { normalisePath } from '../modules.js';

/**
 * Path-suffix match at a segment boundary, either way round: a stack frame's `/app/src/payments/gateway.ts`
 * matches the repository's `src/payments/gateway.ts`, and a frame that names only `gateway.ts` matches too.
 */
export function pathsMatch(a: string, b: string): boolean {
  const x = normalisePath(a);
  const y = normalisePath(b);
  if (x === y) return true;
  const [long, short] = x.length >= y.length ? [x, y] : [y, x];
  return short.length > 0 && long.endsWith(short) && long[long.length - short.length - 1] === '/';
}
