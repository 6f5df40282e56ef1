import type { Db } from './open.js';
import { prepared } from './prepared.js';

/**
 * Distinct values by "skip scan": one index seek per distinct module instead of reading every row,
 * so listing ~100 modules stays sub-millisecond with 1M commit_files rows (a plain SELECT DISTINCT
 * reads the whole covering index).
 */
export const KNOWN_MODULES_SQL = {
  commitFiles: `WITH RECURSIVE m(x) AS (
      SELECT MIN(module) FROM commit_files
      UNION ALL
      SELECT (SELECT MIN(module) FROM commit_files WHERE module > m.x) FROM m WHERE m.x IS NOT NULL
    ) SELECT x FROM m WHERE x IS NOT NULL`,
  incidents: `WITH RECURSIVE m(x) AS (
      SELECT MIN(module) FROM incidents WHERE module IS NOT NULL
      UNION ALL
      SELECT (SELECT MIN(module) FROM incidents WHERE module > m.x) FROM m WHERE m.x IS NOT NULL
    ) SELECT x FROM m WHERE x IS NOT NULL`,
  incidentFiles: `WITH RECURSIVE m(x) AS (
      SELECT MIN(module) FROM incident_files
      UNION ALL
      SELECT (SELECT MIN(module) FROM incident_files WHERE module > m.x) FROM m WHERE m.x IS NOT NULL
    ) SELECT x FROM m WHERE x IS NOT NULL`,
} as const;

/** Every module the store knows: from changed files, incident module fields and incident files. Sorted. */
export function knownModules(db: Db): string[] {
  const all = new Set<string>();
  for (const sql of Object.values(KNOWN_MODULES_SQL)) {
    for (const x of prepared(db, sql).pluck().all() as string[]) if (x !== '') all.add(x);
  }
  return [...all].sort((a, b) => a.localeCompare(b));
}

/** Whether `module` is one of knownModules(db): three index seeks, for the common call that names a module exactly. */
export function isKnownModule(db: Db, module: string): boolean {
  if (module === '') return false;
  return (
    prepared(
      db,
      `SELECT EXISTS (SELECT 1 FROM commit_files WHERE module = @m) OR EXISTS (SELECT 1 FROM incidents WHERE module = @m)
         OR EXISTS (SELECT 1 FROM incident_files WHERE module = @m)`,
    )
      .pluck()
      .get({ m: module }) === 1
  );
}
