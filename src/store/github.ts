import type { Db } from './open.js';

/** A CI run (`builds` row); times are unix ms. */
export interface BuildRow {
  repo: string;
  runId: string;
  workflow: string | null;
  headSha: string;
  branch: string | null;
  event: string | null;
  status: string | null;
  conclusion: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  url: string | null;
}

export type PullRequestState = 'open' | 'closed' | 'merged';

/** A `pull_requests` row; times are unix ms. */
export interface PullRequestRow {
  repo: string;
  number: number;
  title: string;
  author: string | null;
  state: PullRequestState;
  draft: boolean;
  createdAt: number;
  mergedAt: number | null;
  closedAt: number | null;
  mergeSha: string | null;
  headRef: string | null;
  baseRef: string | null;
  url: string | null;
}

/** Where the last incremental sync of one resource stopped. */
export interface SyncState {
  cursor: string | null;
  etag: string | null;
  updatedAt: number;
}

export type DeliverySource = 'github' | 'pagerduty' | 'incident';

/** Inserts or refreshes a CI run, keyed by (repo, run_id). */
export function upsertBuild(db: Db, b: BuildRow): void {
  db.prepare(
    `INSERT INTO builds (repo, run_id, workflow, head_sha, branch, event, status, conclusion, started_at, finished_at,
       duration_ms, url)
     VALUES (@repo, @runId, @workflow, @headSha, @branch, @event, @status, @conclusion, @startedAt, @finishedAt,
       @durationMs, @url)
     ON CONFLICT (repo, run_id) DO UPDATE SET workflow = excluded.workflow, head_sha = excluded.head_sha,
       branch = excluded.branch, event = excluded.event, status = excluded.status, conclusion = excluded.conclusion,
       started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
       url = excluded.url`,
  ).run(b);
}

const BUILD_COLUMNS = `repo, run_id AS runId, workflow, head_sha AS headSha, branch, event, status, conclusion,
  started_at AS startedAt, finished_at AS finishedAt, duration_ms AS durationMs, url`;

export function getBuild(db: Db, repo: string, runId: string): BuildRow | undefined {
  return db.prepare(`SELECT ${BUILD_COLUMNS} FROM builds WHERE repo = ? AND run_id = ?`).get(repo, runId) as
    BuildRow | undefined;
}

/** Runs that built a commit, newest first. */
export function buildsOfSha(db: Db, sha: string): BuildRow[] {
  return db
    .prepare(`SELECT ${BUILD_COLUMNS} FROM builds WHERE head_sha = ? ORDER BY started_at DESC`)
    .all(sha) as BuildRow[];
}

/** Inserts or refreshes a pull request, keyed by (repo, number). */
export function upsertPullRequest(db: Db, pr: PullRequestRow): void {
  db.prepare(
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, merged_at, closed_at, merge_sha,
       head_ref, base_ref, url)
     VALUES (@repo, @number, @title, @author, @state, @draft, @createdAt, @mergedAt, @closedAt, @mergeSha,
       @headRef, @baseRef, @url)
     ON CONFLICT (repo, number) DO UPDATE SET title = excluded.title, author = excluded.author,
       state = excluded.state, draft = excluded.draft, created_at = excluded.created_at,
       merged_at = excluded.merged_at, closed_at = excluded.closed_at, merge_sha = excluded.merge_sha,
       head_ref = excluded.head_ref, base_ref = excluded.base_ref, url = excluded.url`,
  ).run({ ...pr, draft: pr.draft ? 1 : 0 });
}

const PR_COLUMNS = `repo, number, title, author, state, draft, created_at AS createdAt, merged_at AS mergedAt,
  closed_at AS closedAt, merge_sha AS mergeSha, head_ref AS headRef, base_ref AS baseRef, url`;

function toPullRequest(row: (Omit<PullRequestRow, 'draft'> & { draft: number }) | undefined) {
  return row ? { ...row, draft: row.draft === 1 } : undefined;
}

export function getPullRequest(db: Db, repo: string, number: number): PullRequestRow | undefined {
  return toPullRequest(
    db.prepare(`SELECT ${PR_COLUMNS} FROM pull_requests WHERE repo = ? AND number = ?`).get(repo, number) as
      (Omit<PullRequestRow, 'draft'> & { draft: number }) | undefined,
  );
}

/** The newest pull request opened from a branch (the loop finds its own PR this way). */
export function pullRequestByHead(db: Db, repo: string, headRef: string): PullRequestRow | undefined {
  return toPullRequest(
    db
      .prepare(`SELECT ${PR_COLUMNS} FROM pull_requests WHERE repo = ? AND head_ref = ? ORDER BY number DESC LIMIT 1`)
      .get(repo, headRef) as (Omit<PullRequestRow, 'draft'> & { draft: number }) | undefined,
  );
}

/** Replaces the commits of a pull request. */
export function replacePullRequestCommits(db: Db, repo: string, number: number, shas: readonly string[]): void {
  db.prepare('DELETE FROM pull_request_commits WHERE repo = ? AND number = ?').run(repo, number);
  const insert = db.prepare(
    'INSERT INTO pull_request_commits (repo, number, sha) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  for (const sha of shas) insert.run(repo, number, sha);
}

export function pullRequestCommits(db: Db, repo: string, number: number): string[] {
  return (
    db.prepare('SELECT sha FROM pull_request_commits WHERE repo = ? AND number = ? ORDER BY sha').all(repo, number) as {
      sha: string;
    }[]
  ).map((r) => r.sha);
}

export function getSyncState(db: Db, source: string, repo: string, resource: string): SyncState | undefined {
  return db
    .prepare(
      'SELECT cursor, etag, updated_at AS updatedAt FROM sync_state WHERE source = ? AND repo = ? AND resource = ?',
    )
    .get(source, repo, resource) as SyncState | undefined;
}

export function setSyncState(db: Db, key: { source: string; repo: string; resource: string }, state: SyncState): void {
  db.prepare(
    `INSERT INTO sync_state (source, repo, resource, cursor, etag, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (source, repo, resource) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
       updated_at = excluded.updated_at`,
  ).run(key.source, key.repo, key.resource, state.cursor, state.etag, state.updatedAt);
}

/** True when a webhook delivery with this id was already handled (providers redeliver with the same id). */
export function hasDelivery(db: Db, deliveryId: string): boolean {
  return db.prepare('SELECT 1 FROM webhook_deliveries WHERE delivery_id = ?').get(deliveryId) !== undefined;
}

/** Records a handled delivery; false when another request recorded it first. */
export function recordDelivery(
  db: Db,
  d: { deliveryId: string; source: DeliverySource; event: string; receivedAt: number; outcome: string },
): boolean {
  const res = db
    .prepare(
      `INSERT INTO webhook_deliveries (delivery_id, source, event, received_at, outcome) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (delivery_id) DO NOTHING`,
    )
    .run(d.deliveryId, d.source, d.event, d.receivedAt, d.outcome);
  return res.changes === 1;
}

export function countDeliveries(db: Db, source?: DeliverySource): number {
  const row = (
    source
      ? db.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE source = ?').get(source)
      : db.prepare('SELECT count(*) AS n FROM webhook_deliveries').get()
  ) as { n: number };
  return row.n;
}
