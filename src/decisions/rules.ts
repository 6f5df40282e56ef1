import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { slugify } from './adr.js';
import {
  evidenceSummary,
  isoDay,
  loadEvidence,
  oneLine,
  recordFix,
  type Evidence,
  type FixLinks,
  type ProposalResult,
} from './fixes.js';
import {
  confinedPath,
  isDirectory,
  isFile,
  pathProblem,
  readInRepo,
  realPathInRepo,
  workTreeRoot,
} from './safe-path.js';
import type { FileChange } from './staged-files.js';
import { Redactor } from '../redact.js';

/** The rule files coding agents read, by the keyword a caller can target them with. */
export const RULE_FILES = {
  agents: 'AGENTS.md',
  claude: 'CLAUDE.md',
  copilot: '.github/copilot-instructions.md',
  constitution: '.specify/memory/constitution.md',
} as const;
export const CURSOR_RULES_DIR = '.cursor/rules';
export type RuleKind = keyof typeof RULE_FILES | 'cursor';
export const RULE_KINDS: readonly RuleKind[] = ['agents', 'claude', 'cursor', 'copilot', 'constitution'];

/** A rule file found in the repository. */
export interface RuleFile {
  kind: RuleKind;
  /** Repository-relative, forward slashes. */
  path: string;
}

/**
 * The rule files present: the fixed ones, then every `.cursor/rules/**.mdc` (two levels deep). A file whose
 * symbolic links lead outside the repository (or into .git) is not a rule file of this repository: skipped.
 */
export function detectRuleFiles(root: string): RuleFile[] {
  const found: RuleFile[] = [];
  const isRuleFile = (rel: string) => isFile(join(root, rel)) && realPathInRepo(root, rel) !== undefined;
  for (const [kind, path] of Object.entries(RULE_FILES) as [keyof typeof RULE_FILES, string][]) {
    if (isRuleFile(path)) found.push({ kind, path });
  }
  const walk = (rel: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(join(root, rel)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const child = `${rel}/${name}`;
      if (name.endsWith('.mdc') && isRuleFile(child)) found.push({ kind: 'cursor', path: child });
      else if (depth < 2 && !name.startsWith('.') && isDirectory(join(root, child))) walk(child, depth + 1);
    }
  };
  walk(CURSOR_RULES_DIR, 0);
  return found;
}

/**
 * Where a rule goes when the caller names no target: the one file most agents read — AGENTS.md, else CLAUDE.md,
 * else Copilot's instructions, else a spec-kit constitution, else a new Cursor rule when the repo uses Cursor
 * rules, else a new AGENTS.md. One file, so a rule is not copied into several that may include each other.
 */
export function defaultRuleKind(detected: readonly RuleFile[]): RuleKind {
  const has = (k: RuleKind) => detected.some((f) => f.kind === k);
  for (const k of ['agents', 'claude', 'copilot', 'constitution'] as const) if (has(k)) return k;
  return has('cursor') ? 'cursor' : 'agents';
}

// A Cursor rule up to two folders below .cursor/rules (as detectRuleFiles finds them), and the AGENTS.md or
// CLAUDE.md of a sub-folder (both formats read the nearest one). No segment may be hidden: .git, .github …
const CURSOR_RULE_PATH = /^\.cursor\/rules\/(?:[^/.][^/]*\/){0,2}[^/.][^/]*\.mdc$/;
const NESTED_RULE_PATH = /^(?:[^/.][^/]*\/)+(AGENTS|CLAUDE)\.md$/;

/** Every target propose_rule accepts, as its errors list them. */
export const RULE_TARGETS =
  `${RULE_KINDS.join(', ')}, or one of the paths ${Object.values(RULE_FILES).join(', ')}, ` +
  `${CURSOR_RULES_DIR}/<name>.mdc (up to two folders deep), <folder>/AGENTS.md, <folder>/CLAUDE.md`;

/**
 * The rule file a `target` names: a keyword (`cursor` alone means a new Cursor rule, so no path) or one of the
 * known rule paths. Anything else — README.md, a workflow, a hook, a path out of the repository — is refused
 * with the list of allowed targets.
 */
