import type { Db } from './open.js';
import { prepared } from './prepared.js';

/** What of a server's set-up is in the store: each answer that is empty for want of one says how to add it. */
export interface SetupState {
  /** The served repository has at least one ingested commit. */
  commits: boolean;
  deploys: boolean;
  incidents: boolean;
}

/** EXISTS, not count(*): asked on tool calls, so it must not scan a large store. */
export function setupState(db: Db, repoId: number | undefined): SetupState {
  const row = prepared(
    db,
    `SELECT EXISTS (SELECT 1 FROM commits WHERE repo_id = ?) AS commits,
              EXISTS (SELECT 1 FROM deploys) AS deploys,
              EXISTS (SELECT 1 FROM incidents) AS incidents`,
  ).get(repoId ?? null) as Record<keyof SetupState, number>;
  return { commits: row.commits === 1, deploys: row.deploys === 1, incidents: row.incidents === 1 };
}
