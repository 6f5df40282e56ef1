import { UserInputError } from '../errors.js';
import type { Db } from './open.js';

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
}

export function commitWriter(db: Db): CommitWriter {
  const insCommit = db.prepare(`INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at,
      subject, body, parents, is_merge, author_kind, agent, agent_evidence, reverts_sha, added, deleted, files_changed)
    VALUES (@sha, @repoId, @authorName, @authorEmail, @authoredAt, @committedAt, @subject, @body, @parents, @isMerge,
      @authorKind, @agent, @agentEvidence, @revertsSha, @added, @deleted, @filesChanged)
    ON CONFLICT(sha) DO NOTHING`);
  const insFile = db.prepare(
    'INSERT OR IGNORE INTO commit_files(sha, path, old_path, module, added, deleted) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insTrailer = db.prepare('INSERT INTO commit_trailers(sha, key, value) VALUES (?, ?, ?)');
  const insFix = db.prepare('INSERT OR IGNORE INTO commit_fixes(sha, fixed_ref, fixed_sha) VALUES (?, ?, ?)');
  return {
    insert(c) {
      let added = 0;
      let deleted = 0;
      for (const f of c.files) {
        added += f.added ?? 0;
        deleted += f.deleted ?? 0;
      }
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
      for (const f of c.files) insFile.run(c.sha, f.path, f.oldPath, f.module, f.added, f.deleted);
      for (const t of c.trailers) insTrailer.run(c.sha, t.key, t.value);
      for (const x of c.fixes) insFix.run(c.sha, x.ref, x.sha);
      return true;
    },
  };
}

const writers = new WeakMap<Db, CommitWriter>();

/** Inserts one commit with its files, trailers and fixes in one transaction; false when already stored. */
export function insertCommit(db: Db, commit: NewCommit): boolean {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = commitWriter(db)));
  const writer = w;
  return db.transaction(() => writer.insert(commit))();
}

export function getCommit(db: Db, sha: string): CommitRow | undefined {
  return db.prepare('SELECT * FROM commits WHERE sha = ?').get(sha) as CommitRow | undefined;
}

export function getCommitFiles(db: Db, sha: string): CommitFileRow[] {
  return db.prepare('SELECT * FROM commit_files WHERE sha = ? ORDER BY path').all(sha) as CommitFileRow[];
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
