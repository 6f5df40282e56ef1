import { joinInOrder } from './dialect.js';
import { inListChunks } from './in-list.js';
import type { Db } from './open.js';
import { prepared as stmt } from './prepared.js';

// Which deploys shipped which commits (deploy_commits): read by the answers about my changes and an incident's
// suspects, and by the attribution evaluation.

/** Every (deploy, commit) pair for the commits in `shas`, any environment and status. */
export function deploysCarrying(db: Db, shas: readonly string[]): { id: number; sha: string }[] {
  const out: { id: number; sha: string }[] = [];
  for (const { marks, params } of inListChunks(shas)) {
    out.push(
      ...(stmt(
        db,
        `SELECT dc.deploy_id AS id, dc.sha FROM deploy_commits dc WHERE dc.sha IN (${marks}) ORDER BY dc.sha, dc.deploy_id`,
      ).all(...params) as { id: number; sha: string }[]),
    );
  }
  return out;
}

/** The latest deploy to `env` that shipped `sha` (did not fail) and finished before `before`. */
export function latestShippedDeployId(db: Db, sha: string, env: string, before: number): number | undefined {
  return stmt(
    db,
    // From the sha's own deploy rows (see suspect-facts.ts: the planner may otherwise walk the env's deploys).
    `SELECT d.id FROM deploy_commits dc ${joinInOrder(db)} deploys d ON d.id = dc.deploy_id
     WHERE dc.sha = ? AND d.env = ? AND d.finished_at < ? AND d.status != 'failure' ORDER BY d.finished_at DESC LIMIT 1`,
  )
    .pluck()
    .get(sha, env, before) as number | undefined;
}

/** Did any deploy that did not fail ship `sha` before `at` (any environment)? */
export function shippedBefore(db: Db, sha: string, at: number): boolean {
  return (
    stmt(
      db,
      `SELECT 1 FROM deploy_commits dc JOIN deploys d ON d.id = dc.deploy_id
       WHERE dc.sha = ? AND d.status != 'failure' AND d.finished_at < ? LIMIT 1`,
    ).get(sha, at) !== undefined
  );
}

/** Deploys to `env` that did not fail and finished before `before`. */
export function countShippedDeploysBefore(db: Db, env: string, before: number): number {
  return stmt(db, "SELECT count(*) FROM deploys WHERE env = ? AND finished_at < ? AND status != 'failure'")
    .pluck()
    .get(env, before) as number;
}
