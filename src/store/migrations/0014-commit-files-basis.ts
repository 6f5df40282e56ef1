// change_risk and the co-change answers walk a file's (or a module's) latest ordinary commits, newest first; each row
// needed a commits lookup to ask "a merge? how many files?" (~22 ms for a hot file's ~1,700 commits at 1M commits).
// The commit's file count, kept on each of its file rows for an ordinary commit (NULL for a merge), turns the walk
// into a covering range of the index below. The commit writer (store/commits.ts basisFiles) and the generated bench
// database write it with the row, so ingest pays no trigger; any other writer gets it from the trigger (as
// committed_at, 0006). Commits never change after they are written, so neither does the copy.
export const sql = `
ALTER TABLE commit_files ADD COLUMN basis_files INTEGER;
UPDATE commit_files SET basis_files = (SELECT c.files_changed FROM commits c WHERE c.sha = commit_files.sha AND c.is_merge = 0);
CREATE TRIGGER commit_files_basis_files AFTER INSERT ON commit_files WHEN new.basis_files IS NULL BEGIN
  UPDATE commit_files SET basis_files = (SELECT files_changed FROM commits WHERE sha = new.sha AND is_merge = 0)
    WHERE sha = new.sha AND path = new.path;
END;
-- sha before basis_files: the walks order by (time, sha), which the index then gives without a sort.
DROP INDEX commit_files_path_time;
DROP INDEX commit_files_module_time;
CREATE INDEX commit_files_path_time ON commit_files(path, committed_at, sha, basis_files);
CREATE INDEX commit_files_module_time ON commit_files(module, committed_at, sha, basis_files);
`;
