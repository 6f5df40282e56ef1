import { sql as core } from './0001-core.js';

/** Ordered migrations; the index + 1 is the schema version stored in `PRAGMA user_version`. Append only. */
export const migrations: readonly { name: string; sql: string }[] = [{ name: '0001-core', sql: core }];
