// Rollups and indexes for the triage report at org scale (500k interrupts): a 90-day report used to load every
// entry of two windows into memory (~4 s, ~900 MB). Each is kept up to date by triggers, so every writer
// (log_interrupt, imports, direct inserts) maintains them inside its own transaction.

/** Recomputes the rollups from the rows: the migration's backfill, and for bulk loads that ran without triggers. */
export const rebuildSql = `
DELETE FROM interrupt_days;
INSERT INTO interrupt_days (day, kind, category, n)
  SELECT CAST(created_at / 86400000 AS INTEGER), kind, category, count(*) FROM interrupts GROUP BY 1, 2, 3;
UPDATE tasks SET entries = (SELECT count(*) FROM interrupts i WHERE i.task_id = tasks.id);
`;

export const sql = `
-- Entries per UTC day, kind and category: a window's counts read its whole days here and only its two partial
-- days from interrupts.
CREATE TABLE interrupt_days (
  day INTEGER NOT NULL,                -- created_at / 86400000
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, kind, category)
) WITHOUT ROWID;

CREATE TRIGGER interrupt_days_ai AFTER INSERT ON interrupts BEGIN
  INSERT INTO interrupt_days (day, kind, category, n)
    VALUES (CAST(new.created_at / 86400000 AS INTEGER), new.kind, new.category, 1)
    ON CONFLICT (day, kind, category) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER interrupt_days_ad AFTER DELETE ON interrupts BEGIN
  UPDATE interrupt_days SET n = n - 1
   WHERE day = CAST(old.created_at / 86400000 AS INTEGER) AND kind = old.kind AND category = old.category;
END;
CREATE TRIGGER interrupt_days_au AFTER UPDATE OF created_at, kind, category ON interrupts BEGIN
  UPDATE interrupt_days SET n = n - 1
   WHERE day = CAST(old.created_at / 86400000 AS INTEGER) AND kind = old.kind AND category = old.category;
  INSERT INTO interrupt_days (day, kind, category, n)
    VALUES (CAST(new.created_at / 86400000 AS INTEGER), new.kind, new.category, 1)
    ON CONFLICT (day, kind, category) DO UPDATE SET n = n + 1;
END;

-- How many interrupts and corrections name a task: "autonomous" (completed, none) without a lookup per task.
-- An entry may name a task before record_task creates it, so a new task counts the entries already there.
ALTER TABLE tasks ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER tasks_entries_ai AFTER INSERT ON interrupts WHEN new.task_id IS NOT NULL BEGIN
  UPDATE tasks SET entries = entries + 1 WHERE id = new.task_id;
END;
CREATE TRIGGER tasks_entries_ad AFTER DELETE ON interrupts WHEN old.task_id IS NOT NULL BEGIN
  UPDATE tasks SET entries = entries - 1 WHERE id = old.task_id;
END;
CREATE TRIGGER tasks_entries_au AFTER UPDATE OF task_id ON interrupts WHEN old.task_id IS NOT new.task_id BEGIN
  UPDATE tasks SET entries = entries - 1 WHERE id = old.task_id;
  UPDATE tasks SET entries = entries + 1 WHERE id = new.task_id;
END;
CREATE TRIGGER tasks_entries_new AFTER INSERT ON tasks BEGIN
  UPDATE tasks SET entries = (SELECT count(*) FROM interrupts i WHERE i.task_id = new.id) WHERE id = new.id;
END;

${rebuildSql}

-- Tasks finished in a window, counted from the index alone.
CREATE INDEX tasks_finished ON tasks(finished_at, started_at, outcome, entries);
-- The waits behind Mean Time To Correct: a window's interrupts read from the index alone, without their text.
CREATE INDEX interrupts_waits ON interrupts(created_at, responded_at) WHERE kind = 'interrupt';
-- Feedback-to-Demo: from the fixes merged in a window to the corrections linked to them, directly or through the
-- clusters they cover (all three lookups were full scans: ~220 ms at org scale).
CREATE INDEX fixes_merged ON fixes(merged_at) WHERE merged_at IS NOT NULL;
CREATE INDEX clusters_fix ON clusters(fix_id) WHERE fix_id IS NOT NULL;
CREATE INDEX interrupts_fix ON interrupts(fix_id, kind, created_at) WHERE fix_id IS NOT NULL;
CREATE INDEX interrupts_corrections ON interrupts(cluster_id, created_at, fix_id) WHERE kind = 'correction';
-- A cluster's newest answered entry (log_interrupt's lastAnswer) in one step, however many members wait unanswered.
CREATE INDEX interrupts_answered ON interrupts(cluster_id, created_at) WHERE response IS NOT NULL AND responded_at IS NOT NULL;
`;
