// The one engine-specific piece of full-text search: which interrupts match an FTS5-style match string (quoted
// words joined by OR, as store/interrupts.ts builds it), newest first, at most @scan. SQLite asks the FTS5 table;
// PostgreSQL the GIN index over interrupt_fts(summary, detail), whose websearch_to_tsquery reads the same string.
import type { EngineKind } from './types.js';

/** SQL yielding the ids (column `id`) of matching interrupts; parameters @match and @scan. */
export function interruptMatchIds(kind: EngineKind): string {
  return kind === 'sqlite'
    ? 'SELECT rowid AS id FROM interrupts_fts WHERE interrupts_fts MATCH @match ORDER BY rowid DESC LIMIT @scan'
    : `SELECT id FROM interrupts WHERE interrupt_fts(summary, detail) @@ websearch_to_tsquery('hindsight', @match)
       ORDER BY id DESC LIMIT @scan`;
}
