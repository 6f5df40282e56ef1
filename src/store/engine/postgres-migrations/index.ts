import { sql as core } from './0001-core.js';
import { sql as triage } from './0002-triage.js';
import { sql as github } from './0003-github.js';
import { perf, perfLinks } from './0004-0005-perf.js';
import { sql as moduleRollups } from './0006-module-rollups.js';
import { sql as triageRollups } from './0007-triage-rollups.js';
import { attributionPending, historyRollups, tokens } from './0008-0010.js';
import { sql as signalsRelease } from './0011-signals-release.js';
import { sql as notify } from './0012-notify.js';
import { sql as changeIdentity } from './0013-change-identity.js';
import { sql as commitFilesBasis } from './0014-commit-files-basis.js';
import { sql as interruptsModule } from './0015-interrupts-module.js';
import { sql as impactSummaries } from './0016-impact-summaries.js';
import { sql as moduleIncidentBasis } from './0017-module-incident-basis.js';
import { sql as calibrationReplays } from './0018-calibration-replays.js';
import { sql as impactShownMarks } from './0019-impact-shown-marks.js';
import { sql as modulePairOwn } from './0020-module-pair-own.js';

import { migrations } from '../../migrations/index.js';

const sqlByVersion = [
  core,
  triage,
  github,
  perf,
  perfLinks,
  moduleRollups,
  triageRollups,
  historyRollups,
  attributionPending,
  tokens,
  signalsRelease,
  notify,
  changeIdentity,
  commitFilesBasis,
  interruptsModule,
  impactSummaries,
  moduleIncidentBasis,
  calibrationReplays,
  impactShownMarks,
  modulePairOwn,
];

/**
 * PostgreSQL's migrations, one for each of SQLite's (store/migrations/index.ts) under the same name, so schema
 * version N means the same logical schema on both engines (db copy relies on it). Append only, in step with SQLite;
 * opening PostgreSQL refuses while a SQLite migration has no twin here (SQLite users are not held up by it).
 */
export const postgresMigrations: readonly { name: string; sql: string }[] = sqlByVersion.map((sql, i) => ({
  name: migrations[i]?.name ?? `${String(i + 1).padStart(4, '0')}-unknown`,
  sql,
}));
