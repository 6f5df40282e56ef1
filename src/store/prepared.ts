import type { Statement } from './engine/types.js';
import type { Db } from './open.js';

const statements = new WeakMap<Db, Map<string, Statement>>();

/**
 * The statement for `sql`, prepared once per database: statements run once per row or per incident (imports,
 * attribution) cost more to prepare than to run (23% of attribution's CPU when it prepared per call).
 */
export function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}
