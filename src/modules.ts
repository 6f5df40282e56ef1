import { createHash } from 'node:crypto';
import picomatch from 'picomatch';

/** Folder names that hold modules rather than being one (src/payments → payments). */
const CONTAINERS = new Set([
  'src',
  'lib',
  'app',
  'apps',
  'packages',
  'services',
  'pkg',
  'internal',
  'cmd',
  'modules',
  'components',
  'libs',
]);

export const ROOT_MODULE = '(root)';

/** How paths are mapped to modules; bump it when a change of the mapping must relabel stored files. 2: catch-alls. */
const MAPPING_VERSION = 2;

/**
 * CODEOWNERS patterns that match every path: they name the default reviewers, not a part of the code. As a module,
 * `* @bryanbeverly @dustin-decker …` (gitleaks) made the whole repository one module named after a person, so every
 * module question had one answer; the paths only a catch-all covers keep their directory module instead.
 */
const CATCH_ALL = new Set(['*', '/*', '**', '/**', '**/*', '/**/*']);

interface Rule {
  /** undefined: a CODEOWNERS pattern without owners, which un-owns the paths it matches, or a catch-all */
  module: string | undefined;
  test: (path: string) => boolean;
}

/**
 * Maps a repository path to its module: config globs first (in order), then CODEOWNERS
 * (its `[Section]` name, else the owning team), then the directory prefix.
 */
export class ModuleMapper {
  private readonly configRules: Rule[];
  private readonly ownerRules: Rule[];
  private readonly cache = new Map<string, string>();

  constructor(modules: Record<string, string[]>, codeowners?: string) {
    this.configRules = Object.entries(modules).flatMap(([module, globs]) =>
      globs.map((g) => ({ module, test: lazyMatcher(() => configGlobs(g)) })),
    );
    // CODEOWNERS: the last matching pattern wins, so we keep them reversed.
    this.ownerRules = codeowners ? parseCodeowners(codeowners).reverse() : [];
  }

  /**
   * A short fingerprint of the rules, so stored modules can be recomputed when the config changes — or when how the
   * rules are read changes (MAPPING_VERSION).
   */
  static fingerprint(modules: Record<string, string[]>, codeowners?: string): string {
    return createHash('sha256')
      .update(JSON.stringify({ modules, codeowners: codeowners ?? '', version: MAPPING_VERSION }))
      .digest('hex')
      .slice(0, 16);
  }

  /** The module a config glob gives `path` (an endpoint such as `/api/payments/charge` too), if any. */
  configuredModuleOf(path: string): string | undefined {
    const clean = normalisePath(path);
    return this.configRules.find((r) => r.test(clean))?.module;
  }

  /** True when the config names this module. */
  isConfigured(module: string): boolean {
    return this.configRules.some((r) => r.module === module);
  }

  moduleOf(path: string): string {
    const clean = normalisePath(path);
    let m = this.cache.get(clean);
    if (m === undefined) {
      m =
        this.configRules.find((r) => r.test(clean))?.module ??
        this.ownerRules.find((r) => r.test(clean))?.module ??
        directoryModule(clean);
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(clean, m);
    }
    return m;
  }
}

/** Config globs are written like paths: `./src/pay/**` or `/src/pay/**` mean `src/pay/**`; a plain folder covers its files. */
function configGlobs(glob: string): string[] {
  const g = normalisePath(glob);
  if (picomatch.scan(g).isGlob) return [g];
  const dir = g.replace(/\/+$/, '');
  return [dir, `${dir}/**`];
}

export function normalisePath(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
}

/** src/payments/charge.ts → payments; packages/api/x.ts → api; README.md → (root). */
export function directoryModule(path: string): string {
  const parts = normalisePath(path).split('/');
  const dirs = parts.slice(0, -1);
  if (dirs.length === 0) return ROOT_MODULE;
  let i = 0;
  while (i < dirs.length - 1 && CONTAINERS.has(dirs[i]!.toLowerCase())) i++;
  return dirs[i]!;
}

/** GitHub/GitLab CODEOWNERS → rules. Section headers (`[Payments]`, `^[Docs][2] @x`) name the module. */
export function parseCodeowners(text: string): Rule[] {
  const rules: Rule[] = [];
  let section: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const header = /^\^?\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const [pattern, ...owners] = line.split(/\s+/);
    if (!pattern) continue;
    const owner = owners[0]?.replace(/^@/, '').split('/').pop();
    // No owner and no section: GitHub treats the path as unowned, overriding earlier patterns.
    const module = CATCH_ALL.has(pattern) ? undefined : (section ?? owner);
    rules.push({ module, test: codeownersMatcher(pattern) });
  }
  return rules;
}

/** CODEOWNERS patterns follow gitignore rules: anchored with a leading '/', directories match everything below. */
function codeownersMatcher(pattern: string): (path: string) => boolean {
  let p = pattern;
  const anchored = p.startsWith('/') || p.slice(0, -1).includes('/');
  p = p.replace(/^\//, '');
  if (p.endsWith('/')) p += '**';
  return lazyMatcher(() => (anchored ? [p, `${p}/**`] : [`**/${p}`, `**/${p}/**`]));
}

/**
 * A glob matcher compiled on its first path: every context maps paths with it, but a server answers its first
 * tools/list without (compiling a repository's globs took ~12 ms of a cold start, bench/FINDINGS.md §3).
 */
function lazyMatcher(globs: () => string[]): (path: string) => boolean {
  let match: ((path: string) => boolean) | undefined;
  return (path) => (match ??= picomatch(globs(), { dot: true }))(path);
}
