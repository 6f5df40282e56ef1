import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { evidenceLines, isoDay, loadEvidence, recordFix, type FixLinks, type ProposalResult } from './fixes.js';
import { parseDecisionRecord, readDecisionRecords, type DecisionRecord } from './records.js';
import { assertNotAPath, confinedPath, isDirectory, isFile, realPathInRepo, workTreeRoot } from './safe-path.js';
import type { FileChange } from './staged-files.js';
import { Redactor } from '../redact.js';

/** Where the repository keeps its ADRs and how that was decided. */
export interface AdrFolder {
  /** Repository-relative, forward slashes, no trailing slash. */
  folder: string;
  source: '.adr-dir' | '.log4brains.yml' | 'existing folder' | 'default (created)';
}

/** Conventional folders, in the order they are preferred when several exist. */
export const ADR_FOLDERS = ['docs/decisions', 'docs/adr', 'doc/adr'];
const DEFAULT_FOLDER = 'docs/adr';

/**
 * The ADR folder: adr-tools' `.adr-dir`, then log4brains' `project.adrFolder`, then the first conventional
 * folder that exists (then any configured decision folder), else `docs/adr` (created on the first write).
 */
export function findAdrFolder(root: string, configDirs: readonly string[] = []): AdrFolder & { notes: string[] } {
  const notes: string[] = [];
  // A settings file that links out of the repository is not read: its text would end up in answers and errors.
  const setting = (name: string) => {
    if (!isFile(join(root, name))) return undefined;
    const real = realPathInRepo(root, name);
    if (!real) notes.push(`${name} leads outside the repository through a symbolic link; ignored`);
    return real;
  };
  const adrDir = setting('.adr-dir');
  if (adrDir) {
    const folder = cleanFolder(readFileSync(adrDir, 'utf8'));
    if (folder) return { folder, source: '.adr-dir', notes };
    notes.push('.adr-dir is empty; ignored');
  }
  const l4b = setting('.log4brains.yml');
  if (l4b) {
    try {
      const config = parseYaml(readFileSync(l4b, 'utf8')) as { project?: { adrFolder?: unknown } } | null;
      const folder = typeof config?.project?.adrFolder === 'string' ? cleanFolder(config.project.adrFolder) : '';
      if (folder) return { folder, source: '.log4brains.yml', notes };
      notes.push('.log4brains.yml has no project.adrFolder; ignored');
    } catch (err) {
      notes.push(`.log4brains.yml is not valid YAML (${(err as Error).message.split('\n')[0]}); ignored`);
    }
  }
  for (const folder of [...ADR_FOLDERS, ...configDirs.map(cleanFolder)]) {
    if (folder && isDirectory(join(root, folder))) return { folder, source: 'existing folder', notes };
  }
  return { folder: DEFAULT_FOLDER, source: 'default (created)', notes };
}

function cleanFolder(text: string): string {
  return text
    .trim()
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
}

/** How new records are named: sequential numbers of a given width (adr-tools, MADR) or dates (log4brains). */
export interface AdrNumbering {
  style: 'sequential' | 'dated';
  width: number;
  /** The highest number in use (0 when none). */
  highest: number;
}

const NUMBERED = /^(\d+)[-_].*\.(md|markdown)$/i;

/**
 * Reads the numbering from the file names in the folder (any width, gaps allowed: the next number is the
 * highest plus one). A folder of `YYYYMMDD-…` names — or an empty log4brains folder — is dated.
 */
export function adrNumbering(folderAbs: string, source?: AdrFolder['source']): AdrNumbering {
  const numbers: string[] = [];
  if (isDirectory(folderAbs)) {
    for (const name of readdirSync(folderAbs)) {
      const m = NUMBERED.exec(name);
      if (m) numbers.push(m[1]!);
    }
  }
  const dated = numbers.length > 0 ? numbers.every((n) => /^(19|20)\d{6}$/.test(n)) : source === '.log4brains.yml';
  const highest = numbers.reduce((max, n) => Math.max(max, Number.parseInt(n, 10)), 0);
  const width = dated ? 8 : Math.max(1, ...numbers.map((n) => n.length), numbers.length ? 1 : 4);
  return { style: dated ? 'dated' : 'sequential', width, highest };
}

/** The next record's number: highest + 1, or today's date for dated folders. */
export function nextAdrNumber(numbering: AdrNumbering, now: number): number {
  return numbering.style === 'dated' ? Number(isoDay(now).replace(/-/g, '')) : numbering.highest + 1;
}

