import type { parse as ParseCsv } from 'csv-parse/sync';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { AppContext } from '../context.js';
import { hasFrontMatter, parseFrontMatter, type FrontMatter } from '../front-matter.js';
import { ImportRejectedError, UserInputError, errorMessage, type RowProblem } from '../errors.js';
import { redactSecrets } from '../redact.js';
import {
  getIncidentBySource,
  incidentSources,
  insertIncident,
  listIncidentFiles,
  replaceIncidentFiles,
  updateIncident,
  type IncidentFields,
  type IncidentFileRow,
  type IncidentRow,
} from '../store/incidents.js';
import { withImmediateTransaction } from '../store/transaction.js';
import type { Frame } from './frames.js';
import { commitRef, fileKey, fileRows, frameRows } from './incident-files.js';
import {
  FIELD_ALIASES,
  INCIDENT_FIELDS,
  checkIncidentRow,
  missingMessage,
  unknownFieldMessage,
  type IncidentRowInput,
} from './incident-row.js';

// The CSV parser is loaded on first use (as front-matter.ts loads gray-matter): every `ingest` command (and
// `ingest git` above all) imports this module, and the two (with js-yaml) cost ~110 ms of start-up on a run that
// parses neither.
const load = createRequire(import.meta.url);
let csvParser: typeof ParseCsv | undefined;
const parseCsv = (): typeof ParseCsv => (csvParser ??= (load('csv-parse/sync') as { parse: typeof ParseCsv }).parse);

export interface ImportIncidentsOptions {
  /** Import the valid rows and return the invalid ones in `rejected`, instead of rejecting the whole import. */
  skipInvalid?: boolean;
}

export interface ImportIncidentsResult {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RowProblem[];
  /** Internal ids of the incidents inserted or updated: the ones attribution should refresh. */
  incidentIds: number[];
}

const DEFAULT_SOURCE = 'import';
const DATA_EXTENSIONS = ['.json', '.ndjson', '.jsonl', '.csv'];

/**
 * Imports incidents from a `.json`, `.ndjson`/`.jsonl` or `.csv` file, or a folder of post-mortems (`.md` with
 * front matter; data files in it are read too, so post-mortems can enrich them). Every row is validated before
 * anything is written; writes happen in one transaction. Format: see `incidentRowSchema`. A relative `path` is
 * relative to the working directory.
 */
export function importIncidents(
  ctx: AppContext,
  path: string,
  options: ImportIncidentsOptions = {},
): ImportIncidentsResult {
  const { candidates, problems } = readSources(ctx, path);
  const rows = validate(candidates, problems);
  const db = ctx.store;
  // IMMEDIATE: what we compared against must not change under us before we write.
  return withImmediateTransaction(db, () => {
    const plans = plan(ctx, rows, problems);
    if (problems.length > 0 && !options.skipInvalid) throw new ImportRejectedError(sortProblems(problems));
    return write(ctx, plans, sortProblems(problems));
  });
}

/** One row or post-mortem as read, before validation. */
interface Candidate {
  file: string;
  line: number;
  kind: 'row' | 'postmortem';
  raw: unknown;
  /** front matter key → line, so a post-mortem's problem points at the field */
  fieldLines?: Record<string, number>;
  body?: string;
  postmortemPath?: string;
}

interface ValidRow {
  cand: Candidate;
  row: IncidentRowInput;
}

// ---------------------------------------------------------------------------------------------- reading

function readSources(ctx: AppContext, path: string): { candidates: Candidate[]; problems: RowProblem[] } {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new UserInputError(`no such file or folder: ${path}`, 'path');
  }
  const candidates: Candidate[] = [];
  const problems: RowProblem[] = [];
  if (!isDir) {
    const ext = extname(abs).toLowerCase();
    if (!DATA_EXTENSIONS.includes(ext)) {
      throw new UserInputError(
        `cannot import ${path}: use a .json (array or { "incidents": [...] }), .ndjson/.jsonl or .csv file, ` +
          'or a folder of post-mortem .md files',
        'path',
      );
    }
    readDataFile(abs, path, candidates, problems);
    return { candidates, problems };
  }

  const entries = readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((rel) => !rel.split(sep).some((part) => part.startsWith('.') || part === 'node_modules'))
    .sort();
  const data = entries.filter((rel) => DATA_EXTENSIONS.includes(extname(rel).toLowerCase()));
  const md = entries.filter((rel) => extname(rel).toLowerCase() === '.md');
  if (data.length + md.length === 0) {
    throw new UserInputError(`${path} holds no post-mortem .md files (nor .json, .ndjson, .csv)`, 'path');
  }
  // Data files first, so post-mortems in the same import find the rows they enrich.
  for (const rel of data) {
    if (statSync(join(abs, rel)).isFile()) readDataFile(join(abs, rel), join(path, rel), candidates, problems);
  }
  for (const rel of md) {
    if (!statSync(join(abs, rel)).isFile()) continue;
    const cand = readPostmortem(ctx, join(abs, rel), join(path, rel), problems);
    if (cand) candidates.push(cand);
  }
  return { candidates, problems };
}

