// PostgreSQL twin of migrations/0007-triage-rollups.ts: interrupt_days and tasks.entries kept by PL/pgSQL triggers
// in the writer's own transaction, as the SQLite triggers do. No backfill (see 0006).
export const sql = `
CREATE TABLE interrupt_days (
  day BIGINT NOT NULL,
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (day, kind, category)
);

CREATE FUNCTION interrupt_days_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE interrupt_days SET n = n - 1
     WHERE day = OLD.created_at / 86400000 AND kind = OLD.kind AND category = OLD.category;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO interrupt_days (day, kind, category, n) VALUES (NEW.created_at / 86400000, NEW.kind, NEW.category, 1)
      ON CONFLICT (day, kind, category) DO UPDATE SET n = interrupt_days.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER interrupt_days_ai AFTER INSERT ON interrupts FOR EACH ROW EXECUTE FUNCTION interrupt_days_keep();
CREATE TRIGGER interrupt_days_ad AFTER DELETE ON interrupts FOR EACH ROW EXECUTE FUNCTION interrupt_days_keep();
CREATE TRIGGER interrupt_days_au AFTER UPDATE OF created_at, kind, category ON interrupts
  FOR EACH ROW EXECUTE FUNCTION interrupt_days_keep();

ALTER TABLE tasks ADD COLUMN entries BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION tasks_entries_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.task_id IS NOT NULL THEN
    UPDATE tasks SET entries = entries - 1 WHERE id = OLD.task_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.task_id IS NOT NULL THEN
    UPDATE tasks SET entries = entries + 1 WHERE id = NEW.task_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER tasks_entries_ai AFTER INSERT ON interrupts FOR EACH ROW EXECUTE FUNCTION tasks_entries_keep();
CREATE TRIGGER tasks_entries_ad AFTER DELETE ON interrupts FOR EACH ROW EXECUTE FUNCTION tasks_entries_keep();
CREATE TRIGGER tasks_entries_au AFTER UPDATE OF task_id ON interrupts
  FOR EACH ROW WHEN (OLD.task_id IS DISTINCT FROM NEW.task_id) EXECUTE FUNCTION tasks_entries_keep();
-- An entry may name a task before record_task creates it: a new task counts the entries already there.
CREATE FUNCTION tasks_entries_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.entries := (SELECT count(*) FROM interrupts i WHERE i.task_id = NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER tasks_entries_new BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_entries_new();

CREATE INDEX tasks_finished ON tasks(finished_at, started_at, outcome, entries);
CREATE INDEX interrupts_waits ON interrupts(created_at, responded_at) WHERE kind = 'interrupt';
CREATE INDEX fixes_merged ON fixes(merged_at) WHERE merged_at IS NOT NULL;
CREATE INDEX clusters_fix ON clusters(fix_id) WHERE fix_id IS NOT NULL;
CREATE INDEX interrupts_fix ON interrupts(fix_id, kind, created_at) WHERE fix_id IS NOT NULL;
CREATE INDEX interrupts_corrections ON interrupts(cluster_id, created_at, fix_id) WHERE kind = 'correction';
CREATE INDEX interrupts_answered ON interrupts(cluster_id, created_at) WHERE response IS NOT NULL AND responded_at IS NOT NULL;
`;
