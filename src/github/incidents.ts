import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { isVendorFrame } from '../ingest/frames.js';
import { checkIncidentRow } from '../ingest/incident-row.js';
import {
  getIncidentBySource,
  insertIncident,
  listIncidentFiles,
  replaceIncidentFiles,
  resolveCommitPrefix,
  updateIncident,
  type IncidentFields,
  type IncidentFileRow,
} from '../store/incidents.js';

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
  return db.transaction(() => {
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
      fixSha: fullSha(ctx, r.fix_sha, stored?.fixSha ?? null),
      rootCauseSha: fullSha(ctx, r.root_cause_sha, stored?.rootCauseSha ?? null),
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
      ['file', r.files && unique(r.files.map((path) => ({ path, line: null, module: ctx.modules.moduleOf(path) })))],
      [
        'frame',
        r.stack_frames &&
          unique(
            r.stack_frames
              .filter((f) => !isVendorFrame(f.path))
              .map((f) => ({ path: f.path, line: f.line, module: ctx.modules.moduleOf(f.path) })),
          ),
      ],
    ];
    const now = ctx.clock();
    if (!stored) {
      const id = insertIncident(db, fields, now);
      for (const [kind, rows] of lists) if (rows) replaceIncidentFiles(db, id, kind, rows);
      return { id, created: true, changed: true };
    }
    const before = listIncidentFiles(db, stored.id);
    const changedLists = lists.filter(
      ([kind, rows]) => rows !== undefined && filesKey(rows) !== filesKey(before.filter((f) => f.kind === kind)),
    );
    const changedFields = (Object.keys(fields) as (keyof IncidentFields)[]).some((k) => fields[k] !== stored[k]);
    if (changedFields) updateIncident(db, stored.id, fields, now);
    for (const [kind, rows] of changedLists) replaceIncidentFiles(db, stored.id, kind, rows ?? []);
    return { id: stored.id, created: false, changed: changedFields || changedLists.length > 0 };
  })();
}

/** A full sha when one known commit starts with the prefix (else the prefix: attribution resolves it later). */
function fullSha(ctx: AppContext, given: string | undefined, stored: string | null): string | null {
  if (given === undefined) return stored;
  if (given.length >= 40) return given;
  if (stored?.startsWith(given)) return stored;
  return resolveCommitPrefix(ctx.store, given) ?? given;
}

const fileKey = (r: Omit<IncidentFileRow, 'kind'>) => `${r.path}\0${r.line ?? ''}\0${r.module}`;

function unique(rows: Omit<IncidentFileRow, 'kind'>[]): Omit<IncidentFileRow, 'kind'>[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(fileKey(r)) && seen.add(fileKey(r)));
}

function filesKey(rows: readonly Omit<IncidentFileRow, 'kind'>[]): string {
  return rows.map(fileKey).sort().join('\n');
}