function readDataFile(abs: string, file: string, out: Candidate[], problems: RowProblem[]): void {
  const text = readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
  const ext = extname(abs).toLowerCase();
  if (ext === '.json') readJson(text, file, out);
  else if (ext === '.csv') readCsv(text, file, out, problems);
  else readNdjson(text, file, out, problems);
}

function readJson(text: string, file: string, out: Candidate[]): void {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec(errorMessage(err));
    const line = pos ? lineAt(text, Number(pos[1])) : 1;
    throw new UserInputError(`${file}:${line}: not valid JSON (${errorMessage(err)})`, 'path', { cause: err });
  }
  const list = Array.isArray(data)
    ? data
    : typeof data === 'object' && data !== null && Array.isArray((data as { incidents?: unknown }).incidents)
      ? ((data as { incidents: unknown[] }).incidents as unknown[])
      : undefined;
  if (!list) {
    throw new UserInputError(`${file}: expected an array of incidents, or an object { "incidents": [...] }`, 'path');
  }
  const lines = elementLines(text);
  list.forEach((raw, i) => out.push({ file, line: lines[i] ?? 1, kind: 'row', raw }));
}

function readNdjson(text: string, file: string, out: Candidate[], problems: RowProblem[]): void {
  text.split('\n').forEach((lineText, i) => {
    if (lineText.trim() === '') return;
    try {
      out.push({ file, line: i + 1, kind: 'row', raw: JSON.parse(lineText) });
    } catch (err) {
      problems.push({ file, line: i + 1, field: '(row)', message: `not valid JSON: ${errorMessage(err)}` });
    }
  });
}

function readCsv(text: string, file: string, out: Candidate[], problems: RowProblem[]): void {
  let header: string[] = [];
  let records: { record: Record<string, string>; info: { lines: number; raw?: string } }[];
  try {
    records = parseCsv()(text, {
      columns: (names: string[]) => (header = names.map((h) => h.trim())),
      info: true,
      raw: true,
      skip_empty_lines: true,
    }) as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new UserInputError(`${file}:${line ?? 1}: not valid CSV (${errorMessage(err)})`, 'path', { cause: err });
  }
  // Header problems would repeat on every record; report each once, on line 1, and skip the file's records.
  const seen = new Set<string>();
  let bad = false;
  for (const name of header) {
    const canonical = FIELD_ALIASES[name] ?? name;
    if (!(INCIDENT_FIELDS as readonly string[]).includes(canonical)) {
      bad = true;
      problems.push({ file, line: 1, field: name, message: `${unknownFieldMessage(name)} (header column)` });
    } else if (seen.has(canonical)) {
      bad = true;
      problems.push({ file, line: 1, field: name, message: `column ${canonical} appears twice; keep one` });
    }
    seen.add(canonical);
  }
  if (bad) return;
  for (const { record, info } of records) {
    // csv-parse reports the line a record ends on; quoted cells can span lines, and we want where it starts.
    const rawText = (info.raw ?? '').replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '');
    const line = info.lines - (rawText.match(/\n/g)?.length ?? 0);
    out.push({ file, line, kind: 'row', raw: record });
  }
}

