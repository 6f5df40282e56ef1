import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { copyDatabase } from '../../store/engine/copy.js';
import { displayTarget } from '../../store/engine/postgres-url.js';
import type { ContextFactory } from '../main.js';
import { info, out } from '../output.js';

export function registerDbCopy(program: Command, _makeContext: ContextFactory): void {
  program
    .command('db')
    .description('Database maintenance across engines (SQLite file or postgres:// URL)')
    .command('copy')
    .description(
      'Copy every table from one hindsight database to a new, empty one (SQLite ⇄ PostgreSQL), verify every row, ' +
        'and continue an interrupted copy when run again with the same --from and --to',
    )
    .requiredOption('--from <path|url>', 'source: a SQLite file or a postgres:// URL (read only)')
    .requiredOption('--to <path|url>', 'target: a new SQLite file or an empty PostgreSQL database')
    .option('--batch <rows>', 'rows per transaction', '2000')
    .action((o: { from: string; to: string; batch: string }) => {
      const batchSize = Number(o.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UserInputError(`--batch '${o.batch}' must be a whole number of rows, at least 1`, 'batch');
      let lastTable = '';
      let lastShown = 0;
      const report = copyDatabase(o.from, o.to, {
        batchSize,
        onProgress: (p) => {
          const now = Date.now();
          if (p.table !== lastTable || p.rows === p.total || now - lastShown > 1000) {
            info(`copy ${p.table}: ${p.rows}/${p.total}`);
            lastTable = p.table;
            lastShown = now;
          }
        },
      });
      const rows = report.tables.reduce((n, t) => n + t.rows, 0);
      out(
        `copied ${rows} rows in ${report.tables.length} tables from ${displayTarget(o.from)} to ` +
          `${displayTarget(o.to)}${report.resumed ? ' (resumed)' : ''}; every table verified (count + checksum)`,
      );
    });
}
