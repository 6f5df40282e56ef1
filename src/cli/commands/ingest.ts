import type { Command } from 'commander';
import { refreshAttribution } from '../../attribution/refresh.js';
import { ingestDeploysFromTags } from '../../ingest/deploys.js';
import { ingestGit } from '../../ingest/git.js';
import { importIncidents } from '../../ingest/incidents.js';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { out } from '../output.js';

export function registerIngest(program: Command, makeContext: ContextFactory): void {
  const ingest = program.command('ingest').description('Bring git history, deploys and incidents into the database');

  ingest
    .command('git')
    .description('Ingest new commits of the repository (incremental; normal or bare repositories)')
    .option('--batch-ms <ms>', 'longest a write batch holds the database lock (default 1000)')
    .action(async (o: { batchMs?: string }) => {
      const batchMs = o.batchMs === undefined ? undefined : Number(o.batchMs);
      if (batchMs !== undefined && (!Number.isInteger(batchMs) || batchMs < 1)) {
        throw new UserInputError(
          `--batch-ms '${o.batchMs}' must be a whole number of milliseconds, e.g. 50`,
          'batchMs',
        );
      }
      const ctx = makeContext();
      const res = await ingestGit(ctx, batchMs !== undefined ? { batchMs } : {});
      await refreshAttribution(ctx, { newCommits: res });
      out(`ingested ${res.added} new commit(s) in ${res.ms} ms; ${res.total} in the database`);
      ctx.store.close();
    });

  ingest
    .command('deploys')
    .description('Create release deploys from tags (each matching tag = a deploy at the tag date)')
    .requiredOption('--from-tags <glob>', "tag pattern, e.g. 'v*'")
    .option('--env <name>', 'environment (default production)')
    .option('--service <name>', 'service')
    .action(async (o: { fromTags: string; env?: string; service?: string }) => {
      const ctx = makeContext();
      const res = await ingestDeploysFromTags(ctx, {
        glob: o.fromTags,
        ...(o.env ? { env: o.env } : {}),
        ...(o.service ? { service: o.service } : {}),
      });
      await refreshAttribution(ctx, {
        deploys: res.recorded,
        ...(res.newCommits ? { newCommits: res.newCommits } : {}),
      });
      out(
        `${res.matched} tag(s) matched: ${res.added} deploy(s) recorded, ${res.skipped} already known${res.aliases ? `, ${res.aliases} alias(es) of a tagged release` : ''}`,
      );
      ctx.store.close();
    });

  ingest
    .command('incidents <file>')
    .description('Import incidents: JSON array, NDJSON, CSV, or a folder of post-mortem Markdown files')
    .option('--skip-invalid', 'import the valid rows and list the rejected ones (default: reject the whole file)')
    .action(async (file: string, o: { skipInvalid?: boolean }) => {
      const ctx = makeContext();
      const res = importIncidents(ctx, file, { skipInvalid: o.skipInvalid === true });
      // The import marked what it wrote pending; this also finishes what an interrupted run left.
      await refreshAttribution(ctx);
      const lines = [`incidents: ${res.inserted} new, ${res.updated} updated, ${res.unchanged} unchanged`];
      if (res.rejected.length > 0) {
        lines.push(`${res.rejected.length} row(s) rejected:`);
        for (const p of res.rejected) lines.push(`  ${p.file}:${p.line} ${p.field}: ${p.message}`);
      }
      out(lines.join('\n'));
      ctx.store.close();
    });
}
