import { createHash } from 'node:crypto';
import type { CauseEvidence } from '../attribution/cause-evidence.js';

// The comment bodies the write-back posts. Built only from stored evidence and fixed times, so the same evidence
// always gives the same bytes: that is what makes "update only when the body changed" work.

/** The hidden line that identifies hindsight's comment for an incident in any thread, even if the store lost it. */
export function marker(externalId: string): string {
  // `--` would end an HTML comment early; an id never needs it.
  return `<!-- hindsight:incident=${externalId.replace(/-{2,}/g, '-').replace(/>/g, '')} -->`;
}

export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

const day = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const short = (sha: string) => sha.slice(0, 10);

function incidentLine(e: CauseEvidence): string {
  const i = e.incident;
  const facts = [i.severity, i.env, i.service ?? i.module, `started ${day(i.startedAt)}`]
    .concat(i.resolvedAt !== null ? [`resolved ${day(i.resolvedAt)}`] : ['still open'])
    .filter((x): x is string => Boolean(x));
  const title = i.url ? `[${i.externalId}](${i.url})` : i.externalId;
  return `**${title}** ${i.title} (${facts.join(', ')})`;
}

function verdict(e: CauseEvidence): string {
  return e.status === 'confirmed'
    ? `confirmed cause (${e.method}), score ${e.score.toFixed(2)}`
    : `suspect, score ${e.score.toFixed(2)} — not confirmed: the threshold that made it worth telling you is uncalibrated`;
}

function evidenceLines(e: CauseEvidence): string[] {
  const lines = [
    `- Commit: \`${short(e.sha)}\` ${e.subject} — ${e.author}${e.agent ? ` (agent: ${e.agent})` : ''}`,
    e.deploy
      ? `- Shipped in: deploy ${e.deploy.label} to ${e.deploy.env}${e.deploy.service ? `/${e.deploy.service}` : ''}, ` +
        `finished ${day(e.deploy.finishedAt)}`
      : '- Shipped in: no recorded deploy of this commit before the incident',
    `- Verdict: ${verdict(e)}`,
  ];
  if (e.fix) lines.push(`- Fixed by: \`${short(e.fix.sha)}\` ${e.fix.subject}`);
  if (e.reasons.length > 0) lines.push('', 'Why:', ...e.reasons.map((r) => `- ${r}`));
  if (e.blamed.length > 0) {
    lines.push('', 'Blamed lines (changed by the fix, last written by this commit):', '```', ...e.blamed, '```');
  }
  return lines;
}

const FOOTER =
  '<sub>Written by hindsight from its stored evidence. It edits this comment when the evidence changes and ' +
  'never posts a second one for this incident.</sub>';

/** The comment on the causing pull request. */
export function pullCommentBody(e: CauseEvidence): string {
  return [
    marker(e.incident.externalId),
    `### hindsight: this pull request is linked to incident ${e.incident.externalId}`,
    '',
    incidentLine(e),
    '',
    ...evidenceLines(e),
    '',
    FOOTER,
  ].join('\n');
}

/** The comment on the incident's own GitHub issue: every cause, each with its pull request when known. */
export function issueCommentBody(causes: { evidence: CauseEvidence; pull: string | null }[]): string {
  const first = causes[0]!.evidence;
  const lines = [
    marker(first.incident.externalId),
    `### hindsight: the change${causes.length > 1 ? 's' : ''} linked to this incident`,
    '',
  ];
  for (const c of causes) {
    lines.push(
      `#### \`${short(c.evidence.sha)}\`${c.pull ? ` from ${c.pull}` : ''}`,
      '',
      ...evidenceLines(c.evidence),
      '',
    );
  }
  lines.push(FOOTER);
  return lines.join('\n');
}

/** What replaces a comment whose claim no longer holds: kept (with its marker) rather than deleted. */
export function withdrawnBody(externalId: string, sha: string | null, why: 'rejected' | 'no-longer'): string {
  const what = sha ? `commit \`${short(sha)}\`` : 'the changes listed here';
  return [
    marker(externalId),
    `### hindsight: withdrawn — ${externalId}`,
    '',
    why === 'rejected'
      ? `A person reviewing ${externalId} rejected ${what} as its cause. hindsight no longer claims it; the earlier ` +
        'evidence in this comment was removed.'
      : `The current evidence no longer ties ${what} to ${externalId}. hindsight no longer claims it; the earlier ` +
        'evidence in this comment was removed.',
    '',
    FOOTER,
  ].join('\n');
}
