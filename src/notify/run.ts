import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import type { GithubClient } from '../github/client.js';
import { parseRepoSlug } from '../github/client.js';
import { createComment, findMarkedComment, pullsOfCommitOnGithub, updateComment } from '../github/comments.js';
import { getIncident, type IncidentRow } from '../store/incidents.js';
import {
  causeLinks,
  getNotification,
  notificationsOf,
  saveNotification,
  type CauseLink,
  type NotificationRow,
} from '../store/notifications.js';
import { pullsOfCommit } from '../store/notify-facts.js';
import { bodyHash, issueCommentBody, marker, pullCommentBody, withdrawnBody } from './body.js';
import { causeEvidence, type CauseEvidence } from '../attribution/cause-evidence.js';

export interface NotifyOptions {
  /** Print, write nothing, ask GitHub nothing. */
  dryRun: boolean;
  /** owner/name: only this repository's threads, and where to ask GitHub for a commit's pull request. */
  repo?: string;
  /** One incident (external id or number); default every incident with a cause. */
  incident?: string;
  /** Also tell the authors of suspects scoring this much (default: confirmed causes only). Uncalibrated. */
  minScore?: number;
  /** Needed unless dryRun. */
  client?: GithubClient;
}

export type NotifyKind = 'create' | 'update' | 'withdraw' | 'unchanged' | 'skip';

export interface NotifyAction {
  kind: NotifyKind;
  target: 'pull' | 'issue';
  incident: string;
  repo: string | null;
  number: number | null;
  sha: string | null;
  /** exactly what is (or would be) written; '' for unchanged and skip */
  body: string;
  note?: string;
  url?: string;
}

export interface NotifyResult {
  dryRun: boolean;
  incidents: number;
  counts: Record<NotifyKind, number>;
  actions: NotifyAction[];
  ms: number;
}

interface Desired {
  target: 'pull' | 'issue';
  incident: IncidentRow;
  repo: string | null;
  number: number | null;
  sha: string | null;
  body: string;
  kind: 'post' | 'withdraw';
  note?: string;
}

const ISSUE_INCIDENT = /^([\w.-]+\/[\w.-]+)#(\d+)$/;

/**
 * Writes each incident's cause back where its author will see it: one comment per (incident, pull request) and
 * one on the incident's own GitHub issue, identified by a hidden marker, edited in place when the evidence changes
 * and withdrawn (edited, not deleted) when a person rejects the cause. A second run with the same evidence sends
 * nothing.
 */
export async function notify(ctx: AppContext, o: NotifyOptions): Promise<NotifyResult> {
  const started = performance.now();
  if (!o.dryRun && !o.client) throw new Error('notify needs a GitHub client unless dryRun');
  if (o.minScore !== undefined && !(o.minScore > 0 && o.minScore <= 1)) {
    throw new UserInputError(`--min-score ${o.minScore} must be a number in (0, 1], e.g. 0.7`, 'minScore');
  }
  const repo = o.repo !== undefined ? parseRepoSlug(o.repo).slug : undefined;
  let only: IncidentRow | undefined;
  if (o.incident !== undefined) {
    only = getIncident(ctx.store, o.incident);
    if (!only) throw new UserInputError(`no incident '${o.incident}'; pass an external id such as INC-101`, 'incident');
  }
  const links = causeLinks(ctx.store, {
    ...(o.minScore !== undefined ? { minScore: o.minScore } : {}),
    ...(only ? { incidentId: only.id } : {}),
  });
  const written = notificationsOf(ctx.store, only ? [only.id] : undefined);
  const ids = [...new Set([...links.map((l) => l.incidentId), ...written.map((n) => n.incidentId)])].sort(
    (a, b) => a - b,
  );

  const actions: NotifyAction[] = [];
  for (const id of ids) {
    const incident = getIncident(ctx.store, id)!;
    const desired = await desiredComments(
      ctx,
      incident,
      links.filter((l) => l.incidentId === id),
      written,
      repo,
      o,
    );
    for (const d of desired) actions.push(await apply(ctx, d, o));
  }
  const counts: Record<NotifyKind, number> = { create: 0, update: 0, withdraw: 0, unchanged: 0, skip: 0 };
  for (const a of actions) counts[a.kind]++;
  return { dryRun: o.dryRun, incidents: ids.length, counts, actions, ms: Math.round(performance.now() - started) };
}

