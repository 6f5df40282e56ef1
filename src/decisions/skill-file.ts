import { createHash } from 'node:crypto';
import { stringify as stringifyYaml } from 'yaml';
import { UserInputError } from '../errors.js';
import { parseFrontMatter } from '../front-matter.js';
import { oneLine } from './fixes.js';

// hindsight's part of a SKILL.md lives between these two lines; everything outside them is the human's and is
// never rewritten. The begin line carries a fingerprint of the description when hindsight wrote the front matter
// too, so a description a human edited since is recognised as theirs and kept.
const BEGIN = '<!-- hindsight:begin';
const END = '<!-- hindsight:end -->';
const HINT = 'propose_skill rewrites this section; write your own text outside it';

/** What hindsight proposes for a skill: its front matter and the Markdown of its section (steps and evidence). */
export interface SkillProposal {
  name: string;
  description: string;
  section: string;
}

export interface SkillFileUpdate {
  content: string;
  action: 'created' | 'updated' | 'merged' | 'unchanged';
  notes: string[];
}

/** The problem when `body` holds a line that would read as one of hindsight's section markers, or undefined. */
export function sectionMarkerProblem(body: string): string | undefined {
  return body.split('\n').some((line) => isBegin(line) || isEnd(line))
    ? `must not contain a line starting with '${BEGIN}' or '${END}' (hindsight's section markers)`
    : undefined;
}

/** A new SKILL.md, all of it hindsight's: front matter, then the marked section. Pure. */
export function renderSkillFile(p: SkillProposal): string {
  return `${frontMatter(p.name, p.description)}\n${section(p.section, p.description)}`;
}

/**
 * Brings hindsight's proposal into an existing SKILL.md without touching what a human wrote: the marked section
 * is replaced in place (or appended at the end the first time); the front matter is rewritten only when it is
 * exactly what hindsight wrote before (name and the fingerprinted description). Idempotent. Pure; `rel` names
 * the file in errors.
 */
export function mergeSkillFile(original: string, rel: string, p: SkillProposal): SkillFileUpdate {
  const { front, body } = splitFrontMatter(original);
  const lines = body.split('\n');
  const begins = indexesOf(lines, isBegin);
  const ends = indexesOf(lines, isEnd);
  const begin = begins[0];
  const end = ends[0];
  const onePairOrNone = begins.length <= 1 && begins.length === ends.length && !(end! < begin!);
  if (!onePairOrNone) {
    throw new UserInputError(
      `${rel} has ${begins.length} '${BEGIN} …' and ${ends.length} '${END}' lines, not one pair in order; ` +
        "keep exactly one pair around hindsight's section (or delete both lines to start a new one), then call again",
      'name',
    );
  }
  const notes: string[] = [];
  const data = front === undefined ? undefined : frontMatterData(front);
  if (front === undefined) notes.push(`${rel} has no front matter (name, description); agents may not load it`);
  else if (data === undefined) notes.push(`${rel} has front matter that is not valid YAML; agents may not load it`);
  const current = typeof data?.['description'] === 'string' ? data['description'] : undefined;
  const owned =
    front !== undefined &&
    current !== undefined &&
    begin !== undefined &&
    fingerprintOf(lines[begin]!) === fingerprint(current) &&
    front === frontMatter(p.name, current);

  let text = p.section;
  if (!owned && current?.trim() !== p.description.trim()) {
    text = `> Description hindsight proposes: ${oneLine(p.description)}\n\n${p.section.trim()}`;
    notes.push(
      `kept the description in ${rel} (hindsight did not write it); the proposed one opens hindsight's section`,
    );
  }
  const marked = section(text, owned ? p.description : undefined).replace(/\n$/, '');
  const before = withoutTrailingNewlines(body);
  const nextBody =
    begin === undefined
      ? `${before}${before ? '\n\n' : '\n'}${marked}\n`
      : [...lines.slice(0, begin), marked, ...lines.slice(end! + 1)].join('\n');
  const content = `${owned ? frontMatter(p.name, p.description) : (front ?? '')}${nextBody}`;
  if (content === original) return { content, action: 'unchanged', notes: [`${rel} already has this content`] };
  const onlyOurs = begin !== undefined && lines.every((l, i) => (i >= begin && i <= end!) || !l.trim());
  return { content, action: owned && onlyOurs ? 'updated' : 'merged', notes };
}

function frontMatter(name: string, description: string): string {
  return `---\n${stringifyYaml({ name, description: description.trim() }, { lineWidth: 0 }).trimEnd()}\n---\n`;
}

function section(text: string, ownedDescription: string | undefined): string {
  const fingerprinted = ownedDescription === undefined ? '' : ` description=${fingerprint(ownedDescription)}`;
  return `${BEGIN}${fingerprinted} \u00b7 ${HINT} -->\n${text.trim()}\n${END}\n`;
}

function fingerprint(description: string): string {
  return createHash('sha256').update(description.trim()).digest('hex').slice(0, 12);
}

function fingerprintOf(beginLine: string): string | undefined {
  return / description=([0-9a-f]{12})\b/.exec(beginLine)?.[1];
}

const isBegin = (line: string) => line.trimStart().startsWith(BEGIN);
const isEnd = (line: string) => line.trim() === END;

function indexesOf(lines: readonly string[], test: (line: string) => boolean): number[] {
  return lines.flatMap((line, i) => (test(line) ? [i] : []));
}

/** The front-matter block exactly as written (delimiters and final newline included) and the rest. */
function splitFrontMatter(text: string): { front?: string; body: string } {
  if (!/^---\r?\n/.test(text)) return { body: text };
  let at = text.indexOf('\n') + 1;
  while (at < text.length) {
    const next = text.indexOf('\n', at);
    const lineEnd = next < 0 ? text.length : next + 1;
    if (text.slice(at, lineEnd).trimEnd() === '---')
      return { front: text.slice(0, lineEnd), body: text.slice(lineEnd) };
    at = lineEnd;
  }
  return { body: text }; // no closing line: not front matter
}

function frontMatterData(front: string): Record<string, unknown> | undefined {
  try {
    return parseFrontMatter(`${front}\n`).data as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function withoutTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return text.slice(0, end);
}
