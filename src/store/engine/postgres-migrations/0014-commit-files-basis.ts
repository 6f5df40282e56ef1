// PostgreSQL twin of migrations/0014-commit-files-basis.ts.
export const sql = `
ALTER TABLE commit_files ADD COLUMN basis_files BIGINT;
UPDATE commit_files f SET basis_files = c.files_changed FROM commits c WHERE c.sha = f.sha AND c.is_merge = 0;
-- SQLite fills it AFTER INSERT with an UPDATE; here the row gets it before it is written (as committed_at, 0006).
CREATE FUNCTION commit_files_basis_files() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.basis_files := (SELECT files_changed FROM commits WHERE sha = NEW.sha AND is_merge = 0);
  RETURN NEW;
END $$;
CREATE TRIGGER commit_files_basis_files BEFORE INSERT ON commit_files
  FOR EACH ROW WHEN (NEW.basis_files IS NULL) EXECUTE FUNCTION commit_files_basis_files();
DROP INDEX commit_files_path_time;
DROP INDEX commit_files_module_time;
CREATE INDEX commit_files_path_time ON commit_files(path, committed_at, sha, basis_files);
CREATE INDEX commit_files_module_time ON commit_files(module, committed_at, sha, basis_files);
`;
