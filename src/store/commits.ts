import type { Statement } from './engine/types.js';
import { UserInputError } from '../errors.js';
import { basisOfRank, KEEP_STRONGER_BASIS, linkRank, rebuildModuleIncidents, strongLink } from './incidents.js';
import { prepared } from './prepared.js';
import { refreshImpactSummaries } from './impact-summaries.js';
import { isPostgres, type Db } from './open.js';

export type AuthorKind = 'human' | 'agent' | 'pair';

/** A `commits` row, as stored. */
export interface CommitRow {
  sha: string;
  repo_id: number;
  author_name: string;
  author_email: string;
  /** unix ms */
  authored_at: number;
  /** unix ms */
  committed_at: number;
  subject: string;
  body: string;
  /** space-separated parent shas */
  parents: string;
  is_merge: 0 | 1;
  author_kind: AuthorKind;
  agent: string | null;
  agent_evidence: string | null;
  reverts_sha: string | null;
  added: number;
  deleted: number;
  files_changed: number;
}

/** A `commit_files` row. `added`/`deleted` are null for binary files. */
export interface CommitFileRow {
  sha: string;
  path: string;
  old_path: string | null;
  module: string;
  added: number | null;
  deleted: number | null;
}

/** One commit as parsed from git, with its children rows; totals are derived on insert. */
export interface NewCommit {
  sha: string;
  repoId: number;
  authorName: string;
  authorEmail: string;
  authoredAt: number;
  committedAt: number;
  subject: string;
  body: string;
  parents: string[];
  authorKind: AuthorKind;
  agent: string | null;
  agentEvidence: string | null;
  revertsSha: string | null;
  files: { path: string; oldPath: string | null; module: string; added: number | null; deleted: number | null }[];
  trailers: { key: string; value: string }[];
  /** `Fixes:` references as written; `sha` when already resolved to a full sha. */
  fixes: { ref: string; sha: string | null }[];
}

/** Prepared statements for bulk writes; build once per ingest run and call inside a transaction. */
export interface CommitWriter {
  /** Inserts the commit and its rows; false (and nothing written) when the sha is already stored. */
  insert(commit: NewCommit): boolean;
  /** Inserts every commit not yet stored, with its rows; how many were new. */
  insertAll(commits: readonly NewCommit[]): number;
}

export function commitWriter(db: Db): CommitWriter {
  const rowWriter = commitRowWriter(db);
  if (!isPostgres(db)) {
    // SQLite: a statement per row costs a function call, and one JSON array per table per batch measured no faster
    // (+5–10% CPU: the cost is B-tree work). On PostgreSQL every statement is a round trip (~270 µs), so a chunk
    // goes in a few set-based statements instead.
    const insertAll = (commits: readonly NewCommit[]): number => {
      let added = 0;
      for (const c of commits) if (rowWriter(c)) added++;
      return added;
    };
    return { insert: rowWriter, insertAll };
  }
  const sets = postgresCommitSets(db);
  return { insert: rowWriter, insertAll: sets };
}

/** Commit totals derived from its files (null counts are binary files). */
function commitTotals(c: NewCommit): { added: number; deleted: number } {
  let added = 0;
  let deleted = 0;
  for (const f of c.files) {
    added += f.added ?? 0;
    deleted += f.deleted ?? 0;
  }
  return { added, deleted };
}

/**
 * PostgreSQL's bulk path: each table's rows as one JSON parameter expanded by json_to_recordset, commits first
 * (RETURNING the shas that were new, so rows of already-stored commits are not written again), then their files,
 * trailers (in the order given: their identity keeps it) and fixes. Same rows and triggers as the per-row path.
 */
