import type { AppContext } from '../context.js';
import { resolveCommitPrefix, type IncidentFileRow } from '../store/incidents.js';
import type { Db } from '../store/open.js';
import { isVendorFrame, type Frame } from './frames.js';

// How an incident row's commit refs and file lists are stored: shared by the file import (incidents.ts) and the
// one-row upsert of webhooks and the GitHub ingest (github/incidents.ts), so both store the same thing.

/** A full sha when one known commit starts with the given prefix, else the prefix (attribution retries later). */
export function commitRef(db: Db, given: string | undefined, stored: string | null): string | null {
  if (given === undefined) return stored;
  if (given.length === 40) return given;
  // Already resolved (by an earlier import or by attribution): the same short ref must not undo that.
  if (stored?.startsWith(given)) return stored;
  return resolveCommitPrefix(db, given) ?? given;
}

export function fileRows(ctx: AppContext, paths: string[]): Omit<IncidentFileRow, 'kind'>[] {
  return dedupe(paths.map((path) => ({ path, line: null, module: ctx.modules.moduleOf(path) })));
}

/** Dependency and runtime frames say nothing about which change broke production, so they are not stored. */
export function frameRows(ctx: AppContext, frames: Frame[]): Omit<IncidentFileRow, 'kind'>[] {
  return dedupe(
    frames
      .filter((f) => !isVendorFrame(f.path))
      .map((f) => ({ path: f.path, line: f.line, module: ctx.modules.moduleOf(f.path) })),
  );
}

function dedupe<T extends { path: string; line: number | null }>(rows: T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = `${r.path}\0${r.line ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A list's identity for change detection: the same rows in any order give the same key. */
export function fileKey(rows: readonly Omit<IncidentFileRow, 'kind'>[]): string {
  return rows
    .map((r) => `${r.path}\0${r.line ?? ''}\0${r.module}`)
    .sort()
    .join('\n');
}
