import type { AppContext } from '../../src/context.js';
import { deliveryMetrics, type DeliveryMetrics } from '../../src/delivery/metrics.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/gitdir.js';
import { seeder, type Seeder } from '../helpers/seed.js';

export const NOW = Date.parse('2026-03-01T00:00:00Z');
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface DeploySpec {
  at: number;
  shas: string[];
  status?: 'success' | 'failure' | 'rolled_back';
  env?: string;
  service?: string;
  rollbackTo?: number;
}

export interface DeliveryFixture {
  ctx: AppContext;
  seed: Seeder;
  deploy(spec: DeploySpec): number;
  deployLink(incidentId: number, deployId: number, score: number, status?: 'suspect' | 'confirmed'): void;
  incidentFields(incidentId: number, fields: { rootCauseSha?: string; fixSha?: string }): void;
  fixes(sha: string, fixedSha: string): void;
  metrics(windowDays?: number, extra?: { env?: string; service?: string }): DeliveryMetrics;
}

/** A real store with rows written straight into the schema: deploys, what they shipped, incidents and links. */
export function deliveryFixture(): DeliveryFixture {
  const ctx = testContext(tempDir(), { now: NOW });
  const seed = seeder(ctx);
  const db = ctx.store;
  const insDeploy = db.prepare(
    `INSERT INTO deploys(repo_id, env, service, sha, started_at, finished_at, status, source, rollback_to_deploy_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'cli', ?) RETURNING id`,
  );
  const insShipped = db.prepare('INSERT INTO deploy_commits(deploy_id, sha) VALUES (?, ?)');
  return {
    ctx,
    seed,
    deploy(spec) {
      const id = insDeploy
        .pluck()
        .get(
          seed.repoId,
          spec.env ?? 'production',
          spec.service ?? '',
          spec.shas.at(-1) ?? 'none',
          spec.at - 600_000,
          spec.at,
          spec.status ?? 'success',
          spec.rollbackTo ?? null,
        ) as number;
      for (const sha of spec.shas) insShipped.run(id, sha);
      return id;
    },
    deployLink(incidentId, deployId, score, status = 'suspect') {
      db.prepare(
        `INSERT INTO incident_links(incident_id, kind, target, score, status, method, evidence, updated_at)
         VALUES (?, 'deploy', ?, ?, ?, 'heuristic', '{"reasons":[]}', 0)`,
      ).run(incidentId, String(deployId), score, status);
    },
    incidentFields(incidentId, fields) {
      db.prepare(
        'UPDATE incidents SET root_cause_sha = COALESCE(?, root_cause_sha), fix_sha = COALESCE(?, fix_sha) WHERE id = ?',
      ).run(fields.rootCauseSha ?? null, fields.fixSha ?? null, incidentId);
    },
    fixes(sha, fixedSha) {
      db.prepare('INSERT INTO commit_fixes(sha, fixed_ref, fixed_sha) VALUES (?, ?, ?)').run(sha, fixedSha, fixedSha);
    },
    metrics(windowDays = 30, extra = {}) {
      return deliveryMetrics(ctx, { now: NOW, windowDays, agentLimit: 5, ...extra });
    },
  };
}