export function ruleTarget(target: string): { kind: RuleKind; rel?: string } {
  if ((RULE_KINDS as readonly string[]).includes(target)) {
    const kind = target as RuleKind;
    return kind === 'cursor' ? { kind } : { kind, rel: RULE_FILES[kind] };
  }
  const fixed = (Object.entries(RULE_FILES) as [keyof typeof RULE_FILES, string][]).find(([, p]) => p === target);
  if (fixed) return { kind: fixed[0], rel: target };
  const problem = pathProblem(target);
  if (!problem) {
    if (CURSOR_RULE_PATH.test(target)) return { kind: 'cursor', rel: target };
    const nested = NESTED_RULE_PATH.exec(target);
    if (nested) return { kind: nested[1] === 'AGENTS' ? 'agents' : 'claude', rel: target };
  }
  throw new UserInputError(
    `target '${target}' ${problem ?? 'is not a rule file hindsight writes'}; allowed targets: ${RULE_TARGETS}`,
    'target',
  );
}

const OBLIGATION = /\b(MUST|SHOULD|SHALL)( NOT)?\b|\bREQUIRED\b/;

/** A rule states an obligation in RFC 2119 capitals on one line; the error says how to fix it. */
export function validateRuleText(rule: string): void {
  if (/\r|\n/.test(rule.trim()))
    throw new UserInputError('rule must be one line; put the explanation in rationale', 'rule');
  if (rule.trim().length < 10)
    throw new UserInputError('rule is too short to act on; state what MUST or SHOULD happen', 'rule');
  if (OBLIGATION.test(rule)) return;
  const lower = /\b(must|should|shall)( not)?\b/i.exec(rule)?.[0];
  throw new UserInputError(
    lower
      ? `rule: write the obligation in RFC 2119 capitals — '${lower.toUpperCase()}' instead of '${lower}'`
      : 'rule must state an obligation with MUST, MUST NOT, SHOULD or SHOULD NOT (in capitals), e.g. ' +
          '"Payment retries MUST reuse the original idempotency key."',
    'rule',
  );
}

export const RULES_HEADING = '## Rules from hindsight';

/** The Markdown list item for one rule, with why and the evidence. */
export function ruleBlock(rule: string, rationale: string | undefined, evidence: string, date: string): string {
  const lines = [`- ${oneLine(rule)}`];
  if (rationale?.trim()) lines.push(`  - Why: ${oneLine(rationale)}`);
  lines.push(`  - Proposed by hindsight on ${date}${evidence ? ` from ${evidence}` : ''}.`);
  return lines.join('\n');
}