function readPostmortem(ctx: AppContext, abs: string, file: string, problems: RowProblem[]): Candidate | null {
  const text = readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
  if (!hasFrontMatter(text)) {
    // READMEs and templates live in post-mortem folders too; only front matter marks a post-mortem.
    ctx.log(`hindsight: ${file} has no front matter; skipped (not a post-mortem)`);
    return null;
  }
  let parsed: FrontMatter;
  try {
    parsed = parseFrontMatter(text);
  } catch (err) {
    const mark = (err as { mark?: { line?: number } }).mark;
    problems.push({
      file,
      line: (mark?.line ?? 0) + 1,
      field: '(front matter)',
      message: `front matter is not valid YAML: ${(err as { reason?: string }).reason ?? errorMessage(err)}`,
    });
    return null;
  }
  const data = parsed.data as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push({ file, line: 1, field: '(front matter)', message: 'front matter must be key: value pairs' });
    return null;
  }
  // The front matter text starts with the rest of the opening `---` line, so index i is file line i + 1.
  const matterLines = parsed.matter.split('\n');
  const fieldLines: Record<string, number> = {};
  matterLines.forEach((l, i) => {
    // `[^:]*` then trimming, not `[^:]*?\s*:` (quadratic on a run of spaces).
    const key = /^([^\s#:][^:]*):/.exec(l)?.[1]!.trimEnd();
    if (key !== undefined && !(key in fieldLines)) fieldLines[key] = i + 1;
  });
  const raw: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [key, value] of Object.entries(raw)) {
    // YAML reads 2026-03-01T10:00:00 as a UTC Date and 0123456 as a number; the text as written is what we
    // validate (zone present? sha digits?).
    if (value instanceof Date || typeof value === 'number') {
      const line = fieldLines[key];
      const written = line !== undefined ? scalarText(matterLines[line - 1]!) : undefined;
      raw[key] = written ?? (value instanceof Date ? value.toISOString() : value);
    }
  }
  // The body becomes the summary; its front matter fields are redacted by checkIncidentRow.
  const body = redactSecrets(parsed.content.trim()).text;
  return {
    file,
    line: 1,
    kind: 'postmortem',
    raw,
    fieldLines,
    ...(body ? { body } : {}),
    postmortemPath: displayPath(ctx, abs),
  };
}

