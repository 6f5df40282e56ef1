import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { parseFrontMatter } from '../front-matter.js';
import { isBareRepository, isDirectory, realPathInRepo } from './safe-path.js';

/** One decision record (ADR) as found on disk. */
export interface DecisionRecord {
  number: number | null;
  title: string;
  /** Canonical lower-case status (proposed, accepted, rejected, deprecated, superseded …), or null when absent. */
  status: string | null;
  /** The rest of the status line when it says more ("Superceded by 3. Use Kafka"). */
  statusNote?: string;
  /** Repository-relative, forward slashes. */
  path: string;
  /** The full text, for term matching. */
  text: string;
}

export interface DecisionScan {
  records: DecisionRecord[];
  notes: string[];
}

const RECORD_FILE = /\.(md|markdown)$/i;
const NOT_A_RECORD = /^(readme|index|template|adr-template|_.*)\.(md|markdown)$/i;
const MAX_DEPTH = 3;

// Parsed records keyed by absolute file, re-read only when the file's mtime or size changes;
// directory listings keyed by the directory's mtime (adding, removing or renaming a file bumps it).
const fileCache = new Map<string, { mtimeMs: number; size: number; record: DecisionRecord }>();
const dirCache = new Map<string, { mtimeMs: number; entries: { name: string; dir: boolean }[] }>();

/**
 * Reads the decision records under `dirs` (relative to the repository). A bare repository has no work
 * tree to read: it yields no records and a note saying so.
 */
export function readDecisionRecords(repoPath: string, dirs: readonly string[]): DecisionScan {
  const root = resolve(repoPath);
  if (isBareRepository(root)) {
    return {
      records: [],
      notes: [`the repository at ${repoPath} is bare (no work tree), so decision records were not read`],
    };
  }
  const records: DecisionRecord[] = [];
  const notes: string[] = [];
  let found = 0;
  for (const dir of dirs) {
    const abs = resolve(root, dir);
    const rel = relative(root, abs);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      notes.push(`decision folder '${dir}' is outside the repository; skipped`);
      continue;
    }
    if (!isDirectory(abs)) continue;
    if (!realPathInRepo(root, rel)) {
      notes.push(`decision folder '${dir}' leads outside the repository through a symbolic link; skipped`);
      continue;
    }
    found++;
    walk(root, abs, 0, records);
  }
  if (found === 0) notes.push(`no decision record folder found (looked in ${dirs.join(', ') || 'none configured'})`);
  records.sort((a, b) => a.path.localeCompare(b.path));
  return { records, notes };
}

function walk(root: string, dir: string, depth: number, out: DecisionRecord[]): void {
  for (const entry of listDir(dir)) {
    const abs = join(dir, entry.name);
    if (entry.dir) {
      if (depth < MAX_DEPTH && !entry.name.startsWith('.')) walk(root, abs, depth + 1, out);
    } else if (RECORD_FILE.test(entry.name) && !NOT_A_RECORD.test(entry.name)) {
      const record = readRecord(root, abs);
      if (record) out.push(record);
    }
  }
}

function listDir(dir: string): { name: string; dir: boolean }[] {
  const mtimeMs = statSync(dir).mtimeMs;
  const hit = dirCache.get(dir);
  if (hit && hit.mtimeMs === mtimeMs) return hit.entries;
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() || e.isDirectory())
    .map((e) => ({ name: e.name, dir: e.isDirectory() }));
  dirCache.set(dir, { mtimeMs, entries });
  return entries;
}

function readRecord(root: string, abs: string): DecisionRecord | undefined {
  let st;
  try {
    st = statSync(abs);
  } catch {
    return undefined; // removed between listing and reading
  }
  const hit = fileCache.get(abs);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.record;
  const record = parseDecisionRecord(readFileSync(abs, 'utf8'), relative(root, abs).split('\\').join('/'));
  fileCache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, record });
  return record;
}

