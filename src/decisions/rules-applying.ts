import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { parseFrontMatter } from '../front-matter.js';
import { detectRuleFiles, RULE_FILES } from './rules.js';
import { mentionedTerms, termMatchers } from './records.js';
import { isFile, realPathInRepo } from './safe-path.js';

/** A rule file an agent editing the paths reads, and why it applies ("all files", "globs src/payments/**"). */
export interface ApplyingRule {
  path: string;
  why: string;
}

const NESTED = ['AGENTS.md', 'CLAUDE.md'];

/**
 * The rule files that apply to these paths: a Cursor rule whose `globs` match one of them, the AGENTS.md/CLAUDE.md
 * of a folder above one, and a repository-wide rule file (or always-applied Cursor rule) that names one of the
 * paths, its folder or module. Every agent reads the repository-wide files anyway: naming them on every call
 * would say nothing.
 */
export function rulesApplyingTo(root: string, paths: readonly string[], modules: readonly string[]): ApplyingRule[] {
  const out: ApplyingRule[] = [];
  const matchers = termMatchers({ paths, modules });
  const names = (text: string) => mentionedTerms(text.toLowerCase(), matchers)[0];
  for (const rule of detectRuleFiles(root)) {
    const text = readText(root, rule.path);
    if (text === undefined) continue;
    const glob = rule.kind === 'cursor' ? cursorRuleScope(text, paths) : undefined;
    if (glob === null) continue; // a Cursor rule an agent loads only on request
    const named = glob ? undefined : names(text);
    if (glob || named) out.push({ path: rule.path, why: glob ? `globs ${glob}` : `names ${named!.term}` });
  }
  const folders = new Set<string>();
  for (const p of paths) {
    for (let dir = posix.dirname(p); dir !== '.' && dir !== '/' && dir !== ''; dir = posix.dirname(dir))
      folders.add(dir);
  }
  for (const dir of [...folders].sort()) {
    for (const name of NESTED) {
      const rel = `${dir}/${name}`;
      if (!Object.values(RULE_FILES).includes(rel as never) && isFile(join(root, rel)) && realPathInRepo(root, rel)) {
        out.push({ path: rel, why: `files under ${dir}/` });
      }
    }
  }
  return out;
}

function readText(root: string, rel: string): string | undefined {
  try {
    return readFileSync(join(root, rel), 'utf8');
  } catch {
    return undefined; // removed since it was listed
  }
}

/**
 * The glob of a Cursor rule that matches one of the paths; '' for a rule applied always (whose globs do not
 * match); null for one applied only on request (or unreadable: Cursor would not apply it either).
 */
function cursorRuleScope(text: string, paths: readonly string[]): string | null {
  let data: Record<string, unknown>;
  try {
    data = parseFrontMatter(text).data as Record<string, unknown>;
  } catch {
    return null;
  }
  const raw = data['globs'];
  const globs = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
    .filter((g): g is string => typeof g === 'string')
    .map((g) => g.trim())
    .filter(Boolean);
  const hit = globs.find((g) => {
    const test = picomatch(g, { dot: true });
    return paths.some((p) => test(p));
  });
  return hit ?? (data['alwaysApply'] === true ? '' : null);
}
