import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { normalisePath, ROOT_MODULE } from '../modules.js';
import { coverCluster, fixInfo, getCluster } from '../store/clusters.js';
import {
  clusterNews,
  getInterrupt,
  interruptWriteLock,
  updateResolution,
  type InterruptRow,
  type NewInterrupt,
} from '../store/interrupts.js';
import { getTask } from '../store/tasks.js';
import { FIX_TYPE, suggestCategory, type Category, type FixType } from './categorize.js';
import {
  DEFAULT_RECURRENCE,
  insertClustered,
  planCluster,
  type ClusterPlan,
  type Recurrence,
  type SimilarEntry,
} from './clusters.js';
import { findCoverage, type Coverage } from './coverage.js';
import { Redactor, redactSecrets, withoutMarks } from '../redact.js';
import { immediateTransaction } from '../store/write-lock.js';
import { withImmediateTransaction } from '../store/transaction.js';

export type EntryKind = 'interrupt' | 'correction';
export type EntrySource = 'human' | 'agent' | 'rubric';

/** One interrupt or correction to store (times unix ms). Response fields and `externalId` come from imports. */
export interface NewEntry {
  kind: EntryKind;
  category?: Category | undefined;
  summary: string;
  detail?: string | undefined;
  paths?: readonly string[] | undefined;
  taskId?: string | undefined;
  sessionId?: string | undefined;
  agent?: string | undefined;
  source: EntrySource;
  createdAt: number;
  respondedAt?: number | undefined;
  resolvedAt?: number | undefined;
  response?: string | undefined;
  externalId?: string | undefined;
}

/** What storing an entry decided: category, module, redactions and the cluster it joined. */
export interface StoredEntry {
  row: InterruptRow;
  /** the guessed category was replaced by that of the cluster the entry joined */
  categoryFromCluster: boolean;
  /** the cue phrases when the category was suggested */
  cues: string[];
  redactedKinds: string[];
  cluster: { id: number; label: string; size: number; created: boolean; score: number };
  /** the fix covering the cluster, as the write found it */
  clusterFixId: number | null;
  similar: SimilarEntry[];
}

const MAX_PATHS = 50;
const DAY = 86_400_000;

/** An entry ready to store: redacted, categorised, its paths mapped to a module. */
export interface PreparedEntry {
  fields: NewInterrupt;
  cues: string[];
  redactedKinds: string[];
}

/**
 * Redacts every free-text field (ids, names and paths included: agents paste anything anywhere), suggests a
 * category and maps the paths to a module. Reads no table, so callers run it before taking the write lock.
 */
export function prepareEntry(ctx: AppContext, e: NewEntry): PreparedEntry {
  const r = new Redactor();
  const summary = r.text(e.summary.trim());
  const detail = e.detail?.trim() ? r.text(e.detail.trim()) : undefined;
  const response = e.response?.trim() ? r.text(e.response.trim()) : undefined;
  const suggestion = e.category ? undefined : suggestCategory(withoutMarks(`${summary}\n${detail ?? ''}`));
  const paths = [
    ...new Set(
      r
        .list(e.paths ?? [])
        .map(normalisePath)
        .filter((p) => p !== ''),
    ),
  ].slice(0, MAX_PATHS);
  const fields: NewInterrupt = {
    kind: e.kind,
    category: e.category ?? suggestion!.category,
    categorySource: e.category ? 'given' : 'suggested',
    summary,
    detail: detail ?? null,
    paths,
    module: moduleOfPaths(ctx, paths),
    agent: r.optional(e.agent) ?? null,
    taskId: r.optional(e.taskId) ?? null,
    sessionId: r.optional(e.sessionId) ?? null,
    source: e.source,
    createdAt: e.createdAt,
    respondedAt: e.respondedAt ?? null,
    resolvedAt: e.resolvedAt ?? null,
    response: response ?? null,
    redactions: r.count,
    externalId: e.externalId ?? null,
  };
  return { fields, cues: suggestion?.matched ?? [], redactedKinds: r.kinds };
}

/** Inserts a prepared entry and puts it in the plan's cluster (or a new one). Call inside a write transaction. */
function writeEntry(ctx: AppContext, p: PreparedEntry, plan: ClusterPlan, threshold?: number): StoredEntry {
  // A guessed category gives way to the category of the cluster the same problem is already in.
  const fields =
    p.fields.categorySource === 'suggested' && plan.category ? { ...p.fields, category: plan.category } : p.fields;
  const assigned = insertClustered(ctx.store, fields, plan, threshold);
  return {
    row: { id: assigned.entryId, ...fields, clusterId: assigned.clusterId, fixId: null },
    categoryFromCluster: fields.category !== p.fields.category,
    cues: p.cues,
    redactedKinds: p.redactedKinds,
    cluster: {
      id: assigned.clusterId,
      label: assigned.label,
      size: assigned.size,
      created: assigned.created,
      score: assigned.score,
    },
    clusterFixId: assigned.fixId,
    similar: assigned.similar,
  };
}

