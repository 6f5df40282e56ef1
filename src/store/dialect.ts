// The few places where SQLite's and PostgreSQL's SQL differ, each as one small function that returns the text for
// the engine of `db`. Everything else in src/store is written once in the SQL both engines share (ON CONFLICT
// upserts, CTEs, window functions, RETURNING); a statement that needs one of these builds its text through them.
import { isPostgres, type Db } from './open.js';

export type ValueType = 'text' | 'bigint';

/**
 * A FROM item: the elements of a JSON array parameter (`param`, e.g. `?` or `@ids`) as rows of one column `value`
 * of `type`, under `alias`. SQLite's json_each, or PostgreSQL's json_array_elements_text with a cast, since
 * PostgreSQL compares no text with a bigint.
 */
export function jsonValues(db: Db, param: string, alias: string, type: ValueType = 'text'): string {
  return isPostgres(db)
    ? `(SELECT CAST(e.v AS ${type}) AS value FROM json_array_elements_text(CAST(${param} AS json)) AS e(v)) ${alias}`
    : `json_each(${param}) ${alias}`;
}

/** `SELECT value FROM <jsonValues>`: the subquery of a `col IN (…)` test against a JSON array parameter. */
export function inJson(db: Db, param: string, type: ValueType = 'text'): string {
  return `SELECT value FROM ${jsonValues(db, param, 'j', type)}`;
}

/**
 * inJson for a short list (an answer's page of deploys, incidents or commits) probed against a large table.
 * PostgreSQL plans a JSON function at 100 rows and answered `id IN (…)` by hashing the whole table (one deploy by
 * id: 2.6 ms at 10k deploys); an array's elements it plans at 10, and probes the index per element (0.2 ms).
 */
export function inShortJson(db: Db, param: string, type: ValueType = 'text'): string {
  return isPostgres(db)
    ? `SELECT unnest(ARRAY(SELECT CAST(e.v AS ${type}) FROM json_array_elements_text(CAST(${param} AS json)) AS e(v))) AS value`
    : inJson(db, param, type);
}

/** `expr = param`, ignoring ASCII case (SQLite's NOCASE collation; lower() on both sides in PostgreSQL). */
export function equalsCaseless(db: Db, expr: string, param: string): string {
  return isPostgres(db) ? `lower(${expr}) = lower(${param})` : `${expr} = ${param} COLLATE NOCASE`;
}

/** `expr LIKE pattern`, ignoring ASCII case as SQLite's LIKE does (ILIKE in PostgreSQL). */
export function likeCaseless(db: Db, expr: string, pattern: string): string {
  return isPostgres(db) ? `${expr} ILIKE ${pattern}` : `${expr} LIKE ${pattern}`;
}

/**
 * SQLite's unary `+`, which keeps its planner off an index on that column where another index is the better start;
 * PostgreSQL plans from statistics and has no such operator for text, so nothing there.
 */
export function noIndex(db: Db, column: string): string {
  return isPostgres(db) ? column : `+${column}`;
}

/** A string field of a JSON text column: json_extract, or PostgreSQL's ->> on a json cast. */
export function jsonText(db: Db, expr: string, key: string): string {
  return isPostgres(db) ? `(CAST(${expr} AS json) ->> '${key}')` : `json_extract(${expr}, '$.${key}')`;
}

/** SQLite's INDEXED BY, pinning a plan its statistics-free planner gets wrong; PostgreSQL plans from statistics. */
export function indexedBy(db: Db, index: string): string {
  return isPostgres(db) ? '' : `INDEXED BY ${index}`;
}

/**
 * An inner join whose left side stays the outer loop: SQLite's CROSS JOIN … ON (its planner never reorders a
 * CROSS JOIN); PostgreSQL has no CROSS JOIN with ON and orders joins from statistics, so a plain JOIN.
 */
export function joinInOrder(db: Db): string {
  return isPostgres(db) ? 'JOIN' : 'CROSS JOIN';
}