const STATUS_WORDS: Record<string, string> = {
  proposed: 'proposed',
  draft: 'draft',
  accepted: 'accepted',
  approved: 'accepted',
  rejected: 'rejected',
  deprecated: 'deprecated',
  superseded: 'superseded',
  superceded: 'superseded', // adr-tools' spelling
};

/**
 * Parses one record: title from the first `# ` heading (number prefixes stripped), number from the file
 * name (`0007-…`) or the heading (`# 7. …`), status from MADR front matter (`status:`), a MADR 2 bullet
 * (`* Status: accepted`) or the first line of a `## Status` section (Nygard / adr-tools).
 */
export function parseDecisionRecord(text: string, path: string): DecisionRecord {
  let data: Record<string, unknown> = {};
  let body = text;
  try {
    const parsed = parseFrontMatter(text);
    data = parsed.data as Record<string, unknown>;
    body = parsed.content;
  } catch {
    // Broken front matter: read the file as plain markdown rather than dropping the record.
  }
  const lines = body.split(/\r?\n/);
  const heading = lines
    .find((l) => /^#\s+\S/.test(l))
    ?.replace(/^#\s+/, '')
    .trim();
  const fileName = posix.basename(path);
  const fileNumber = /^(\d+)[-_ .]/.exec(fileName)?.[1];
  const headingNumber = heading ? /^(?:ADR[-\s]?)?(\d+)[.:\-\s]/i.exec(heading)?.[1] : undefined;
  const numberText = fileNumber ?? headingNumber;
  const rawTitle =
    heading ??
    (typeof data['title'] === 'string' ? data['title'] : fileName.replace(RECORD_FILE, '').replace(/[-_]+/g, ' '));
  const title = rawTitle.replace(/^(?:ADR[-\s]?)?\d+(?:[.:-]\s*|\s+)/i, '').trim() || rawTitle.trim();

  const statusLine = frontMatterStatus(data) ?? bulletStatus(lines) ?? sectionStatus(lines);
  const status = statusLine ? canonicalStatus(statusLine) : null;
  return {
    number: numberText === undefined ? null : Number.parseInt(numberText, 10),
    title,
    status: status?.status ?? null,
    ...(status?.note ? { statusNote: status.note } : {}),
    path,
    text,
  };
}

function frontMatterStatus(data: Record<string, unknown>): string | undefined {
  const s = data['status'];
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
}

function bulletStatus(lines: string[]): string | undefined {
  for (const l of lines) {
    if (/^##\s/.test(l)) return undefined; // MADR 2 puts the bullets before the first section
    const m = /^\s*(?:[*-]\s+)?status:\s*(.+)$/i.exec(l);
    if (m) return m[1]!.trim();
  }
  return undefined;
}

function sectionStatus(lines: string[]): string | undefined {
  const start = lines.findIndex((l) => /^##\s+status\s*$/i.test(l));
  if (start < 0) return undefined;
  for (const l of lines.slice(start + 1)) {
    if (/^#/.test(l)) return undefined;
    if (l.trim()) return l.trim();
  }
  return undefined;
}

function canonicalStatus(line: string): { status: string; note?: string } {
  const plain = line
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '')
    .trim();
  const word = /^[A-Za-z]+/.exec(plain)?.[0]?.toLowerCase();
  const status = word ? STATUS_WORDS[word] : undefined;
  if (!status) return { status: plain.slice(0, 80).toLowerCase() };
  const note = plain.length > word!.length ? plain.slice(0, 120) : undefined;
  return note ? { status, note } : { status };
}

export interface DecisionTerms {
  /** Repository paths about to change; their directories (two segments or more) match too. */
  paths: readonly string[];
  modules: readonly string[];
}

export interface DecisionMatch {
  number: number | null;
  title: string;
  status: string | null;
  statusNote?: string;
  path: string;
  /** Which terms the record mentions ("path src/payments/gateway.ts", "module payments"). */
  matched: string[];
}

export interface DecisionLookup {
  items: DecisionMatch[];
  limit: number;
  hasMore: boolean;
  notes: string[];
}

const SPECIFICITY: Record<string, number> = { path: 0, directory: 1, module: 2 };
const SETTLED_LAST = new Set(['superseded', 'deprecated', 'rejected']);

/**
 * Decision records that mention any of the paths, their directories or the module names (whole-word,
 * case-insensitive). Most specific match first, live records before superseded ones, newest number first.
 */
export function findDecisionRecords(
  repoPath: string,
  dirs: readonly string[],
  terms: DecisionTerms,
  limit = 10,
): DecisionLookup {
  const { records, notes } = readDecisionRecords(repoPath, dirs);
  const matchers = termMatchers(terms);
  const hits: (DecisionMatch & { rank: number })[] = [];
  for (const r of records) {
    const matched = mentionedTerms(lowerText(r), matchers);
    if (matched.length === 0) continue;
    hits.push({
      number: r.number,
      title: r.title,
      status: r.status,
      ...(r.statusNote ? { statusNote: r.statusNote } : {}),
      path: r.path,
      matched: matched.map((m) => `${m.kind} ${m.term}`),
      rank: Math.min(...matched.map((m) => SPECIFICITY[m.kind]!)),
    });
  }
  hits.sort(
    (a, b) =>
      a.rank - b.rank ||
      Number(SETTLED_LAST.has(a.status ?? '')) - Number(SETTLED_LAST.has(b.status ?? '')) ||
      (b.number ?? -1) - (a.number ?? -1) ||
      a.path.localeCompare(b.path),
  );
  return {
    items: hits.slice(0, limit).map(({ rank: _rank, ...m }) => m),
    limit,
    hasMore: hits.length > limit,
    notes,
  };
}

type TermKind = 'path' | 'directory' | 'module';
export interface TermMatcher {
  kind: TermKind;
  term: string;
  needle: string;
}

/** The paths, their directories and the modules of `terms` that a lower-cased text names as whole words. */
export function mentionedTerms(lowerCaseText: string, matchers: readonly TermMatcher[]): TermMatcher[] {
  return matchers.filter((m) => mentionsTerm(lowerCaseText, m.needle));
}

/** What `mentionedTerms` looks for: each path, its directory (two segments or more) and each module. */
export function termMatchers(terms: DecisionTerms): TermMatcher[] {
  const seen = new Set<string>();
  const out: TermMatcher[] = [];
  const add = (kind: TermKind, term: string) => {
    const needle = term.toLowerCase();
    if (!term || seen.has(needle)) return;
    seen.add(needle);
    out.push({ kind, term, needle });
  };
  for (const p of terms.paths) add('path', p);
  for (const p of terms.paths) {
    const dir = posix.dirname(p);
    // A single-segment directory (src, lib) matches almost every record; the module term covers it.
    if (dir.includes('/')) add('directory', dir);
  }
  for (const m of terms.modules) if (m !== '(root)') add('module', m);
  return out;
}

// Records are read once per call for every term: lower-case each text once (records are cached by file).
const lowered = new WeakMap<DecisionRecord, string>();

function lowerText(r: DecisionRecord): string {
  let text = lowered.get(r);
  if (text === undefined) lowered.set(r, (text = r.text.toLowerCase()));
  return text;
}

/**
 * `needle` occurs in `haystack` as a whole word: no letter, digit, `_` or `-` on either side. A plain substring
 * search rather than a RegExp built from the term, because terms are stored user text: a 100k-character path
 * made V8 refuse the pattern ("Invalid regular expression") on every later call that read it.
 */
function mentionsTerm(haystack: string, needle: string): boolean {
  if (needle === '' || needle.length > haystack.length) return false;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    if (!isWordChar(haystack, at - 1) && !isWordChar(haystack, at + needle.length)) return true;
  }
  return false;
}

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i); // NaN outside the text
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 45; /* - */
}
