import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { ImportRejectedError, UserInputError, errorMessage, type RowProblem } from '../errors.js';
import { LIMITS } from '../limits.js';
import { knownExternalIds } from '../store/interrupts.js';
import { CATEGORIES } from './categorize.js';
import { prepareEntry, storeEntry, type NewEntry, type PreparedEntry } from './interrupts.js';
import { redactTask, saveTask, type TaskEvent } from './tasks.js';
import { withImmediateTransaction } from '../store/transaction.js';

/**
 * The `hindsight interrupts import` format. A `.json` file holds an array of rows, or an object
 * `{ "tasks": [...], "interrupts": [...] }`; a `.ndjson`/`.jsonl` file holds one row per line. A row is an
 * interrupt/correction unless it says `"type": "task"`.
 *
 * Interrupt/correction: `id` (your id; re-importing skips rows already imported under it), `kind`
 * (interrupt | correction, required), `category` (missing_context | policy_gap | tool_failure | ambiguous_spec |
 * other; suggested from the text when absent), `summary` (required), `detail`, `paths` (array, or one text split
 * on `;`), `task_id`, `session_id`, `agent`, `source` (human | agent | rubric; default human), `created_at`
 * (ISO 8601 with a zone, required), `responded_at`, `resolved_at`, `response`.
 *
 * Task: `type: "task"`, `id` (required), `agent`, `title`, `session_id`, `started_at` (required), `finished_at`
 * and `outcome` (completed | failed | abandoned; both or neither). camelCase names are accepted too.
 */
export interface ImportInterruptsOptions {
  /** Import the valid rows and list the invalid ones in `rejected`, instead of rejecting the whole file. */
  skipInvalid?: boolean;
}

export interface ImportInterruptsResult {
  interrupts: { inserted: number; alreadyImported: number; redactions: number; clustersCreated: number };
  tasks: { created: number; updated: number; unchanged: number };
  rejected: RowProblem[];
}

const ALIASES: Record<string, string> = {
  taskId: 'task_id',
  sessionId: 'session_id',
  createdAt: 'created_at',
  respondedAt: 'responded_at',
  resolvedAt: 'resolved_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const when = (field: string) =>
  z
    .string({ error: `${field} must be an ISO 8601 date-time text, e.g. 2026-03-01T10:00:00Z` })
    .refine((v) => ISO_WITH_ZONE.test(v.trim()) && !Number.isNaN(Date.parse(v)), {
      message: `${field} must be an ISO 8601 date-time with a zone, e.g. 2026-03-01T10:00:00Z or …+02:00`,
    })
    .transform((v) => Date.parse(v));
// The same limits as the MCP tools that write these rows (log_interrupt, record_task): src/limits.ts.
const text = (field: string, max: number = LIMITS.name, fix = 'shorten it') =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .min(1, `${field} is empty`)
    .max(max, `${field} is over ${max} characters; ${fix}`);
const longText = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .max(LIMITS.text, `${field} is over ${LIMITS.text} characters; shorten it`);
const externalId = z
  .union([z.string(), z.number()], { error: 'id must be text or a number' })
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'id is empty').max(LIMITS.name, `id is over ${LIMITS.name} characters; shorten it`));
const repoPath = z.string().max(LIMITS.path, `a path is over ${LIMITS.path} characters; shorten it`);

const entrySchema = z
  .strictObject({
    type: z.literal('interrupt').optional(),
    id: externalId.optional(),
    kind: z.enum(['interrupt', 'correction'], { error: 'kind must be interrupt or correction' }),
    category: z.enum(CATEGORIES, { error: `category must be one of ${CATEGORIES.join(', ')}` }).optional(),
    summary: text('summary', LIMITS.summary, 'move the rest to detail'),
    detail: longText('detail').optional(),
    paths: z
      .union([z.string(), z.array(z.string())], { error: 'paths must be a list of texts or one text split by ;' })
      .transform((v) => (Array.isArray(v) ? v : v.split(';')).map((p) => p.trim()).filter((p) => p !== ''))
      .pipe(z.array(repoPath).max(LIMITS.paths, `paths lists over ${LIMITS.paths} paths; keep the ones involved`))
      .optional(),
    task_id: text('task_id').optional(),
    session_id: text('session_id').optional(),
    agent: text('agent').optional(),
    source: z.enum(['human', 'agent', 'rubric'], { error: 'source must be human, agent or rubric' }).optional(),
    created_at: when('created_at'),
    responded_at: when('responded_at').optional(),
    resolved_at: when('resolved_at').optional(),
    response: longText('response').optional(),
  })
  .refine((r) => r.responded_at === undefined || r.responded_at >= r.created_at, {
    message: 'responded_at is before created_at',
    path: ['responded_at'],
  })
  .refine((r) => r.resolved_at === undefined || r.resolved_at >= r.created_at, {
    message: 'resolved_at is before created_at',
    path: ['resolved_at'],
  });