/** Whether the file already states this rule (as a list item or a line of its own), ignoring case and spacing. */
export function containsRule(text: string, rule: string): boolean {
  const want = normalizeRule(rule);
  return text.split(/\r?\n/).some((line) => normalizeRule(line.replace(/^\s*(?:[-*+]|\d+\.|#+)\s+/, '')) === want);
}

function normalizeRule(text: string): string {
  return text.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim().replace(TRAILING_STOPS, '').toLowerCase();
}

// `[.;]+$` tried every position of a run of dots in the middle of a line (quadratic); `(?<![.;])` starts only at a
// run's first character.
const TRAILING_STOPS = /(?<![.;])[.;]+$/;

/**
 * Appends a block at the end of the `## Rules from hindsight` section, creating the section once — at the end,
 * or before `before` (e.g. a constitution's Governance section) when that heading exists.
 */
export function appendToRulesSection(text: string, block: string, before?: RegExp): string {
  const trimmed = text.trimEnd();
  const lines = trimmed ? trimmed.split(/\r?\n/) : [];
  const start = lines.findIndex((l) => l.trim() === RULES_HEADING);
  if (start >= 0) {
    let end = lines.findIndex((l, i) => i > start && /^#{1,2}\s/.test(l));
    if (end < 0) end = lines.length;
    let last = end;
    while (last > start + 1 && !lines[last - 1]!.trim()) last--;
    lines.splice(last, end - last, '', ...block.split('\n'), ...(end < lines.length ? [''] : []));
    return `${lines.join('\n')}\n`;
  }
  const at = before ? lines.findIndex((l) => before.test(l)) : -1;
  const section = [RULES_HEADING, '', ...block.split('\n')];
  if (at < 0) return `${[...lines, ...(lines.length ? [''] : []), ...section].join('\n')}\n`;
  lines.splice(at, 0, ...section, '');
  return `${lines.join('\n')}\n`;
}

/**
 * A spec-kit constitution amendment: adding a rule is "materially expanded guidance", a MINOR bump
 * (x.y.z → x.(y+1).0), and Last Amended becomes today. Undefined when the file has no version line.
 */
export function bumpConstitution(text: string, date: string): { text: string; from: string; to: string } | undefined {
  const version = /(\*\*Version\*\*:?|\bVersion:)(\s*)v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!version) return undefined;
  const from = `${version[3]}.${version[4]}.${version[5]}`;
  const to = `${version[3]}.${Number(version[4]) + 1}.0`;
  let next =
    text.slice(0, version.index) + `${version[1]}${version[2]}${to}` + text.slice(version.index + version[0].length);
  next = next.replace(/(\*\*Last Amended\*\*:?|\bLast Amended:)(\s*)[^\s|]+/, `$1$2${date}`);
  return { text: next, from, to };
}

/** A new Cursor rule file: front matter (description, globs, alwaysApply), a heading and the rule. */
export function renderMdc(opts: {
  description: string;
  globs: readonly string[];
  title: string;
  block: string;
}): string {
  const front = [
    stringifyYaml({ description: opts.description }, { lineWidth: 0 }).trimEnd(),
    globsLine(opts.globs),
    // No globs: the rule concerns the whole repository, so it applies always rather than on request.
    `alwaysApply: ${opts.globs.length === 0}`,
  ];
  return ['---', ...front, '---', '', `# ${opts.title}`, '', RULES_HEADING, '', opts.block, ''].join('\n');
}

// Cursor documents `globs` as a comma-separated list without quotes; when a glob would not survive as a plain
// YAML scalar (e.g. it starts with `*`), a YAML list — which Cursor also accepts — keeps it parseable.
function globsLine(globs: readonly string[]): string {
  if (globs.length === 0) return 'globs:';
  const plain = globs.join(', ');
  try {
    const parsed = parseYaml(`globs: ${plain}`) as { globs?: unknown };
    if (parsed.globs === plain) return `globs: ${plain}`;
  } catch {
    // not a plain scalar
  }
  return stringifyYaml({ globs: [...globs] }, { lineWidth: 0 }).trimEnd();
}

/** Directory globs for the evidence's paths (`src/payments/x.ts` → `src/payments/**`) plus the module's globs. */
export function globsFor(ctx: AppContext, ev: Evidence, limit = 8): string[] {
  const out = new Set<string>();
  const paths = [...ev.entries.flatMap((e) => e.paths), ...ev.clusters.flatMap((c) => c.paths)];
  for (const p of paths) {
    const dir = posix.dirname(p);
    out.add(dir === '.' ? p : `${dir}/**`);
  }
  const modules = new Set([...ev.entries.map((e) => e.module), ...ev.clusters.map((c) => c.module)].filter(Boolean));
  for (const m of modules) for (const g of ctx.config.modules[m] ?? []) out.add(g);
  return [...out].slice(0, limit);
}

export interface ProposeRuleInput extends FixLinks {
  rule: string;
  rationale?: string;
  /** A short name (the Cursor rule's heading and file name); default: the rule's first words. */
  title?: string;
  /** One of RULE_KINDS or a known rule file path (see ruleTarget); default: see defaultRuleKind. */
  target?: string;
  /** Cursor only: file globs; default: derived from the evidence's paths and modules. */
  globs?: string[];
  dryRun?: boolean;
}

export interface ProposeRuleResult extends ProposalResult {
  kind: RuleKind;
  /** Constitution only: the version before and after the amendment. */
  version: { from: string; to: string } | null;
}

/**
 * Appends a rule (MUST/SHOULD wording) with its rationale and evidence under `## Rules from hindsight` in the
 * rule file the agents read, or writes a new Cursor rule; bumps a spec-kit constitution's version. Idempotent:
 * a rule already in the file is not added again.
 */
export function proposeRule(ctx: AppContext, given: ProposeRuleInput): ProposeRuleResult {
  // The rule lands in a file agents read and the repository keeps: no secret goes in.
  const r = new Redactor();
  const input = {
    ...given,
    rule: r.text(given.rule),
    rationale: r.optional(given.rationale),
    title: r.optional(given.title),
  };
  const root = workTreeRoot(ctx.config.repoPath);
  const rule = oneLine(input.rule);
  validateRuleText(input.rule);
  const title = oneLine(input.title ?? '') || shorten(rule, 80);
  const evidence = loadEvidence(ctx, input);
  const detected = detectRuleFiles(root);
  const date = isoDay(ctx.clock());
  const block = ruleBlock(rule, input.rationale, evidenceSummary(evidence), date);
  const plan = planRule(ctx, root, input, {
    rule,
    title,
    block,
    date,
    detected,
    evidence,
    ...(input.globs ? { globs: input.globs } : {}),
  });

  const { change, ...out } = plan;
  if (input.dryRun) return { fixId: null, written: false, ...out };
  const changes = change ? [change] : [];
  const fixId = recordFix(ctx, {
    type: 'rule',
    title,
    path: plan.path,
    changes,
    evidence,
    reuse: changes.length === 0,
  });
  return { fixId, written: changes.length > 0, ...out };
}

interface RulePlan {
  path: string;
  content: string;
  action: ProposalResult['action'];
  kind: RuleKind;
  version: { from: string; to: string } | null;
  notes: string[];
  change?: FileChange;
}

function planRule(
  ctx: AppContext,
  root: string,
  input: ProposeRuleInput,
  r: {
    rule: string;
    title: string;
    block: string;
    date: string;
    detected: RuleFile[];
    evidence: Evidence;
    globs?: string[];
  },
): RulePlan {
  const target = input.target?.trim() || defaultRuleKind(r.detected);
  const notes = input.target ? [] : [`target ${target} chosen by default (the repo's primary rule file)`];
  const { kind, rel } = ruleTarget(target);
  if (rel === undefined) {
    const existing = r.detected.find(
      (f) => f.kind === 'cursor' && containsRule(readInRepo(root, f.path, 'target'), r.rule),
    );
    if (existing) return unchanged(existing.path, 'cursor', r.rule, notes);
    const base = slugify(shorten(r.title, 48)) || 'hindsight-rule';
    let name = `${CURSOR_RULES_DIR}/${base}.mdc`;
    for (let i = 2; existsSync(join(root, name)); i++) name = `${CURSOR_RULES_DIR}/${base}-${i}.mdc`;
    return newMdc(ctx, root, name, r, notes);
  }
  const file = confinedPath(root, '', rel, 'target');
  // A link inside the repository is written through (AGENTS.md → CLAUDE.md), but only to a Markdown file.
  if (!/\.(md|mdc)$/i.test(file.rel)) {
    throw new UserInputError(
      `target '${rel}' links to ${file.rel}, which is not a Markdown rule file; refused`,
      'target',
    );
  }
  const fileKind = kind;
  if (!existsSync(file.abs)) {
    if (fileKind === 'constitution') {
      throw new UserInputError(
        `no constitution at ${RULE_FILES.constitution}; create it with spec-kit (/speckit.constitution) or choose another target`,
        'target',
      );
    }
    if (fileKind === 'cursor') return newMdc(ctx, root, file.rel, r, notes);
    const content = appendToRulesSection('', r.block);
    return {
      path: file.rel,
      content,
      action: 'created',
      kind: fileKind,
      version: null,
      notes,
      change: { ...file, content, mode: 'create' },
    };
  }
  const original = readFileSync(file.abs, 'utf8');
  if (containsRule(original, r.rule)) return unchanged(file.rel, fileKind, r.rule, notes);
  let next = appendToRulesSection(original, r.block, fileKind === 'constitution' ? /^##\s+Governance\b/i : undefined);
  let version: RulePlan['version'] = null;
  if (fileKind === 'constitution') {
    const bumped = bumpConstitution(next, r.date);
    if (bumped) {
      next = bumped.text;
      version = { from: bumped.from, to: bumped.to };
      notes.push(
        `constitution version ${bumped.from} → ${bumped.to} (MINOR: expanded guidance), Last Amended ${r.date}`,
      );
    } else {
      notes.push('the constitution has no **Version** line, so its version was not bumped');
    }
  }
  return {
    path: file.rel,
    content: r.block,
    action: 'appended',
    kind: fileKind,
    version,
    notes,
    change: { ...file, content: next, mode: 'replace', original },
  };
}

function newMdc(
  ctx: AppContext,
  root: string,
  rel: string,
  r: { rule: string; title: string; block: string; evidence: Evidence; globs?: string[] },
  notes: string[],
): RulePlan {
  const file = confinedPath(root, '', rel, 'target');
  const content = renderMdc({
    description: r.rule,
    globs: r.globs ?? globsFor(ctx, r.evidence),
    title: r.title,
    block: r.block,
  });
  return {
    path: file.rel,
    content,
    action: 'created',
    kind: 'cursor',
    version: null,
    notes,
    change: { ...file, content, mode: 'create' },
  };
}

function unchanged(path: string, kind: RulePlan['kind'], rule: string, notes: string[]): RulePlan {
  return {
    path,
    content: rule,
    action: 'unchanged',
    kind,
    version: null,
    notes: [...notes, `${path} already states this rule; nothing appended`],
  };
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : cut.length)}…`;
}
