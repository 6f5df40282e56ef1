import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { commitRef, fileKey, fileRows, frameRows } from '../ingest/incident-files.js';
import { checkIncidentRow } from '../ingest/incident-row.js';
import {
  getIncidentBySource,
  insertIncident,
  listIncidentFiles,
  replaceIncidentFiles,
  updateIncident,
  type IncidentFields,
  type IncidentFileRow,
} from '../store/incidents.js';
import { withTransaction } from '../store/transaction.js';

export interface UpsertIncidentOptions {
  /** `source` when the row names none. */
  defaultSource: string;
  /** Fields the row must hold; default title and started_at (an enrichment of a known incident needs only id). */
  required?: readonly string[];
  /** Only enrich: an incident that does not exist yet is left alone (a PR that fixes an issue never filed as one). */
  onlyExisting?: boolean;
  /** Fields the source is authoritative for: absent means cleared (a reopened issue has no resolved_at). */
  clearWhenAbsent?: readonly ('resolvedAt' | 'severity' | 'service' | 'module')[];
}

export interface UpsertIncidentResult {
  id: number;
  created: boolean;
  changed: boolean;
}

/**
 * Upserts ONE incident row (the import's schema, validated by `checkIncidentRow`), keyed by (source, id), in one
 * transaction. As in the import, fields present overwrite and absent ones keep what is stored. Webhooks and the
 * GitHub ingest share it; bad rows throw a UserInputError naming each field.
 */
export function upsertIncidentRow(
  ctx: AppContext,
  raw: unknown,
  options: UpsertIncidentOptions,
): UpsertIncidentResult | undefined {
  const check = checkIncidentRow(raw, options.required ?? ['title', 'started_at']);
  if (!check.ok) {
    throw new UserInputError(
      `invalid incident: ${check.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      check.problems[0]?.field,
    );
  }
  const r = check.row;
  const source = r.source ?? options.defaultSource;
  const db = ctx.store;
  return withTransaction(db, () => {
    const stored = getIncidentBySource(db, source, r.id);
    if (!stored && options.onlyExisting) return undefined;
    if (!stored && (r.title === undefined || r.started_at === undefined)) {
      throw new UserInputError(
        `incident '${source}:${r.id}' is not known yet; send title and started_at to create it`,
        r.title === undefined ? 'title' : 'started_at',
      );
    }
    const clear = new Set(options.clearWhenAbsent ?? []);
    const keep = <T>(given: T | undefined, field: 'resolvedAt' | 'severity' | 'service' | 'module', old: T | null) =>
      given ?? (clear.has(field) ? null : old);
    const resolvedAt = keep(r.resolved_at, 'resolvedAt', stored?.resolvedAt ?? null);
    const fields: IncidentFields = {
      source,
      externalId: r.id,
      title: r.title ?? stored!.title,
      severity: keep(r.severity, 'severity', stored?.severity ?? null),
      startedAt: r.started_at ?? stored!.startedAt,
      resolvedAt,
      env: r.env ?? stored?.env ?? ctx.config.env,
      service: keep(r.service, 'service', stored?.service ?? null),
      module: keep(r.module, 'module', stored?.module ?? null),
      status: r.status ?? (resolvedAt !== null ? 'resolved' : (stored?.status ?? 'open')),
      url: r.url ?? stored?.url ?? null,
      summary: r.summary ?? stored?.summary ?? null,
      fixSha: commitRef(db, r.fix_sha, stored?.fixSha ?? null),
      rootCauseSha: commitRef(db, r.root_cause_sha, stored?.rootCauseSha ?? null),
      postmortemPath: stored?.postmortemPath ?? null,
    };
    if (fields.resolvedAt !== null && fields.resolvedAt < fields.startedAt) {
      throw new UserInputError(
        `resolved_at (${new Date(fields.resolvedAt).toISOString()}) is before started_at ` +
          `(${new Date(fields.startedAt).toISOString()}); check the order or the zones`,
        'resolved_at',
      );
    }
    const lists: [IncidentFileRow['kind'], Omit<IncidentFileRow, 'kind'>[] | undefined][] = [
      ['file', r.files && fileRows(ctx, r.files)],
      ['frame', r.stack_frames && frameRows(ctx, r.stack_frames)],
    ];
    const now = ctx.clock();
    if (!stored) {
      const id = insertIncident(db, fields, now);
      for (const [kind, rows] of lists) if (rows) replaceIncidentFiles(db, id, kind, rows);
      return { id, created: true, changed: true };
    }
    const before = listIncidentFiles(db, stored.id);
    const changedLists = lists.filter(
      ([kind, rows]) => rows !== undefined && fileKey(rows) !== fileKey(before.filter((f) => f.kind === kind)),
    );
    const changedFields = (Object.keys(fields) as (keyof IncidentFields)[]).some((k) => fields[k] !== stored[k]);
    if (changedFields) updateIncident(db, stored.id, fields, now);
    for (const [kind, rows] of changedLists) replaceIncidentFiles(db, stored.id, kind, rows ?? []);
    return { id: stored.id, created: false, changed: changedFields || changedLists.length > 0 };
  });
}