/**
 * Inserts and clusters one prepared entry. Runs no transaction of its own: callers wrap it (a whole import) so
 * the entry and its cluster are written together.
 */
export function storeEntry(ctx: AppContext, p: PreparedEntry, options: { threshold?: number } = {}): StoredEntry {
  return writeEntry(ctx, p, planCluster(ctx.store, p.fields, options.threshold), options.threshold);
}

/** The module most of the paths belong to (ties: the first path's); '' without paths or for root files only. */
function moduleOfPaths(ctx: AppContext, paths: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const p of paths) {
    const m = ctx.modules.moduleOf(p);
    // Root files (.env, package.json) belong to no module: the entry is cross-cutting.
    if (m !== ROOT_MODULE) counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  let best = '';
  let n = 0;
  for (const [m, c] of counts) {
    if (c > n) [best, n] = [m, c];
  }
  return best;
}

/** The answer to log_interrupt: the entry, where it landed, what it resembles, and what already covers it. */
export interface LoggedEntry {
  id: number;
  kind: EntryKind;
  category: Category;
  categorySuggested: boolean;
  categoryCues: string[];
  module: string;
  agent: string | null;
  redactions: number;
  redactedKinds: string[];
  cluster: {
    id: number;
    label: string;
    size: number;
    created: boolean;
    score: number;
    recurring: boolean;
    suggestedFix: FixType;
    /** the answer a human gave to the cluster's newest answered entry: often all the agent needs */
    lastAnswer: { id: number; response: string; respondedAt: string } | null;
  };
  similar: {
    id: number;
    summary: string;
    createdAt: string;
    score: number;
    response: string | null;
  }[];
  coveredBy: Coverage[];
  notes: string[];
}

/** What log_interrupt decides about an entry as it is stored and answered (defaults: the issue's). */
export interface LogOptions {
  recurrence?: Recurrence;
  threshold?: number;
}

/** An entry redacted and categorised (prepareEntry), with the call it came from, ready to store with others. */
export interface PendingEntry {
  ctx: AppContext;
  entry: NewEntry;
  prepared: PreparedEntry;
}

/** Logs one entry in its own transaction, then looks for existing fixes that cover it (reads files). */
export function logInterrupt(ctx: AppContext, e: NewEntry, options: LogOptions = {}): LoggedEntry {
  const pending = { ctx, entry: e, prepared: prepareEntry(ctx, e) };
  const [stored] = storeTogether([pending], options.threshold);
  return answerLogged(pending, stored!, options.recurrence);
}

/**
 * Stores prepared entries of one database in ONE write transaction (one BEGIN and COMMIT for all: a server's
 * concurrent log_interrupt calls, src/triage/write-queue.ts), in order: each is clustered against the snapshot
 * its plan read plus every entry stored before it, its batch-mates included (insertClustered reads what was
 * added since the snapshot), so entries about the same new problem end in one cluster as if written one by one.
 * Throws when any fails, and then nothing is written.
 */
export function storeTogether(entries: readonly PendingEntry[], threshold?: number): StoredEntry[] {
  const db = entries[0]!.ctx.store;
  const locks = entries.map((p) => interruptWriteLock(db, p.prepared.fields.module));
  // One scope when every entry shares it, else the database-wide lock, which includes every module's.
  const scope = locks.every((l) => l.scope === locks[0]!.scope) ? locks[0]!.scope : undefined;
  const plan = (p: PendingEntry) => planCluster(db, p.prepared.fields, threshold);
  // The expensive part (full-text candidates, scoring, the profile) reads a snapshot without the write lock;
  // under it, only what other writers added since, the insert and the cluster update (~0.3 ms, not ~2.5 ms).
  const planned = entries.map((p, i) => (locks[i]!.planUnderLock ? undefined : plan(p)));
  return immediateTransaction(
    db,
    () => entries.map((p, i) => writeEntry(p.ctx, p.prepared, planned[i] ?? plan(p), threshold)),
    scope,
  );
}

