import { sql as core } from './0001-core.js';
import { sql as triage } from './0002-triage.js';
import { sql as github } from './0003-github.js';
import { perf, perfLinks } from './0004-0005-perf.js';
import { sql as moduleRollups } from './0006-module-rollups.js';
import { sql as triageRollups } from './0007-triage-rollups.js';
import { attributionPending, historyRollups, tokens } from './0008-0010.js';

/**
 * PostgreSQL's migrations, one for each of SQLite's (store/migrations/index.ts) with the same name, so schema
 * version N means the same logical schema on both engines (db copy relies on it). Append only, in step with SQLite.
 */
export const postgresMigrations: readonly { name: string; sql: string }[] = [
  { name: '0001-core', sql: core },
  { name: '0002-triage', sql: triage },
  { name: '0003-github', sql: github },
  { name: '0004-perf', sql: perf },
  { name: '0005-perf-links', sql: perfLinks },
  { name: '0006-module-rollups', sql: moduleRollups },
  { name: '0007-triage-rollups', sql: triageRollups },
  { name: '0008-history-rollups', sql: historyRollups },
  { name: '0009-attribution-pending', sql: attributionPending },
  { name: '0010-tokens', sql: tokens },
];
