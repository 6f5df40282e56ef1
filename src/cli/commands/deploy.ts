import type { Command } from 'commander';
import { deployList } from '../../attribution/deploy-list.js';
import { refreshAttribution } from '../../attribution/refresh.js';
import { recordDeploy } from '../../ingest/deploys.js';
import type { DeployStatus } from '../../store/deploys.js';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';
import { parseWhen } from '../parse.js';

export function registerDeploy(program: Command, makeContext: ContextFactory): void {
  const deploy = program.command('deploy').description('Deploys reported by a CD pipeline');
  deploy
    .command('record')
    .description('Record one deploy: the line a CD pipeline adds after it deploys')
    .requiredOption('--sha <ref>', 'deployed commit (sha, tag or branch)')
    .option('--env <name>', 'environment (default from config, else production)')
    .requiredOption('--status <status>', 'success | failure | rolled_back')
    .option('--service <name>', 'service, when one repository deploys several')
    .option('--at <iso>', 'when the deploy finished (default now)')
    .option('--started-at <iso>', 'when the deploy started (default = --at)')
    .option('--id <external-id>', 'pipeline run id; recording the same id twice is a no-op')
    .action(
      async (o: {
        sha: string;
        env?: string;
        status: string;
        service?: string;
        at?: string;
        startedAt?: string;
        id?: string;
      }) => {
        const ctx = makeContext();
        const res = await recordDeploy(ctx, {
          ref: o.sha,
          status: o.status as DeployStatus,
          ...(o.env ? { env: o.env } : {}),
          ...(o.service ? { service: o.service } : {}),
          ...(o.at ? { finishedAt: parseWhen(o.at, '--at') } : {}),
          ...(o.startedAt ? { startedAt: parseWhen(o.startedAt, '--started-at') } : {}),
          ...(o.id ? { externalId: o.id } : {}),
        });
        await refreshAttribution(ctx, {
          ...(res.created ? { deploys: [res.deploy, ...res.rolledBack] } : {}),
          ...(res.ingested ? { newCommits: res.ingested } : {}),
        });
        const d = res.deploy;
        const lines = [
          res.created
            ? `deploy #${d.id} ${d.env}${d.service ? `/${d.service}` : ''} ${d.sha.slice(0, 10)} ${d.status}: ${res.commitCount} commit(s) since ${d.prevDeployId ? `deploy #${d.prevDeployId}` : 'the beginning'}`
            : `deploy ${o.id} was already recorded as #${d.id}; nothing changed`,
        ];
        if (res.rollbackTo || res.rolledBack.length > 0) {
          lines.push(
            `rollback${res.rollbackTo ? ` to deploy #${res.rollbackTo.id}` : ''}; rolled back: ${res.rolledBack.map((r) => `#${r.id}`).join(', ') || 'none'}`,
          );
        }
        out(lines.join('\n'));
        ctx.store.close();
      },
    );

  deploy
    .command('list')
    .description('Every deploy with its status, previous deploy and commit count (its range is git rev-list prev..sha)')
    .option('--env <name>', 'only this environment')
    .option('--service <name>', 'only this service')
    .option('--json', 'print the list as JSON')
    .action((o: { env?: string; service?: string; json?: boolean }) => {
      const ctx = makeContext();
      const list = deployList(ctx, {
        ...(o.env !== undefined ? { env: o.env } : {}),
        ...(o.service !== undefined ? { service: o.service } : {}),
      });
      ctx.store.close();
      if (o.json) return outJson(list);
      if (list.empty) return out(list.empty);
      out(
        list.deploys
          .map((d) => {
            const name = (x: { id: number; sha: string; ref: string | null }) =>
              `#${x.id} ${x.ref ?? x.sha.slice(0, 10)}`;
            const notes = [
              d.shippedBefore ? `${d.shippedBefore} shipped before` : '',
              d.rollbackTo !== null ? `rollback to #${d.rollbackTo}` : '',
              d.rolledBackBy !== null ? `rolled back by #${d.rolledBackBy}` : '',
            ].filter(Boolean);
            return (
              `${name(d)} ${d.env}${d.service ? `/${d.service}` : ''} ${d.sha.slice(0, 10)} ${d.finishedAt.slice(0, 10)} ` +
              `${d.status}: ${d.commits} commit(s) since ${d.prev ? name(d.prev) : 'the beginning'}` +
              (notes.length ? ` (${notes.join('; ')})` : '')
            );
          })
          .join('\n'),
      );
    });
}