function postgresCommitSets(db: Db): (commits: readonly NewCommit[]) => number {
  const insCommits = db.prepare(`INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at,
      committed_at, subject, body, parents, is_merge, author_kind, agent, agent_evidence, reverts_sha, added, deleted,
      files_changed)
    SELECT r.sha, r.repo_id, r.author_name, r.author_email, r.authored_at, r.committed_at, r.subject, r.body,
      r.parents, r.is_merge, r.author_kind, r.agent, r.agent_evidence, r.reverts_sha, r.added, r.deleted,
      r.files_changed
    FROM json_to_recordset(CAST(? AS json)) AS r(ord bigint, sha text, repo_id bigint, author_name text,
      author_email text, authored_at bigint, committed_at bigint, subject text, body text, parents text,
      is_merge bigint, author_kind text, agent text, agent_evidence text, reverts_sha text, added bigint,
      deleted bigint, files_changed bigint)
    ORDER BY r.ord
    ON CONFLICT(sha) DO NOTHING RETURNING sha`);
  const insFiles = db.prepare(`INSERT INTO commit_files(sha, path, old_path, module, added, deleted, committed_at,
      basis_files)
    SELECT r.sha, r.path, r.old_path, r.module, r.added, r.deleted, r.committed_at, r.basis_files
    FROM json_to_recordset(CAST(? AS json)) AS r(sha text, path text, old_path text, module text, added bigint,
      deleted bigint, committed_at bigint, basis_files bigint)
    ON CONFLICT DO NOTHING`);
  const insTrailers = db.prepare(`INSERT INTO commit_trailers(sha, key, value)
    SELECT r.sha, r.key, r.value FROM json_to_recordset(CAST(? AS json)) AS r(ord bigint, sha text, key text, value text)
    ORDER BY r.ord`);
  const insFixes = db.prepare(`INSERT INTO commit_fixes(sha, fixed_ref, fixed_sha)
    SELECT r.sha, r.fixed_ref, r.fixed_sha FROM json_to_recordset(CAST(? AS json)) AS r(sha text, fixed_ref text,
      fixed_sha text)
    ON CONFLICT DO NOTHING`);
  return (commits) => {
    if (commits.length === 0) return 0;
    const rows = commits.map((c, ord) => ({
      ord,
      sha: c.sha,
      repo_id: c.repoId,
      author_name: c.authorName,
      author_email: c.authorEmail,
      authored_at: c.authoredAt,
      committed_at: c.committedAt,
      subject: c.subject,
      body: c.body,
      parents: c.parents.join(' '),
      is_merge: c.parents.length > 1 ? 1 : 0,
      author_kind: c.authorKind,
      agent: c.agent,
      agent_evidence: c.agentEvidence,
      reverts_sha: c.revertsSha,
      ...commitTotals(c),
      files_changed: c.files.length,
    }));
    const fresh = new Set(insCommits.pluck().all(JSON.stringify(rows)) as string[]);
    if (fresh.size === 0) return 0;
    // A sha given twice in one batch is new once: its rows are written once, from its first occurrence.
    const mine: NewCommit[] = [];
    for (const c of commits) if (fresh.delete(c.sha)) mine.push(c);
    const files = mine.flatMap((c) => {
      const basis = basisFiles(c.parents.length > 1, c.files.length);
      return c.files.map((f) => ({
        sha: c.sha,
        path: f.path,
        old_path: f.oldPath,
        module: f.module,
        added: f.added,
        deleted: f.deleted,
        committed_at: c.committedAt,
        basis_files: basis,
      }));
    });
    if (files.length > 0) insFiles.run(JSON.stringify(files));
    let ord = 0;
    const trailers = mine.flatMap((c) =>
      c.trailers.map((t) => ({ ord: ord++, sha: c.sha, key: t.key, value: t.value })),
    );
    if (trailers.length > 0) insTrailers.run(JSON.stringify(trailers));
    const fixes = mine.flatMap((c) => c.fixes.map((x) => ({ sha: c.sha, fixed_ref: x.ref, fixed_sha: x.sha })));
    if (fixes.length > 0) insFixes.run(JSON.stringify(fixes));
    return mine.length;
  };
}