export function formatAdrNumber(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A file-name slug: lower case ASCII letters and digits joined by hyphens, at most 60 characters. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= 60) return slug;
  const cut = slug.slice(0, 61);
  return (cut.lastIndexOf('-') > 20 ? cut.slice(0, cut.lastIndexOf('-')) : cut.slice(0, 60)).replace(/-+$/, '');
}

export interface AdrOption {
  title: string;
  description?: string;
  pros?: string[];
  cons?: string[];
}

/** The content of a new MADR 4 record. */
export interface AdrContent {
  title: string;
  date: string;
  context: string;
  decision: string;
  options?: AdrOption[];
  chosen?: string;
  consequences?: string[];
  /** "[ADR-0003](0003-use-x.md)" when this record supersedes another. */
  supersedes?: string;
  evidence: string[];
}

/** Renders a MADR 4 record (front matter status + date) with status `proposed`. Pure. */
export function renderAdr(c: AdrContent): string {
  const out = ['---', 'status: proposed', `date: ${c.date}`, '---', '', `# ${c.title}`, ''];
  out.push('## Context and Problem Statement', '', c.context.trim(), '');
  const options = c.options ?? [];
  if (options.length) out.push('## Considered Options', '', ...options.map((o) => `* ${o.title}`), '');
  out.push('## Decision Outcome', '');
  if (c.chosen) out.push(`Chosen option: "${c.chosen}".`, '');
  out.push(c.decision.trim(), '');
  if (c.consequences?.length) out.push('### Consequences', '', ...c.consequences.map((x) => `* ${x.trim()}`), '');
  const detailed = options.filter((o) => o.description || o.pros?.length || o.cons?.length);
  if (detailed.length) {
    out.push('## Pros and Cons of the Options', '');
    for (const o of detailed) {
      out.push(`### ${o.title}`, '');
      if (o.description) out.push(o.description.trim(), '');
      const args = [
        ...(o.pros ?? []).map((p) => `* Good, because ${p.trim()}`),
        ...(o.cons ?? []).map((p) => `* Bad, because ${p.trim()}`),
      ];
      if (args.length) out.push(...args, '');
    }
  }
  if (c.supersedes || c.evidence.length) {
    out.push('## More Information', '');
    if (c.supersedes) out.push(`Supersedes ${c.supersedes}.`, '');
    if (c.evidence.length) out.push('### Evidence', '', 'Proposed by hindsight from:', '', ...c.evidence, '');
  }
  return out.join('\n');
}

/**
 * Marks a record superseded, keeping its format: MADR front matter `status:`, a MADR 2 `* Status:` bullet, or
 * the first line of a Nygard/adr-tools `## Status` section; a record with none gets a `## Status` section.
 */