async function desiredComments(
  ctx: AppContext,
  incident: IncidentRow,
  links: CauseLink[],
  written: NotificationRow[],
  repo: string | undefined,
  o: NotifyOptions,
): Promise<Desired[]> {
  const out: Desired[] = [];
  const causes = links.filter((l) => l.status !== 'rejected');
  const rejected = new Set(links.filter((l) => l.status === 'rejected').map((l) => l.sha));
  const onIssue: { evidence: CauseEvidence; pull: string | null }[] = [];
  for (const link of causes) {
    const evidence = causeEvidence(ctx, incident, link);
    const told = written.find((n) => n.incidentId === incident.id && n.target === 'pull' && n.sha === link.sha);
    const pull = told ? { repo: told.repo, number: told.number } : await pullOf(ctx, link.sha, repo, o);
    onIssue.push({ evidence, pull: pull ? `${pull.repo}#${pull.number}` : null });
    if (!pull) {
      out.push({
        target: 'pull',
        incident,
        repo: repo ?? null,
        number: null,
        sha: link.sha,
        body: '',
        kind: 'post',
        note: repo
          ? o.dryRun
            ? `no stored pull request for ${link.sha.slice(0, 10)}; a real run asks GitHub`
            : `GitHub knows no pull request for ${link.sha.slice(0, 10)}`
          : `no stored pull request for ${link.sha.slice(0, 10)}; pass --repo owner/name to ask GitHub`,
      });
      continue;
    }
    out.push({ target: 'pull', incident, ...pull, sha: link.sha, body: pullCommentBody(evidence), kind: 'post' });
  }
  const issue = ISSUE_INCIDENT.exec(incident.externalId);
  if (issue && incident.source === 'github' && (repo === undefined || repo === issue[1])) {
    const at = { repo: issue[1]!, number: Number(issue[2]) };
    if (onIssue.length > 0) {
      out.push({ target: 'issue', incident, ...at, sha: null, body: issueCommentBody(onIssue), kind: 'post' });
    }
  }
  // Threads already told whose claim no longer holds: rejected by a person, or gone from the evidence.
  const posted = new Set(out.filter((d) => d.number !== null).map((d) => `${d.repo}#${d.number}`));
  for (const n of written) {
    if (n.incidentId !== incident.id || n.state === 'gone' || posted.has(`${n.repo}#${n.number}`)) continue;
    if (repo !== undefined && n.repo !== repo) continue;
    const why = n.sha !== null && rejected.has(n.sha) ? 'rejected' : 'no-longer';
    out.push({
      target: n.target,
      incident,
      repo: n.repo,
      number: n.number,
      sha: n.sha,
      body: withdrawnBody(incident.externalId, n.sha, why),
      kind: 'withdraw',
    });
  }
  return out;
}

/** The pull request that brought the commit in: a stored one, else GitHub's answer (not in a dry run). */
async function pullOf(
  ctx: AppContext,
  sha: string,
  repo: string | undefined,
  o: NotifyOptions,
): Promise<{ repo: string; number: number } | undefined> {
  const stored = pullsOfCommit(ctx.store, sha, repo)[0];
  if (stored) return { repo: stored.repo, number: stored.number };
  if (o.dryRun || !o.client || repo === undefined) return undefined;
  const where = parseRepoSlug(repo);
  const found = (await pullsOfCommitOnGithub(o.client, { owner: where.owner, repo: where.repo }, sha))[0];
  return found ? { repo, number: found.number } : undefined;
}

async function apply(ctx: AppContext, d: Desired, o: NotifyOptions): Promise<NotifyAction> {
  const base = {
    target: d.target,
    incident: d.incident.externalId,
    repo: d.repo,
    number: d.number,
    sha: d.sha,
  };
  if (d.repo === null || d.number === null) return { ...base, kind: 'skip', body: '', note: d.note ?? '' };
  const record = getNotification(ctx.store, d.incident.id, d.repo, d.number);
  const hash = bodyHash(d.body);
  const state = d.kind === 'withdraw' ? 'withdrawn' : 'posted';
  const changed: NotifyKind = d.kind === 'withdraw' ? 'withdraw' : 'update';
  if (record?.state === 'gone') {
    return { ...base, kind: 'skip', body: '', note: 'the comment was deleted on GitHub; not posted again' };
  }
  if (record && record.bodyHash === hash && record.state === state) return { ...base, kind: 'unchanged', body: '' };
  if (o.dryRun) {
    const note = record ? `edits comment ${record.commentId}` : 'posts a comment (or adopts one with the marker)';
    return { ...base, kind: record ? changed : 'create', body: d.body, note };
  }
  const client = o.client!;
  const where = parseRepoSlug(d.repo);
  const ref = { owner: where.owner, repo: where.repo };
  const now = ctx.clock();
  const save = (commentId: number, url: string) =>
    saveNotification(ctx.store, {
      incidentId: d.incident.id,
      repo: d.repo!,
      number: d.number!,
      target: d.target,
      sha: d.sha,
      commentId,
      url,
      bodyHash: hash,
      state,
      createdAt: record?.createdAt ?? now,
      updatedAt: now,
    });
  if (record) {
    const edited = await updateComment(client, ref, record.commentId, d.body);
    if (!edited) {
      saveNotification(ctx.store, { ...record, state: 'gone', updatedAt: now });
      return { ...base, kind: 'skip', body: '', note: 'the comment was deleted on GitHub; not posted again' };
    }
    save(edited.id, edited.url);
    return { ...base, kind: changed, body: d.body, url: edited.url };
  }
  // The store has no record (a new database, a lost row): a comment with our marker is ours to adopt.
  const found = await findMarkedComment(client, ref, d.number, marker(d.incident.externalId));
  if (found) {
    if (found.body === d.body) {
      save(found.id, found.url);
      return { ...base, kind: 'unchanged', body: '', note: `adopted comment ${found.id}`, url: found.url };
    }
    const edited = await updateComment(client, ref, found.id, d.body);
    if (edited) {
      save(edited.id, edited.url);
      return { ...base, kind: changed, body: d.body, note: `adopted comment ${found.id}`, url: edited.url };
    }
  }
  if (d.kind === 'withdraw') return { ...base, kind: 'skip', body: '', note: 'nothing posted to withdraw' };
  const created = await createComment(client, ref, d.number, d.body);
  save(created.id, created.url);
  return { ...base, kind: 'create', body: d.body, url: created.url };
}