/** The per-row path: one commit and its rows, a statement each. */
function commitRowWriter(db: Db): (commit: NewCommit) => boolean {
  const insCommit = db.prepare(`INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at,
      subject, body, parents, is_merge, author_kind, agent, agent_evidence, reverts_sha, added, deleted, files_changed)
    VALUES (@sha, @repoId, @authorName, @authorEmail, @authoredAt, @committedAt, @subject, @body, @parents, @isMerge,
      @authorKind, @agent, @agentEvidence, @revertsSha, @added, @deleted, @filesChanged)
    ON CONFLICT(sha) DO NOTHING`);
  const insFile = db.prepare(
    `INSERT INTO commit_files(sha, path, old_path, module, added, deleted, committed_at, basis_files)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const insTrailer = db.prepare('INSERT INTO commit_trailers(sha, key, value) VALUES (?, ?, ?)');
  const insFix = db.prepare(
    'INSERT INTO commit_fixes(sha, fixed_ref, fixed_sha) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  return (c) => {
    const { added, deleted } = commitTotals(c);
    const res = insCommit.run({
      sha: c.sha,
      repoId: c.repoId,
      authorName: c.authorName,
      authorEmail: c.authorEmail,
      authoredAt: c.authoredAt,
      committedAt: c.committedAt,
      subject: c.subject,
      body: c.body,
      parents: c.parents.join(' '),
      isMerge: c.parents.length > 1 ? 1 : 0,
      authorKind: c.authorKind,
      agent: c.agent,
      agentEvidence: c.agentEvidence,
      revertsSha: c.revertsSha,
      added,
      deleted,
      filesChanged: c.files.length,
    });
    if (res.changes === 0) return false;
    const basis = basisFiles(c.parents.length > 1, c.files.length);
    for (const f of c.files) insFile.run(c.sha, f.path, f.oldPath, f.module, f.added, f.deleted, c.committedAt, basis);
    for (const t of c.trailers) insTrailer.run(c.sha, t.key, t.value);
    for (const x of c.fixes) insFix.run(c.sha, x.ref, x.sha);
    return true;
  };
}

/**
 * commit_files.basis_files (migration 0014): the commit's file count on each of its file rows, NULL for a merge, so
 * the co-change walks ("ordinary commits of at most N files") read no commits row. Every writer of commit_files
 * takes it from here.
 */
export function basisFiles(merge: boolean, files: number): number | null {
  return merge ? null : files;
}

const writers = new WeakMap<Db, CommitWriter>();

/** Inserts one commit with its files, trailers and fixes in one transaction; false when already stored. */
export function insertCommit(db: Db, commit: NewCommit): boolean {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = commitWriter(db)));
  const writer = w;
  return db.transaction(() => {
    const added = writer.insert(commit);
    if (added) refreshModuleRollups(db);
    return added;
  })();
}

export function getCommit(db: Db, sha: string): CommitRow | undefined {
  return db.prepare('SELECT * FROM commits WHERE sha = ?').get(sha) as CommitRow | undefined;
}

export function getCommitFiles(db: Db, sha: string): CommitFileRow[] {
  return db
    .prepare('SELECT sha, path, old_path, module, added, deleted FROM commit_files WHERE sha = ? ORDER BY path')
    .all(sha) as CommitFileRow[];
}

export function getCommitTrailers(db: Db, sha: string): { key: string; value: string }[] {
  return db.prepare('SELECT key, value FROM commit_trailers WHERE sha = ? ORDER BY rowid').all(sha) as {
    key: string;
    value: string;
  }[];
}

export function getCommitFixes(db: Db, sha: string): { fixed_ref: string; fixed_sha: string | null }[] {
  return db.prepare('SELECT fixed_ref, fixed_sha FROM commit_fixes WHERE sha = ? ORDER BY fixed_ref').all(sha) as {
    fixed_ref: string;
    fixed_sha: string | null;
  }[];
}

export function countCommits(db: Db, repoId?: number): number {
  const row = (
    repoId === undefined
      ? db.prepare('SELECT count(*) AS n FROM commits').get()
      : db.prepare('SELECT count(*) AS n FROM commits WHERE repo_id = ?').get(repoId)
  ) as { n: number };
  return row.n;
}

/** Up to `limit` stored shas starting with `prefix` (lower-case hex), via the primary key range. */
export function shasWithPrefix(db: Db, prefix: string, limit: number): string[] {
  const p = prefix.toLowerCase();
  // Shas are lower-case hex, so every sha with prefix p sorts in [p, p || 'g').
  return (
    db.prepare('SELECT sha FROM commits WHERE sha >= ? AND sha < ? ORDER BY sha LIMIT ?').all(p, `${p}g`, limit) as {
      sha: string;
    }[]
  ).map((r) => r.sha);
}

/**
 * A full sha or unique prefix (≥ 4 hex chars) → the stored full sha; undefined when no stored commit matches.
 * Throws UserInputError (naming `field`) for malformed refs and for ambiguous prefixes, listing candidates.
 */
export function resolveSha(db: Db, ref: string, field = 'sha'): string | undefined {
  const p = ref.trim().toLowerCase();
  if (!/^[0-9a-f]{4,40}$/.test(p)) {
    throw new UserInputError(
      `${field} '${ref}' is not a commit sha; give a full sha or a unique prefix of at least 4 hex characters`,
      field,
    );
  }
  const found = shasWithPrefix(db, p, 6);
  if (found.length <= 1) return found[0];
  const subject = db.prepare('SELECT subject FROM commits WHERE sha = ?');
  const list = found
    .slice(0, 5)
    .map((s) => `${s.slice(0, 12)} (${(subject.get(s) as { subject: string }).subject.slice(0, 60)})`)
    .join(', ');
  throw new UserInputError(
    `${field} '${ref}' is ambiguous; it matches ${list}${found.length > 5 ? ', …' : ''}. Give more characters.`,
    field,
  );
}

// ---- Per-module rollups -------------------------------------------------------------------------------------------
// module_days, module_authors, module_reverts (migration 0006) and module_pair_days (0008) summarise commit_files by
// module, so a module's all-time and windowed churn and its coupling read a few thousand rows instead of every commit
// that touched it (233k for the hottest module of a 1M-commit organisation). They cover the commits up to the rowid
// recorded in meta; every writer of commits catches them up at the end of its batch (refreshModuleRollups), and
// readers do the same first (ensureModuleRollups), so rows written straight into the tables are never missed.

export const DAY_MS = 86_400_000;
const THROUGH = 'module_rollups_through';

/** The UTC day number of a unix-ms SQL expression, floored (also before 1970, where `/` would round up). */
export const dayOf = (t: string): string => `((${t}) - (((${t}) % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}) / ${DAY_MS}`;

/**
 * (module, day, agent, commits) for the ordinary (non-merge) commits that `scope` selects, a condition on `c`
 * (commits) and `cf` (commit_files). `agent` is '' for commits by humans; agent and pair commits carry their agent's
 * name. The one definition of a module_days row: the rollup is built with it, and readers count the partial days at
 * the edges of a window with it from the raw rows.
 */
export function moduleDayRows(scope: string): string {
  return `SELECT cf.module AS module, ${dayOf('c.committed_at')} AS day,
      CASE WHEN c.author_kind IN ('agent', 'pair') THEN COALESCE(NULLIF(c.agent, ''), 'unnamed agent') ELSE '' END AS agent,
      COUNT(DISTINCT c.sha) AS commits
    FROM commit_files cf JOIN commits c ON c.sha = cf.sha
    WHERE c.is_merge = 0 AND ${scope}
    GROUP BY 1, 2, 3`;
}

/**
 * The statements that add commits with rowid in (from, to] (SQL expressions) to the rollups and advance the mark.
 * Set-based, so a batch of 10,000 commits costs a few grouped scans, not per-row work. `module_days` is additive
 * (each commit is added once: its rowid passes the mark once); the others are idempotent. Also adds the module
 * incidents of strong links that named these commits before they were stored.
 */
function moduleRollupStatements(db: Db, from: string, to: string): string[] {
  const range = `c.rowid > ${from} AND c.rowid <= ${to}`;
  const [least, greatest] = isPostgres(db) ? ['LEAST', 'GREATEST'] : ['min', 'max']; // SQLite's scalar min/max
  return [
    `INSERT INTO module_days(module, day, agent, commits) ${moduleDayRows(range)}
     ON CONFLICT(module, day, agent) DO UPDATE SET commits = module_days.commits + excluded.commits`,
    `INSERT INTO module_authors(module, email, first_at, last_at)
     SELECT cf.module, lower(c.author_email), MIN(c.committed_at), MAX(c.committed_at)
     FROM commits c JOIN commit_files cf ON cf.sha = c.sha
     WHERE c.is_merge = 0 AND ${range}
     GROUP BY 1, 2
     ON CONFLICT(module, email) DO UPDATE
       SET first_at = ${least}(module_authors.first_at, excluded.first_at),
           last_at = ${greatest}(module_authors.last_at, excluded.last_at)`,
    // Reverted commits among these commits' targets, and these commits when an earlier-stored revert names them;
    // either side may arrive first (git log lists the revert before the commit it undoes).
    `INSERT INTO module_reverts(sha, module, reverted_at)
     SELECT DISTINCT cf.sha, cf.module, (SELECT MIN(r.committed_at) FROM commits r WHERE r.reverts_sha = cf.sha)
     FROM commit_files cf
     WHERE cf.sha IN (
       SELECT c.reverts_sha FROM commits c WHERE c.reverts_sha IS NOT NULL AND ${range}
       UNION SELECT c.sha FROM commits c WHERE ${range} AND EXISTS (SELECT 1 FROM commits r WHERE r.reverts_sha = c.sha)
     )
     ON CONFLICT(sha, module) DO UPDATE SET reverted_at = excluded.reverted_at`,
    `INSERT INTO module_incidents(module, started_at, incident_id, basis)
     SELECT cf.module, i.started_at, i.id, ${basisOfRank(`MIN(${linkRank('l')})`, 'i')}
     FROM commits c JOIN incident_links l ON l.kind = 'commit' AND l.target = c.sha
       JOIN incidents i ON i.id = l.incident_id JOIN commit_files cf ON cf.sha = c.sha
     WHERE ${strongLink('l')} AND ${range}
     GROUP BY cf.module, i.started_at, i.id
     ON CONFLICT(module, started_at, incident_id) DO UPDATE SET ${KEEP_STRONGER_BASIS}`,
    `INSERT INTO meta(key, value) VALUES ('${THROUGH}', ${to}) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ];
}

/** Commits touching more files than this are sweeping changes (formatting, renames, bumps): no coupling signal. */
export const COUPLING_MAX_FILES = 50;

/**
 * The statement that adds commits with rowid in (from, to] to module_pair_days (migration 0008): per ordinary commit
 * of at most COUPLING_MAX_FILES files, +1 for every ordered pair of distinct modules it touched and for each module
 * with itself (the module's coupling basis that day). Kept apart from moduleRollupStatements because migration 0006
 * runs those on an old database, before this table exists.
 */
export function modulePairStatement(from: string, to: string): string {
  return `INSERT INTO module_pair_days(module, day, other, commits)
    SELECT a.module, ${dayOf('c.committed_at')}, b.module, COUNT(DISTINCT c.sha)
    FROM commits c JOIN commit_files a ON a.sha = c.sha JOIN commit_files b ON b.sha = c.sha
    WHERE c.is_merge = 0 AND c.files_changed <= ${COUPLING_MAX_FILES} AND c.rowid > ${from} AND c.rowid <= ${to}
    GROUP BY 1, 2, 3
    ON CONFLICT(module, day, other) DO UPDATE SET commits = module_pair_days.commits + excluded.commits`;
}

const rollupStatements = new WeakMap<Db, Statement[]>();

function rollupsThrough(db: Db): number {
  // Read as text and parsed here: SQLite writes the mark as '100000.0' (a bound JS number), which PostgreSQL's
  // CAST to an integer refuses — a database copied from SQLite carries that text.
  const value = db.prepare(`SELECT value FROM meta WHERE key = '${THROUGH}'`).pluck().get() as string | undefined;
  return value === undefined ? 0 : Math.trunc(Number(value));
}

/** The highest commit rowid stored so far (0 for none): the commits a run adds after it are that run's. */
export function lastCommitRowid(db: Db): number {
  return (prepared(db, 'SELECT MAX(rowid) FROM commits').pluck().get() as number | null) ?? 0;
}

/**
 * Adds the commits stored since the last call to the per-module rollups, in one IMMEDIATE transaction that
 * re-reads the mark, so two processes catching up at once never add a commit twice. Writers call it at the end of
 * each batch (inside their transaction).
 */
export function refreshModuleRollups(db: Db): void {
  db.transaction(() => {
    const from = rollupsThrough(db);
    const to = lastCommitRowid(db);
    if (to <= from) return;
    let stmts = rollupStatements.get(db);
    if (!stmts) {
      // The pair rollup first: the last of moduleRollupStatements advances the mark.
      const all = [modulePairStatement('@from', '@to'), ...moduleRollupStatements(db, '@from', '@to')];
      rollupStatements.set(db, (stmts = all.map((s) => db.prepare(s))));
    }
    for (const s of stmts) s.run({ from, to });
  }).immediate();
  refreshImpactSummaries(db); // commits stored after the deploys that named them
}

/** Readers call this first: a no-op (two index lookups) unless commits were stored without catching up. */
export function ensureModuleRollups(db: Db): void {
  if (lastCommitRowid(db) > rollupsThrough(db)) refreshModuleRollups(db);
}

/** Rebuilds every per-module rollup from the stored rows: after commit_files.module values were relabelled. */
export function rebuildModuleRollups(db: Db): void {
  db.transaction(() => {
    db.exec(
      'DELETE FROM module_days; DELETE FROM module_authors; DELETE FROM module_reverts; DELETE FROM module_pair_days;',
    );
    db.prepare(`DELETE FROM meta WHERE key = '${THROUGH}'`).run();
    rebuildModuleIncidents(db);
    refreshModuleRollups(db);
  }).immediate();
}

/** Whether `sha` (a full sha) is an ingested commit of repository `repoId`. */
export function isIngestedCommit(db: Db, sha: string, repoId: number): boolean {
  return db.prepare('SELECT 1 FROM commits WHERE sha = ? AND repo_id = ?').get(sha, repoId) !== undefined;
}

/** Whether any commit is stored (an empty store takes the bulk-load path). */
export function hasCommits(db: Db): boolean {
  return prepared(db, 'SELECT 1 FROM commits LIMIT 1').get() !== undefined;
}

/** `Fixes:` references written before the commit they name was stored: resolve them now, in one transaction. */
export function resolvePendingFixes(db: Db): void {
  const pending = prepared(db, 'SELECT sha, fixed_ref FROM commit_fixes WHERE fixed_sha IS NULL').all() as {
    sha: string;
    fixed_ref: string;
  }[];
  if (pending.length === 0) return;
  const update = prepared(db, 'UPDATE commit_fixes SET fixed_sha = ? WHERE sha = ? AND fixed_ref = ?');
  db.transaction(() => {
    for (const p of pending) {
      const found = shasWithPrefix(db, p.fixed_ref, 2);
      if (found.length === 1) update.run(found[0], p.sha, p.fixed_ref);
    }
  })();
}

/**
 * Gives every stored file the module `moduleOf` maps its path to now (after the module rules changed); returns how
 * many rows changed. The caller rebuilds the rollups when any did, in the same transaction.
 */
export function relabelCommitFileModules(db: Db, moduleOf: (path: string) => string): number {
  const paths = prepared(db, 'SELECT DISTINCT path FROM commit_files').pluck().all() as string[];
  const update = prepared(db, 'UPDATE commit_files SET module = ? WHERE path = ? AND module <> ?');
  let changed = 0;
  for (const path of paths) {
    const module = moduleOf(path);
    changed += update.run(module, path, module).changes;
  }
  return changed;
}

/** Whether `sha` (a full sha) is a stored commit of any repository. */
export function hasCommit(db: Db, sha: string): boolean {
  return prepared(db, 'SELECT 1 FROM commits WHERE sha = ?').get(sha) !== undefined;
}