/** The answer to one stored entry: recurrence, the cluster's last answer, notes and what covers it. */
export function answerLogged(p: PendingEntry, stored: StoredEntry, recurrence = DEFAULT_RECURRENCE): LoggedEntry {
  const { ctx, entry: e } = p;
  const row = stored.row;
  const news = clusterNews(ctx.store, {
    clusterId: stored.cluster.id,
    exceptId: row.id,
    since: e.createdAt - recurrence.windowDays * DAY,
    until: e.createdAt,
  });
  const recurring = news.recent >= recurrence.minEntries;
  const answer = news.lastAnswer;
  const notes: string[] = [];
  if (row.taskId && !getTask(ctx.store, row.taskId)) {
    notes.push(`task '${row.taskId}' is not recorded; call record_task (start) so the interrupt rates count it`);
  }
  if (stored.categoryFromCluster) {
    notes.push(
      `category ${row.category} from cluster #${stored.cluster.id}, which this entry joined; pass category to override`,
    );
  } else if (row.categorySource === 'suggested' && row.category === 'other') {
    notes.push(
      'no category cue matched; pass `category` if you know it (missing_context, policy_gap, tool_failure, ambiguous_spec)',
    );
  }
  return {
    id: row.id,
    kind: row.kind,
    category: row.category as Category,
    categorySuggested: row.categorySource === 'suggested',
    categoryCues: stored.cues,
    module: row.module,
    agent: row.agent,
    redactions: row.redactions,
    redactedKinds: stored.redactedKinds,
    cluster: {
      ...stored.cluster,
      recurring,
      suggestedFix: FIX_TYPE[row.category as Category],
      lastAnswer: answer
        ? { id: answer.id, response: answer.response, respondedAt: new Date(answer.respondedAt).toISOString() }
        : null,
    },
    similar: stored.similar.map((s) => ({
      id: s.entry.id,
      summary: s.entry.summary,
      createdAt: new Date(s.entry.createdAt).toISOString(),
      score: s.score,
      response: s.entry.response,
    })),
    coveredBy: findCoverage(ctx, { ...row, clusterFixId: stored.clusterFixId }),
    notes,
  };
}

export interface ResolveInput {
  id: number;
  response: string;
  respondedAt?: number | undefined;
  resolvedAt?: number | undefined;
  /** false: a human answered, but the entry stays open */
  resolved?: boolean | undefined;
  fixId?: number | undefined;
}

export interface Resolution {
  id: number;
  respondedAt: string;
  resolvedAt: string | null;
  /** interrupt → human response, the Mean Time To Correct sample */
  timeToCorrectMs: number;
  redactions: number;
  fix: { id: number; type: string; title: string; path: string; status: string } | null;
  clusterCovered: boolean;
}

/**
 * Records the human's response (and resolution) for an entry. Re-sending the same call changes nothing:
 * times already stored are kept unless given. Linking a fix also covers the entry's cluster when uncovered.
 */
export function resolveInterrupt(ctx: AppContext, input: ResolveInput): Resolution {
  const db = ctx.store;
  // Redacted before the write lock is taken: the lock is held for the writes only.
  const response = redactSecrets(input.response.trim());
  return withImmediateTransaction(db, (): Resolution => {
    const row = getInterrupt(db, input.id);
    if (!row) throw new UserInputError(`no interrupt #${input.id}; use the id log_interrupt returned`, 'id');
    const now = ctx.clock();
    const respondedAt = input.respondedAt ?? row.respondedAt ?? Math.max(now, row.createdAt);
    if (respondedAt < row.createdAt) {
      throw new UserInputError(
        `responded_at is before the entry was logged (${new Date(row.createdAt).toISOString()}); pass a later time or omit it`,
        'responded_at',
      );
    }
    const resolvedAt =
      input.resolved === false ? null : (input.resolvedAt ?? row.resolvedAt ?? Math.max(now, respondedAt));
    if (resolvedAt !== null && resolvedAt < respondedAt) {
      throw new UserInputError('resolved_at is before responded_at; pass a later time or omit it', 'resolved_at');
    }
    let fix: Resolution['fix'] = null;
    let clusterCovered = false;
    if (input.fixId !== undefined) {
      const f = fixInfo(db, input.fixId);
      if (!f) {
        throw new UserInputError(
          `no fix #${input.fixId}; pass the id a propose_adr/propose_rule/propose_skill call returned, or omit fix_id`,
          'fix_id',
        );
      }
      fix = { id: f.id, type: f.type, title: f.title, path: f.path, status: f.status };
      if (row.clusterId !== null) {
        coverCluster(db, row.clusterId, f.id, now);
        clusterCovered = getCluster(db, row.clusterId)?.fixId === f.id;
      }
    }
    updateResolution(db, row.id, { response: response.text, respondedAt, resolvedAt, fixId: fix?.id ?? null });
    return {
      id: row.id,
      respondedAt: new Date(respondedAt).toISOString(),
      resolvedAt: resolvedAt === null ? null : new Date(resolvedAt).toISOString(),
      timeToCorrectMs: respondedAt - row.createdAt,
      redactions: response.count,
      fix,
      clusterCovered,
    };
  });
}
