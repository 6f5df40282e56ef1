import { isAbsolute, posix, relative, resolve } from 'node:path';
import { UserInputError } from '../errors.js';
import { isKnownModule, knownModules } from '../store/known-modules.js';
import type { Db } from '../store/open.js';
import type { ModuleMapper } from '../modules.js';
import { SETUP_FIX } from '../setup-hints.js';

export { isKnownModule, knownModules };

export interface ResolvedModule {
  module: string;
  /** How a non-exact query was matched, for the answer ("'pay' → payments (prefix)"); absent on exact matches. */
  resolvedFrom?: string;
}

/**
 * Fuzzy module lookup: exact (case-insensitive), else a unique prefix, else a unique substring.
 * Anything else is a UserInputError that lists the closest names by edit distance.
 * Pass `known` when the caller already listed the modules (the list is computed at most once per call).
 */
export function resolveModule(db: Db, query: string, field = 'module', known = knownModules(db)): ResolvedModule {
  const q = query.trim();
  if (!q) throw new UserInputError(`${field} is empty; pass a module name (known modules: ${listSome(known)})`, field);
  if (known.length === 0) {
    throw new UserInputError(`no module matches '${q}': ${SETUP_FIX.commits()}; or pass a path`, field);
  }
  const lower = q.toLowerCase();
  const exact = known.filter((m) => m.toLowerCase() === lower);
  if (exact.length > 0) return { module: exact.find((m) => m === q) ?? exact[0]! };

  for (const [kind, hits] of [
    ['prefix', known.filter((m) => m.toLowerCase().startsWith(lower))],
    ['substring', known.filter((m) => m.toLowerCase().includes(lower))],
  ] as const) {
    if (hits.length === 1) return { module: hits[0]!, resolvedFrom: `'${q}' matched module '${hits[0]}' (${kind})` };
    if (hits.length > 1) {
      throw new UserInputError(
        `'${q}' matches ${hits.length} modules (${kind}): ${listSome(hits, 10)}; pass one of them exactly`,
        field,
      );
    }
  }
  throw new UserInputError(
    `no module matches '${q}'; closest: ${closest(q, known).join(', ')} (known modules: ${listSome(known)})`,
    field,
  );
}

/** The `n` names nearest to `query` by edit distance (case-insensitive), nearest first. */
export function closest(query: string, names: readonly string[], n = 3): string[] {
  const q = query.toLowerCase();
  return names
    .map((name) => ({ name, d: editDistance(q, name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((x) => x.name);
}

/**
 * Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("pyaments" is 1 from "payments").
 * With `max`, only the cells within `max` of the diagonal are computed, over three rolling rows — O(length × max)
 * time, linear — and any distance above `max` comes back as `max + 1`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  const far = Math.min(max, a.length + b.length) + 1;
  if (Math.abs(a.length - b.length) >= far) return far;
  if (b.length === 0) return a.length;
  const cols = b.length + 1;
  const band = far - 1;
  let before = new Array<number>(cols).fill(far); // row i - 2
  let prev = Array.from({ length: cols }, (_, j) => (j <= band ? j : far)); // row 0
  let cur = new Array<number>(cols).fill(far);
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - band);
    const hi = Math.min(b.length, i + band);
    if (lo > hi) return far;
    cur[lo - 1] = lo === 1 ? i : far;
    if (hi + 1 < cols) cur[hi + 1] = far;
    let best = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2]! + 1);
      cur[j] = v;
      best = Math.min(best, v);
    }
    if (best >= far) return far;
    [before, prev, cur] = [prev, cur, before];
  }
  return Math.min(prev[b.length]!, far);
}

function listSome(names: readonly string[], max = 30): string {
  if (names.length === 0) return 'none yet';
  return names.length > max ? `${names.slice(0, max).join(', ')}, … and ${names.length - max} more` : names.join(', ');
}

/**
 * A caller's path as a clean repository-relative path: `./` and backslashes normalised, absolute paths
 * accepted only inside the repository, `..` escapes refused.
 */
export function toRepoPath(repoPath: string, input: string, field = 'path'): string {
  const raw = input.trim().replace(/\\/g, '/');
  if (!raw)
    throw new UserInputError(`${field} is empty; pass a repository path such as src/payments/gateway.ts`, field);
  let rel = raw;
  if (isAbsolute(raw) || /^[A-Za-z]:\//.test(raw)) {
    const inside = relative(resolve(repoPath), resolve(raw)).replace(/\\/g, '/');
    if (inside === '' || inside.startsWith('../') || inside === '..' || isAbsolute(inside)) {
      throw new UserInputError(
        `${field} '${input}' is outside the repository ${repoPath}; pass a path relative to the repository root`,
        field,
      );
    }
    rel = inside;
  }
  const clean = posix.normalize(rel.replace(/^(\.\/)+/, ''));
  if (clean === '.' || clean === '..' || clean.startsWith('../')) {
    throw new UserInputError(
      `${field} '${input}' does not name a file inside the repository; pass a path relative to its root`,
      field,
    );
  }
  return clean.replace(/\/+$/, '');
}

/** The module of a cleaned path; a trailing slash in the caller's input marks a directory, mapped via a file in it. */
export function moduleOfInput(modules: ModuleMapper, clean: string, raw: string): string {
  return modules.moduleOf(/[\\/]\s*$/.test(raw) ? `${clean}/_` : clean);
}
