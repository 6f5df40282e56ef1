// Attribution as a durable, resumable step (issue 13): every write that can change an incident's links marks the
// incident pending in the same transaction, and attribution clears the mark in the transaction that writes its
// links. A crash in between leaves the mark, and the next run (any ingest, `attribute`, a webhook) finishes the work.
// New rows are pending by default, so every writer of incidents (imports, GitHub, webhooks, tests) is covered.
export const sql = `
ALTER TABLE incidents ADD COLUMN attribution_pending INTEGER NOT NULL DEFAULT 1;
-- Incidents that already have links were attributed; those without may have been cut off by a crash.
UPDATE incidents SET attribution_pending = 0
  WHERE EXISTS (SELECT 1 FROM incident_links l WHERE l.incident_id = incidents.id);
-- The work queue, in the order attribution takes it; small, since it holds only what is pending.
CREATE INDEX incidents_attribution_pending ON incidents(started_at, id) WHERE attribution_pending = 1;
`;
