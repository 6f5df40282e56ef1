import { joinInOrder } from './dialect.js';
import type { Db } from './open.js';

/**
 * SQL condition: the change of deploy commit `dc` (of deploy `d`) was already shipped by an earlier deploy of the same
 * env/service that did not fail — the same sha (a merge forward, a re-ship) or another sha of the same change (a
 * cherry-pick: git keeps its author, author date and subject). One definition for `deploy list` and DORA's lead
 * time, so a change counts once, at its first ship. The aliases `dc` and `d` must be in scope.
 *
 * Each test starts from the change's own rows (its sha's deploys; the commits with its author date) and only then
 * reads those deploys: SQLite's planner, left to itself, walked every earlier deploy of the env/service for each
 * commit (delivery_metrics took 30–80 s on a 45k-commit history with 4,500 deploys).
 */
export function shippedEarlier(db: Db): string {
  const join = joinInOrder(db);
  const earlier = `p.id <> d.id AND p.env = d.env AND p.service = d.service AND p.status <> 'failure'
      AND (p.finished_at < d.finished_at OR (p.finished_at = d.finished_at AND p.id < d.id))`;
  return `(
  EXISTS (SELECT 1 FROM deploy_commits e ${join} deploys p ON p.id = e.deploy_id WHERE e.sha = dc.sha AND ${earlier})
  OR EXISTS (SELECT 1 FROM commits c0
      ${join} commits o ON o.authored_at = c0.authored_at AND o.sha <> c0.sha
        AND o.author_email = c0.author_email AND o.subject = c0.subject
      ${join} deploy_commits e ON e.sha = o.sha ${join} deploys p ON p.id = e.deploy_id
    WHERE c0.sha = dc.sha AND ${earlier}))`;
}
