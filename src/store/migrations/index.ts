import { sql as core } from './0001-core.js';
import { sql as triage } from './0002-triage.js';
import { sql as github } from './0003-github.js';
import { sql as perf } from './0004-perf.js';
import { sql as perfLinks } from './0005-perf-links.js';
import { sql as moduleRollups } from './0006-module-rollups.js';
import { sql as triageRollups } from './0007-triage-rollups.js';
import { sql as historyRollups } from './0008-history-rollups.js';
import { sql as attributionPending } from './0009-attribution-pending.js';
import { sql as tokens } from './0010-tokens.js';
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

/** Ordered migrations; the index + 1 is the schema version stored in `PRAGMA user_version`. Append only. */
export const migrations: readonly { name: string; sql: string }[] = [
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
  { name: '0011-signals-release', sql: signalsRelease },
  { name: '0012-notify', sql: notify },
  { name: '0013-change-identity', sql: changeIdentity },
  { name: '0014-commit-files-basis', sql: commitFilesBasis },
  { name: '0015-interrupts-module', sql: interruptsModule },
  { name: '0016-impact-summaries', sql: impactSummaries },
  { name: '0017-module-incident-basis', sql: moduleIncidentBasis },
  { name: '0018-calibration-replays', sql: calibrationReplays },
  { name: '0019-impact-shown-marks', sql: impactShownMarks },
  { name: '0020-module-pair-own', sql: modulePairOwn },
];