/** `key: "value"  # comment` → value. Cut by hand: the one-regex form was quadratic on a run of spaces. */
function scalarText(line: string): string | undefined {
  const colon = line.indexOf(':');
  if (colon < 1) return undefined;
  let value = line.slice(colon + 1);
  const comment = value.search(/\s#/);
  if (comment >= 0) value = value.slice(0, comment);
  return value.trim().replace(/^(['"])(.*)\1$/, '$2');
}

/** Relative to the repository when inside it (agents open it from there), else absolute; always `/`. */
function displayPath(ctx: AppContext, abs: string): string {
  const rel = relative(ctx.config.repoPath, abs);
  const p = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  return p.split(sep).join('/');
}

// ---------------------------------------------------------------------------------------------- validating

function validate(candidates: Candidate[], problems: RowProblem[]): ValidRow[] {
  const valid: ValidRow[] = [];
  const firstSeen = new Map<string, Candidate>();
  for (const cand of candidates) {
    const check = checkIncidentRow(cand.raw, cand.kind === 'row' ? ['title', 'started_at'] : []);
    let ok = check.ok;
    if (!check.ok) {
      for (const p of check.problems) problems.push({ file: cand.file, line: lineOf(cand, p.field), ...p });
    }
    // Duplicates are found from the raw id, so a row that is also invalid still names its twin.
    const key = duplicateKey(cand);
    if (key !== undefined) {
      const first = firstSeen.get(key);
      if (first) {
        ok = false;
        problems.push(duplicateProblem(cand, key.split('\0')[1]!, first));
      } else firstSeen.set(key, cand);
    }
    if (ok && check.ok) valid.push({ cand, row: check.row });
  }
  return valid;
}

function duplicateKey(cand: Candidate): string | undefined {
  if (typeof cand.raw !== 'object' || cand.raw === null) return undefined;
  const r = cand.raw as Record<string, unknown>;
  const id = typeof r['id'] === 'string' || typeof r['id'] === 'number' ? String(r['id']).trim() : '';
  if (!id) return undefined;
  const source = typeof r['source'] === 'string' && r['source'].trim() ? r['source'].trim() : DEFAULT_SOURCE;
  // Post-mortems merge into rows; twin post-mortems are found once their source is known (plan()).
  return cand.kind === 'row' ? `${source}\0${id}` : undefined;
}

function duplicateProblem(cand: Candidate, id: string, first: Candidate): RowProblem {
  return {
    file: cand.file,
    line: lineOf(cand, 'id'),
    field: 'id',
    message:
      `duplicate id '${id}' (also at ${first.file}:${lineOf(first, 'id')}); ` +
      'each incident appears once per import: remove or merge one of them',
  };
}

/** A post-mortem's problem points at its field's line (as written, or under its camelCase alias). */
function lineOf(cand: Candidate, field: string): number {
  const name = field.replace(/\[.*$/, '');
  const lines = cand.fieldLines ?? {};
  const alias = Object.keys(FIELD_ALIASES).find((a) => FIELD_ALIASES[a] === name);
  return lines[name] ?? (alias !== undefined ? lines[alias] : undefined) ?? cand.line;
}

// ---------------------------------------------------------------------------------------------- planning

/** The fields an import sets (absent ones keep what is stored), with where each incident came from. */
interface Plan {
  source: string;
  externalId: string;
  fields: Present;
  origin: Candidate;
  /** the candidate that set each field, for pointing problems at the right file and line */
  setBy: Partial<Record<keyof Present, Candidate>>;
  stored?: IncidentRow;
}

interface Present {
  title?: string;
  severity?: string;
  startedAt?: number;
  resolvedAt?: number;
  env?: string;
  service?: string;
  module?: string;
  status?: string;
  url?: string;
  summary?: string;
  fixSha?: string;
  rootCauseSha?: string;
  postmortemPath?: string;
  files?: string[];
  frames?: Frame[];
}

function present(v: ValidRow): Present {
  const r = v.row;
  const p: Present = {
    title: r.title,
    severity: r.severity,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    env: r.env,
    service: r.service,
    module: r.module,
    status: r.status,
    url: r.url,
    summary: r.summary ?? v.cand.body,
    fixSha: r.fix_sha,
    rootCauseSha: r.root_cause_sha,
    postmortemPath: v.cand.postmortemPath,
    files: r.files,
    frames: r.stack_frames,
  };
  for (const k of Object.keys(p) as (keyof Present)[]) if (p[k] === undefined) delete p[k];
  return p;
}

function plan(ctx: AppContext, rows: ValidRow[], problems: RowProblem[]): Plan[] {
  const db = ctx.store;
  const plans = new Map<string, Plan>();
  const key = (source: string, id: string) => `${source}\0${id}`;
  const importedSources = new Map<string, Set<string>>();
  const postmortems = new Map<string, Candidate>();

  for (const v of rows.filter((r) => r.cand.kind === 'row')) {
    const source = v.row.source ?? DEFAULT_SOURCE;
    const fields = present(v);
    plans.set(key(source, v.row.id), {
      source,
      externalId: v.row.id,
      fields,
      origin: v.cand,
      setBy: Object.fromEntries(Object.keys(fields).map((k) => [k, v.cand])),
    });
    let s = importedSources.get(v.row.id);
    if (!s) importedSources.set(v.row.id, (s = new Set()));
    s.add(source);
  }

  for (const v of rows.filter((r) => r.cand.kind === 'postmortem')) {
    const id = v.row.id;
    let source = v.row.source;
    if (source === undefined) {
      // Post-mortem authors write the incident id, rarely its source: attach to the one incident with that id.
      const sources = new Set([...(importedSources.get(id) ?? []), ...incidentSources(db, id)]);
      if (sources.size > 1) {
        problems.push({
          file: v.cand.file,
          line: lineOf(v.cand, 'id'),
          field: 'source',
          message: `incident '${id}' exists in several sources (${[...sources].sort().join(', ')}); set source in the front matter`,
        });
        continue;
      }
      source = [...sources][0] ?? DEFAULT_SOURCE;
    }
    const twin = postmortems.get(key(source, id));
    if (twin) {
      problems.push(duplicateProblem(v.cand, id, twin));
      continue;
    }
    postmortems.set(key(source, id), v.cand);
    const fields = present(v);
    const existing = plans.get(key(source, id));
    if (existing) {
      Object.assign(existing.fields, fields);
      for (const k of Object.keys(fields)) existing.setBy[k as keyof Present] = v.cand;
      continue;
    }
    plans.set(key(source, id), {
      source,
      externalId: id,
      fields,
      origin: v.cand,
      setBy: Object.fromEntries(Object.keys(fields).map((k) => [k, v.cand])),
    });
  }

  const out: Plan[] = [];
  for (const p of plans.values()) {
    p.stored = getIncidentBySource(db, p.source, p.externalId);
    let ok = true;
    if (!p.stored) {
      // Only a post-mortem for an incident we have never seen can get here without these.
      for (const [field, name] of [
        ['title', 'title'],
        ['startedAt', 'started_at'],
      ] as const) {
        if (p.fields[field] === undefined) {
          ok = false;
          problems.push({
            file: p.origin.file,
            line: p.origin.line,
            field: name,
            message: `${missingMessage(name)} (no incident '${p.externalId}' from source '${p.source}' is in the database or this import)`,
          });
        }
      }
    }
    const startedAt = p.fields.startedAt ?? p.stored?.startedAt;
    const resolvedAt = p.fields.resolvedAt ?? p.stored?.resolvedAt ?? undefined;
    if (startedAt !== undefined && resolvedAt !== undefined && resolvedAt < startedAt) {
      ok = false;
      const by = p.setBy.resolvedAt ?? p.setBy.startedAt ?? p.origin;
      problems.push({
        file: by.file,
        line: lineOf(by, 'resolved_at'),
        field: 'resolved_at',
        message: `resolved_at (${new Date(resolvedAt).toISOString()}) is before started_at (${new Date(startedAt).toISOString()}); check the order or the zones`,
      });
    }
    if (ok) out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- writing

function write(ctx: AppContext, plans: Plan[], rejected: RowProblem[]): ImportIncidentsResult {
  const db = ctx.store;
  const now = ctx.clock();
  const result: ImportIncidentsResult = { inserted: 0, updated: 0, unchanged: 0, rejected, incidentIds: [] };
  for (const p of plans) {
    const fields = finalFields(ctx, p);
    const lists: [IncidentFileRow['kind'], Omit<IncidentFileRow, 'kind'>[] | undefined][] = [
      ['file', p.fields.files && fileRows(ctx, p.fields.files)],
      ['frame', p.fields.frames && frameRows(ctx, p.fields.frames)],
    ];
    if (!p.stored) {
      const id = insertIncident(db, fields, now);
      for (const [kind, rows] of lists) if (rows && rows.length > 0) replaceIncidentFiles(db, id, kind, rows);
      result.inserted++;
      result.incidentIds.push(id);
      continue;
    }
    const id = p.stored.id;
    const storedFiles = listIncidentFiles(db, id);
    const changedLists = lists.filter(
      ([kind, rows]) => rows !== undefined && fileKey(rows) !== fileKey(storedFiles.filter((f) => f.kind === kind)),
    );
    const changedFields = (Object.keys(fields) as (keyof IncidentFields)[]).some((k) => fields[k] !== p.stored![k]);
    if (!changedFields && changedLists.length === 0) {
      result.unchanged++;
      continue;
    }
    updateIncident(db, id, fields, now);
    for (const [kind, rows] of changedLists) replaceIncidentFiles(db, id, kind, rows ?? []);
    result.updated++;
    result.incidentIds.push(id);
  }
  return result;
}

function finalFields(ctx: AppContext, p: Plan): IncidentFields {
  const f = p.fields;
  const s = p.stored;
  const resolvedAt = f.resolvedAt ?? s?.resolvedAt ?? null;
  return {
    source: p.source,
    externalId: p.externalId,
    // plan() guarantees title and startedAt for new incidents.
    title: f.title ?? s!.title,
    severity: f.severity ?? s?.severity ?? null,
    startedAt: f.startedAt ?? s!.startedAt,
    resolvedAt,
    env: f.env ?? s?.env ?? ctx.config.env,
    service: f.service ?? s?.service ?? null,
    module: f.module ?? s?.module ?? null,
    status:
      f.status ??
      (f.resolvedAt !== undefined ? 'resolved' : (s?.status ?? (resolvedAt !== null ? 'resolved' : 'open'))),
    url: f.url ?? s?.url ?? null,
    summary: f.summary ?? s?.summary ?? null,
    fixSha: commitRef(ctx.store, f.fixSha, s?.fixSha ?? null),
    rootCauseSha: commitRef(ctx.store, f.rootCauseSha, s?.rootCauseSha ?? null),
    postmortemPath: f.postmortemPath ?? s?.postmortemPath ?? null,
  };
}

// ---------------------------------------------------------------------------------------------- helpers

function sortProblems(problems: RowProblem[]): RowProblem[] {
  return [...problems].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line each incident object starts on, for a root array or `{ "incidents": [...] }`. JSON.parse has
 * already accepted the text, so this scanner only tracks nesting and strings.
 */
function elementLines(text: string): number[] {
  const starts: number[] = [];
  let i = 0;
  const n = text.length;
  const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
  const ws = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const skipString = () => {
    i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const value = (depth: number, key: string | null): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const target = c === '[' && (depth === 0 || (depth === 1 && key === 'incidents'));
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        let childKey: string | null = null;
        if (c === '{') {
          const from = i;
          skipString();
          childKey = JSON.parse(text.slice(from, i)) as string;
          ws();
          i++; // ':'
          ws();
        }
        if (target) starts.push(i);
        value(depth + 1, childKey);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // close
        return;
      }
    }
    if (c === '"') return skipString();
    // A number, true, false or null: runs up to the next separator.
    while (i < n && !isSpace(text.charCodeAt(i)) && !',]}'.includes(text[i]!)) i++;
  };
  value(0, null);
  let line = 1;
  let pos = 0;
  return starts.map((offset) => {
    for (; pos < offset; pos++) if (text.charCodeAt(pos) === 10) line++;
    return line;
  });
}
