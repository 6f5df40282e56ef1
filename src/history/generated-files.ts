import picomatch from 'picomatch';
import { gitFor } from '../git.js';

// Hotspots rank code people change, not files a tool or a translator rewrites: on util-linux, translation catalogs
// (po-man/fr.po, one revision × 87k lines) ranked 2nd, 3rd and 5th of 533. Files are left out as GitHub's linguist
// leaves them out of a repository's statistics — by the repository's own `.gitattributes` (linguist-generated,
// linguist-vendored; `-linguist-generated` or `=false` keeps a file in) — and by a few built-in rules for what is
// generated, vendored or a translation catalog almost everywhere.

/** Built-in rules (gitattributes patterns), each with the reason a listing gives. */
const BUILT_IN: readonly [pattern: string, reason: Reason][] = [
  ...['*.po', '*.pot'].map((p) => [p, 'translation catalog'] as [string, Reason]),
  ...[
    'package-lock.json',
    'npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
    'Cargo.lock',
    'Gemfile.lock',
    'composer.lock',
    'poetry.lock',
    'Pipfile.lock',
    'go.sum',
    'flake.lock',
    '*.min.js',
    '*.min.css',
    '*.js.map',
    '*.css.map',
    '*.pb.go',
    '*_pb2.py',
    '*.pb.cc',
    '*.pb.h',
    '*.snap',
  ].map((p) => [p, 'generated'] as [string, Reason]),
  ...['node_modules/**', 'vendor/**', 'third_party/**', 'third-party/**'].map(
    (p) => [`**/${p}`, 'vendored'] as [string, Reason],
  ),
];

export type Reason = 'generated' | 'vendored' | 'translation catalog';

interface Rule {
  match: (path: string) => boolean;
  /** undefined: the repository keeps matching files in (`-linguist-generated`, `linguist-vendored=false`) */
  reason: Reason | undefined;
}

export interface GeneratedFiles {
  /** Why `path` is left out of hotspots, or undefined when it is ranked. */
  reasonOf(path: string): Reason | undefined;
}

/** The rules for a repository at `head`: built-in ones first, its root `.gitattributes` after (later lines win). */
export async function generatedFiles(repoPath: string, head: string | null): Promise<GeneratedFiles> {
  const rules: Rule[] = BUILT_IN.map(([pattern, reason]) => ({ match: matcher(pattern), reason }));
  if (head) rules.push(...attributeRules(await rootAttributes(repoPath, head)));
  return {
    reasonOf(path) {
      for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.match(path)) return rules[i]!.reason;
      return undefined;
    },
  };
}

async function rootAttributes(repoPath: string, head: string): Promise<string> {
  try {
    return await gitFor(repoPath).raw(['cat-file', 'blob', `${head}:.gitattributes`]);
  } catch {
    return ''; // no .gitattributes at HEAD
  }
}

/** The linguist lines of a `.gitattributes` file, in order. */
export function attributeRules(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [pattern, ...attrs] = line.split(/[ \t]+/);
    for (const attr of attrs) {
      const m = /^(-|!)?linguist-(generated|vendored)(?:=(\w+))?$/.exec(attr);
      if (!m) continue;
      const on = m[1] === undefined && (m[3] === undefined || m[3] === 'true' || m[3] === '1');
      rules.push({ match: matcher(pattern!), reason: on ? (m[2] as 'generated' | 'vendored') : undefined });
    }
  }
  return rules;
}

/**
 * gitattributes pattern semantics: no slash → the file's name at any depth; a slash → a path from the repository
 * root (a leading slash only anchors).
 */
function matcher(pattern: string): (path: string) => boolean {
  const anchored = pattern.replace(/^\//, '');
  const glob = pattern.includes('/') ? anchored : `**/${pattern}`;
  return picomatch(glob, { dot: true });
}