const taskSchema = z
  .strictObject({
    type: z.literal('task'),
    id: externalId,
    agent: text('agent').optional(),
    title: text('title', LIMITS.title).optional(),
    session_id: text('session_id').optional(),
    started_at: when('started_at'),
    finished_at: when('finished_at').optional(),
    outcome: z
      .enum(['completed', 'failed', 'abandoned'], { error: 'outcome must be completed, failed or abandoned' })
      .optional(),
  })
  .refine((t) => (t.finished_at === undefined) === (t.outcome === undefined), {
    message: 'finished_at and outcome go together: give both (a finished task) or neither (a running one)',
    path: ['outcome'],
  })
  .refine((t) => t.finished_at === undefined || t.finished_at >= t.started_at, {
    message: 'finished_at is before started_at',
    path: ['finished_at'],
  });

type EntryRow = z.output<typeof entrySchema>;
type TaskRowInput = z.output<typeof taskSchema>;

interface RawRow {
  /** index in its list, for line lookup */
  index: number;
  list: 'rows' | 'tasks' | 'interrupts';
  /** known up front for NDJSON; looked up in the JSON text only when a problem needs it */
  line?: number;
  raw: unknown;
}

/** Imports interrupts/corrections (and tasks) from a file in one transaction; see the format above. */
export function importInterrupts(
  ctx: AppContext,
  path: string,
  options: ImportInterruptsOptions = {},
): ImportInterruptsResult {
  const abs = resolve(path);
  let content: string;
  try {
    content = readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    throw new UserInputError(`no such file: ${path}`, 'path');
  }
  const ext = extname(abs).toLowerCase();
  if (!['.json', '.ndjson', '.jsonl'].includes(ext)) {
    throw new UserInputError(
      `cannot import ${path}: use a .json file (an array, or { "tasks": [...], "interrupts": [...] }) or .ndjson/.jsonl`,
      'path',
    );
  }
  const problems: RowProblem[] = [];
  const rows = ext === '.json' ? readJson(content, path) : readNdjson(content, path, problems);
  const lineOf = lineFinder(content, ext === '.json');
  const entries: { row: EntryRow; order: number }[] = [];
  const tasks: TaskRowInput[] = [];
  const seen = new Map<string, RawRow>();
  rows.forEach((r, order) => {
    const parsed = parseRow(r.raw, r.list);
    if (!parsed.ok) {
      for (const p of parsed.problems) problems.push({ file: path, line: lineOf(r), ...p });
      return;
    }
    if (parsed.row.id !== undefined) {
      const key = `${parsed.kind}\0${parsed.row.id}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({
          file: path,
          line: lineOf(r),
          field: 'id',
          message: `duplicate id '${parsed.row.id}' (also at line ${lineOf(first)}); each row appears once: remove or rename one`,
        });
        return;
      }
      seen.set(key, r);
    }
    if (parsed.kind === 'task') tasks.push(parsed.row);
    else entries.push({ row: parsed.row, order });
  });
  if (problems.length > 0 && !options.skipInvalid) throw new ImportRejectedError(problems);
  // Redaction and categorising happen before the write lock: under it, only the writes (a long text once held
  // the lock for seconds and another process's write failed).
  const events = tasks.map(taskEvents);
  const prepared = entries.map(({ row, order }) => ({ row, order, entry: prepareEntry(ctx, toEntry(row)) }));
  // IMMEDIATE: the dedupe check and the writes must see the same database.
  return withImmediateTransaction(ctx.store, () => write(ctx, events, prepared, problems));
}

/** A task row as its start event and, when finished, its finish event; redacted. */
function taskEvents(t: TaskRowInput): { start: TaskEvent; finish?: TaskEvent } {
  const base = redactTask({
    action: 'start',
    id: t.id,
    agent: t.agent,
    title: t.title,
    sessionId: t.session_id,
    at: t.started_at,
  });
  return t.finished_at !== undefined
    ? { start: base, finish: { ...base, action: 'finish', outcome: t.outcome, at: t.finished_at } }
    : { start: base };
}

function write(
  ctx: AppContext,
  tasks: { start: TaskEvent; finish?: TaskEvent }[],
  entries: { row: EntryRow; order: number; entry: PreparedEntry }[],
  rejected: RowProblem[],
): ImportInterruptsResult {
  const result: ImportInterruptsResult = {
    interrupts: { inserted: 0, alreadyImported: 0, redactions: 0, clustersCreated: 0 },
    tasks: { created: 0, updated: 0, unchanged: 0 },
    rejected,
  };
  for (const t of tasks) {
    const start = saveTask(ctx, t.start);
    const finish = t.finish ? saveTask(ctx, t.finish) : undefined;
    const change =
      start.change === 'created'
        ? 'created'
        : [start.change, finish?.change].includes('updated')
          ? 'updated'
          : 'unchanged';
    result.tasks[change]++;
  }
  const known = knownExternalIds(
    ctx.store,
    entries.flatMap((e) => (e.row.id !== undefined ? [e.row.id] : [])),
  );
  // Chronological, then file order: the clusters come out the same as if the entries had been logged live.
  const ordered = entries
    .filter((e) => e.row.id === undefined || !known.has(e.row.id))
    .sort((a, b) => a.row.created_at - b.row.created_at || a.order - b.order);
  result.interrupts.alreadyImported = entries.length - ordered.length;
  for (const { entry } of ordered) {
    const stored = storeEntry(ctx, entry);
    result.interrupts.inserted++;
    result.interrupts.redactions += stored.row.redactions;
    if (stored.cluster.created) result.interrupts.clustersCreated++;
  }
  return result;
}

function toEntry(r: EntryRow): NewEntry {
  return {
    kind: r.kind,
    category: r.category,
    summary: r.summary,
    detail: r.detail,
    paths: r.paths,
    taskId: r.task_id,
    sessionId: r.session_id,
    agent: r.agent?.toLowerCase(),
    source: r.source ?? 'human',
    createdAt: r.created_at,
    respondedAt: r.responded_at,
    resolvedAt: r.resolved_at,
    response: r.response,
    externalId: r.id,
  };
}

type Parsed =
  | { ok: true; kind: 'task'; row: TaskRowInput }
  | { ok: true; kind: 'entry'; row: EntryRow }
  | { ok: false; problems: { field: string; message: string }[] };

function parseRow(raw: unknown, list: RawRow['list']): Parsed {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [
        { field: '(row)', message: 'expected an object such as { "kind": …, "summary": …, "created_at": … }' },
      ],
    };
  }
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    // null and empty text mean "absent", as in the incident import.
    if (v === null || (typeof v === 'string' && v.trim() === '')) continue;
    input[ALIASES[k] ?? k] = v;
  }
  if (list === 'tasks' && input['type'] === undefined) input['type'] = 'task';
  const isTask = input['type'] === 'task';
  if (list === 'interrupts' && isTask) {
    return { ok: false, problems: [{ field: 'type', message: 'a task belongs in the "tasks" list' }] };
  }
  if (input['type'] !== undefined && input['type'] !== 'task' && input['type'] !== 'interrupt') {
    return { ok: false, problems: [{ field: 'type', message: 'type must be "interrupt" (the default) or "task"' }] };
  }
  const schema = isTask ? taskSchema : entrySchema;
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    return isTask
      ? { ok: true, kind: 'task', row: parsed.data as TaskRowInput }
      : { ok: true, kind: 'entry', row: parsed.data as EntryRow };
  }
  const problems = parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(isTask ? taskSchema.shape : entrySchema.shape).join(', ');
      return issue.keys.map((k) => ({ field: k, message: `unknown field '${k}'; known fields: ${known}` }));
    }
    const field = issue.path.map(String).join('.') || '(row)';
    const missing = issue.code === 'invalid_type' && input[String(issue.path[0])] === undefined;
    return [{ field, message: missing ? `${field} is required` : issue.message }];
  });
  return { ok: false, problems };
}

function readJson(content: string, file: string): RawRow[] {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (err) {
    throw new UserInputError(`${file}: not valid JSON (${errorMessage(err)})`, 'path', { cause: err });
  }
  if (Array.isArray(data)) return data.map((raw, index) => ({ index, list: 'rows', raw }));
  if (typeof data === 'object' && data !== null) {
    const o = data as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'tasks' && k !== 'interrupts');
    const lists = (['tasks', 'interrupts'] as const).filter((k) => Array.isArray(o[k]));
    if (extra.length === 0 && lists.length > 0) {
      return lists.flatMap((list) => (o[list] as unknown[]).map((raw, index) => ({ index, list, raw })));
    }
  }
  throw new UserInputError(
    `${file}: expected an array of rows, or an object { "tasks": [...], "interrupts": [...] }`,
    'path',
  );
}

function readNdjson(content: string, file: string, problems: RowProblem[]): RawRow[] {
  const rows: RawRow[] = [];
  content.split('\n').forEach((lineText, i) => {
    if (lineText.trim() === '') return;
    try {
      rows.push({ index: rows.length, list: 'rows', line: i + 1, raw: JSON.parse(lineText) });
    } catch (err) {
      problems.push({ file, line: i + 1, field: '(row)', message: `not valid JSON: ${errorMessage(err)}` });
    }
  });
  return rows;
}

/** Line numbers of JSON elements, parsed lazily (YAML reads JSON and keeps source ranges) only when needed. */
function lineFinder(content: string, isJson: boolean): (r: RawRow) => number {
  let lines: Map<string, number> | undefined;
  return (r) => {
    if (!isJson) return r.line ?? 1;
    lines ??= jsonElementLines(content);
    return lines.get(`${r.list}:${r.index}`) ?? 1;
  };
}

function jsonElementLines(content: string): Map<string, number> {
  const out = new Map<string, number>();
  const counter = new LineCounter();
  const doc = parseDocument(content, { lineCounter: counter, uniqueKeys: false });
  const record = (list: string, node: unknown) => {
    if (!isSeq(node)) return;
    node.items.forEach((item, index) => {
      const start = (item as YamlNode | null)?.range?.[0];
      if (start !== undefined) out.set(`${list}:${index}`, counter.linePos(start).line);
    });
  };
  if (isSeq(doc.contents)) record('rows', doc.contents);
  else if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) record(String((pair.key as { value?: unknown } | null)?.value), pair.value);
  }
  return out;
}
