import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Db } from './open.js';
import { prepared } from './prepared.js';

/** A `repos` row. */
export interface RepoRow {
  id: number;
  path: string;
  name: string;
  last_ingested_at: number | null;
}

/** Folder name without `.git` (`/x/shop.git` → shop, `/x/shop/.git` → shop, `/x/shop` → shop). */
export function repoName(absPath: string): string {
  const clean = absPath.replace(/[\\/]+$/, '');
  const base = basename(clean);
  if (base === '.git') return basename(dirname(clean)) || base;
  return base.replace(/\.git$/, '') || base;
}

/** Insert-or-get the `repos` row for an absolute work tree or bare git dir path; returns its id. */
export function ensureRepo(db: Db, absPath: string): number {
  const existing = getRepoId(db, absPath);
  if (existing !== undefined) return existing;
  // ON CONFLICT DO NOTHING + re-read: another process may insert the same path between our read and write.
  db.prepare('INSERT INTO repos(path, name) VALUES (?, ?) ON CONFLICT(path) DO NOTHING').run(
    absPath,
    repoName(absPath),
  );
  return getRepoId(db, absPath)!;
}

export function getRepoId(db: Db, absPath: string): number | undefined {
  const row = prepared(db, 'SELECT id FROM repos WHERE path = ?').get(absPath) as { id: number } | undefined;
  return row?.id;
}

export function getRepo(db: Db, id: number): RepoRow | undefined {
  return db.prepare('SELECT id, path, name, last_ingested_at FROM repos WHERE id = ?').get(id) as RepoRow | undefined;
}

/** Where a stored commit's repository lives (the path it was ingested from); undefined for an unknown sha. */
export function repoPathOfCommit(db: Db, sha: string): string | undefined {
  return prepared(db, 'SELECT r.path FROM commits c JOIN repos r ON r.id = c.repo_id WHERE c.sha = ?')
    .pluck()
    .get(sha) as string | undefined;
}

export function setLastIngestedAt(db: Db, repoId: number, at: number): void {
  db.prepare('UPDATE repos SET last_ingested_at = ? WHERE id = ?').run(at, repoId);
}

/** The ref tips (commit shas) ingested by the last run, so the next run reads only what is new. */
export function getRepoTips(db: Db, repoId: number): string[] {
  return (db.prepare('SELECT sha FROM repo_tips WHERE repo_id = ?').all(repoId) as { sha: string }[]).map((r) => r.sha);
}

/** Replaces the stored tips in one transaction. */
export function setRepoTips(db: Db, repoId: number, tips: Iterable<string>): void {
  const del = db.prepare('DELETE FROM repo_tips WHERE repo_id = ?');
  const ins = db.prepare('INSERT INTO repo_tips(repo_id, sha) VALUES (?, ?) ON CONFLICT DO NOTHING');
  db.transaction(() => {
    del.run(repoId);
    for (const sha of tips) ins.run(repoId, sha);
  })();
}

/** The stored repository a server serves: its path as given or with symlinks resolved; undefined if not ingested. */
export function servedRepoId(db: Db, repoPath: string): number | undefined {
  const abs = resolve(repoPath);
  let real = abs;
  try {
    real = realpathSync(abs);
  } catch {
    // a path that does not exist is simply not a stored repository
  }
  return getRepoId(db, abs) ?? (real === abs ? undefined : getRepoId(db, real));
}