export function markSuperseded(text: string, link: string): string {
  const fm = /^---\r?\n([\s\S]*?)\r?\n---(\r?\n|$)/.exec(text);
  if (fm) {
    const block = fm[1]!;
    const status = `status: "superseded by ${link.replace(/"/g, '\\"')}"`;
    const next = /^status:.*$/m.test(block) ? block.replace(/^status:.*$/m, status) : `${block}\n${status}`;
    return text.slice(0, fm.index) + fm[0].replace(block, () => next) + text.slice(fm.index + fm[0].length);
  }
  const lines = text.split('\n');
  const firstSection = lines.findIndex((l) => /^##\s/.test(l));
  const bullet = lines.findIndex(
    (l, i) => (firstSection < 0 || i < firstSection) && /^\s*(?:[*-]\s+)?status:\s*/i.test(l),
  );
  if (bullet >= 0) {
    lines[bullet] = lines[bullet]!.replace(/(status:\s*).*$/i, `$1superseded by ${link}`);
    return lines.join('\n');
  }
  const section = lines.findIndex((l) => /^##\s+status\s*$/i.test(l));
  if (section >= 0) {
    for (let i = section + 1; i < lines.length && !/^#/.test(lines[i]!); i++) {
      if (lines[i]!.trim()) {
        lines[i] = `Superseded by ${link}`;
        return lines.join('\n');
      }
    }
    lines.splice(section + 1, 0, '', `Superseded by ${link}`);
    return lines.join('\n');
  }
  const heading = lines.findIndex((l) => /^#\s/.test(l));
  lines.splice(heading + 1, 0, '', '## Status', '', `Superseded by ${link}`);
  return lines.join('\n');
}

export interface ProposeAdrInput extends FixLinks {
  title: string;
  context: string;
  decision: string;
  options?: AdrOption[];
  chosen?: string;
  consequences?: string[];
  /** The number of the record this one replaces. */
  supersedes?: number;
  dryRun?: boolean;
}

export interface ProposeAdrResult extends ProposalResult {
  number: number;
  folder: string;
  folderSource: AdrFolder['source'];
  supersededPath: string | null;
}

/**
 * Writes a new MADR record with status `proposed` into the repository's ADR folder under the next number,
 * linking back to its evidence; records the fix and marks the linked cluster covered. Never overwrites.
 */
export function proposeAdr(ctx: AppContext, given: ProposeAdrInput): ProposeAdrResult {
  const input = redactAdr(given);
  const root = workTreeRoot(ctx.config.repoPath);
  const title = input.title.trim();
  assertNotAPath(title, 'title');
  if (/\n/.test(title)) throw new UserInputError('title must be one line', 'title');
  const slug = slugify(title);
  if (!slug) throw new UserInputError('title has no letters or digits to name the file; use words', 'title');
  if (input.chosen && !(input.options ?? []).some((o) => o.title === input.chosen)) {
    throw new UserInputError(`chosen '${input.chosen}' is not one of the options' titles`, 'chosen');
  }
  const evidence = loadEvidence(ctx, input);
  const found = findAdrFolder(root, ctx.config.decisionDirs);
  const folder = confinedPath(
    root,
    '',
    found.folder,
    found.source === '.adr-dir' || found.source === '.log4brains.yml' ? found.source : 'folder',
  );
  const notes = [...found.notes, `ADR folder ${folder.rel} (${found.source})`];
  // The same proposal twice (a retried call, two agents on one cluster) is the record already written, not a new number.
  const same = recordedAlready(root, folder, slug, input.decision);
  if (same) {
    const path = posix.join(folder.rel, same.name);
    return {
      fixId: null,
      written: false,
      path,
      content: same.content,
      action: 'unchanged',
      number: same.number,
      folder: folder.rel,
      folderSource: found.source,
      supersededPath: null,
      notes: [...notes, `${path} already records this title and decision; nothing was written`],
    };
  }
  const numbering = adrNumbering(folder.abs, found.source);
  const now = ctx.clock();
  const number = nextAdrNumber(numbering, now);
  const label = formatAdrNumber(number, numbering.width);
  const fileName = `${label}-${slug}.md`;
  const target = confinedPath(root, folder.rel, posix.join(folder.rel, fileName), 'title');

  const changes: FileChange[] = [];
  let supersedes: string | undefined;
  let supersededPath: string | null = null;
  if (input.supersedes !== undefined) {
    const old = findRecord(root, folder.rel, input.supersedes);
    if (old.status === 'superseded') {
      throw new UserInputError(
        `ADR ${input.supersedes} (${old.path}) is already superseded${old.statusNote ? ` ("${old.statusNote}")` : ''}; supersede its successor instead`,
        'supersedes',
      );
    }
    const oldFile = confinedPath(root, folder.rel, old.path, 'supersedes');
    const original = readFileSync(oldFile.abs, 'utf8');
    const updated = markSuperseded(original, `[ADR-${label}](${posix.relative(posix.dirname(old.path), target.rel)})`);
    if (parseDecisionRecord(updated, old.path).status !== 'superseded') {
      throw new UserInputError(
        `could not find where ${old.path} states its status; mark it superseded by hand`,
        'supersedes',
      );
    }
    supersedes = `[ADR-${formatAdrNumber(input.supersedes, numbering.width)}](${posix.relative(posix.dirname(target.rel), old.path)}) "${old.title}"`;
    supersededPath = old.path;
    changes.push({ abs: oldFile.abs, rel: oldFile.rel, content: updated, mode: 'replace', original });
    notes.push(`${old.path} marked superseded by ADR-${label}`);
  }
  const content = renderAdr({
    title,
    date: isoDay(now),
    context: input.context,
    decision: input.decision,
    ...(input.options ? { options: input.options } : {}),
    ...(input.chosen ? { chosen: input.chosen } : {}),
    ...(input.consequences ? { consequences: input.consequences } : {}),
    ...(supersedes ? { supersedes } : {}),
    // MADR lists use `*`; keep the Evidence list in the same style.
    evidence: evidenceLines(evidence).map((l) => l.replace(/^- /, '* ')),
  });
  changes.unshift({
    abs: target.abs,
    rel: target.rel,
    content,
    mode: 'create',
    // Dated folders share a day's number by design; only sequential numbers must be unique.
    ...(numbering.style === 'sequential' ? { check: () => assertNumberFree(folder.abs, fileName, number) } : {}),
  });
  if (existsSync(target.abs))
    throw new UserInputError(`${target.rel} already exists; hindsight never overwrites`, 'title');

  const base = {
    path: target.rel,
    content,
    action: 'created' as const,
    number,
    folder: folder.rel,
    folderSource: found.source,
    supersededPath,
    notes,
  };
  if (input.dryRun) return { fixId: null, written: false, ...base };
  const fixId = recordFix(ctx, { type: 'adr', title, path: target.rel, changes, evidence });
  return { fixId, written: true, ...base };
}

/** A numbered record in the folder with this title's slug whose text holds this decision (white space folded). */
function recordedAlready(
  root: string,
  folder: { abs: string; rel: string },
  slug: string,
  decision: string,
): { name: string; number: number; content: string } | undefined {
  if (!isDirectory(folder.abs)) return undefined;
  const fold = (t: string) => t.replace(/\s+/g, ' ').trim();
  const wanted = fold(decision);
  for (const name of readdirSync(folder.abs)) {
    const m = NUMBERED.exec(name);
    if (!m || name.slice(m[1]!.length + 1).replace(/\.(md|markdown)$/i, '') !== slug) continue;
    // Read only what stays in the repository: the answer carries the content.
    const real = realPathInRepo(root, posix.join(folder.rel, name));
    if (!real || !isFile(real)) continue;
    const content = readFileSync(real, 'utf8');
    if (fold(content).includes(wanted)) return { name, number: Number.parseInt(m[1]!, 10), content };
  }
  return undefined;
}

/**
 * Two proposals racing for the same number (different titles) both land; the one whose name sorts first keeps
 * it and the other is taken back, so a number is never used twice.
 */
export function assertNumberFree(folderAbs: string, fileName: string, number: number): void {
  const clash = readdirSync(folderAbs).find((name) => {
    const m = NUMBERED.exec(name);
    return m !== null && name !== fileName && Number.parseInt(m[1]!, 10) === number && name < fileName;
  });
  if (clash)
    throw new UserInputError(`ADR number ${number} was taken meanwhile by ${clash}; nothing was written, retry`);
}

/** The record with this number in the folder; an unknown number lists the known ones. */
function findRecord(root: string, folder: string, number: number): DecisionRecord {
  const { records } = readDecisionRecords(root, [folder]);
  const matches = records.filter((r) => r.number === number);
  const direct = matches.find((r) => posix.dirname(r.path) === folder) ?? matches[0];
  if (!direct) {
    const known = records.flatMap((r) => (r.number === null ? [] : [r.number])).sort((a, b) => a - b);
    throw new UserInputError(
      `supersedes: no ADR numbered ${number} in ${folder}${known.length ? `; known: ${known.join(', ')}` : ' (it has no numbered records)'}`,
      'supersedes',
    );
  }
  return direct;
}

/** Every folder an ADR may be read from: the detected one and the configured ones that exist. */
export function adrReadFolders(repoPath: string, configDirs: readonly string[]): string[] {
  const found = findAdrFolder(repoPath, configDirs).folder;
  return [...new Set([found, ...configDirs.map(cleanFolder)])].filter((d) => d && isDirectory(join(repoPath, d)));
}

/** Every numbered ADR in the detected and configured folders, by number (the first found wins a duplicate). */
export function listAdrs(repoPath: string, configDirs: readonly string[]): DecisionRecord[] {
  const { records } = readDecisionRecords(repoPath, adrReadFolders(repoPath, configDirs));
  const byNumber = new Map<number, DecisionRecord>();
  for (const r of records) if (r.number !== null && !byNumber.has(r.number)) byNumber.set(r.number, r);
  return [...byNumber.values()].sort((a, b) => a.number! - b.number!);
}

/** The record's texts without secrets: it is written into the repository and often opened as a pull request. */
function redactAdr(i: ProposeAdrInput): ProposeAdrInput {
  const r = new Redactor();
  return {
    ...i,
    title: r.text(i.title),
    context: r.text(i.context),
    decision: r.text(i.decision),
    chosen: r.optional(i.chosen),
    options: i.options?.map((o) => ({
      ...o,
      title: r.text(o.title),
      description: r.optional(o.description),
      pros: o.pros && r.list(o.pros),
      cons: o.cons && r.list(o.cons),
    })),
    consequences: i.consequences && r.list(i.consequences),
  };
}
