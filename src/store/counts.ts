import type { Db } from './open.js';

/** Row counts for banners and `hindsight status`. */
export function storeCounts(db: Db): { commits: number; deploys: number; incidents: number; links: number } {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM commits) AS commits, (SELECT count(*) FROM deploys) AS deploys,
              (SELECT count(*) FROM incidents) AS incidents, (SELECT count(*) FROM incident_links) AS links`,
    )
    .get() as { commits: number; deploys: number; incidents: number; links: number };
}
