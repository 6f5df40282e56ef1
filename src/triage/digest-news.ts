import type { AppContext } from '../context.js';
import { advanceDigestMark, agentLinksFingerprint, digestMark, incidentsLinkedSince } from '../store/digest-marks.js';
import { getIncident } from '../store/incidents.js';

const DAY = 86_400_000;
const LIMIT = 10;

/** Incidents linked to an agent's changes that it has not read about yet. */
export interface DigestNews {
  agent: string;
  /** ISO: the last read (or, on a first read, the start of the digest's 7-day window) */
  since: string;
  firstRead: boolean;
  /** false: no incident was ever linked to this agent's changes */
  known: boolean;
  incidents: { id: string; title: string; severity: string | null; status: string; linkedAt: string }[];
  hasMore: boolean;
}

/**
 * What is new for the agent since it last read its digest: incidents first linked to its commits after its read
 * mark. Reading advances the mark to the newest link shown, so the next read lists only what came after.
 */
export function readDigestNews(ctx: AppContext, agentName: string): DigestNews {
  const agent = agentName.trim().toLowerCase();
  const mark = digestMark(ctx.store, agent);
  const since = mark ?? ctx.clock() - 7 * DAY;
  const rows = incidentsLinkedSince(ctx.store, agent, since, LIMIT + 1);
  const shown = rows.slice(0, LIMIT);
  const newest = shown.reduce((m, r) => Math.max(m, r.linkedAt), since);
  advanceDigestMark(ctx.store, agent, mark === undefined ? Math.max(newest, ctx.clock()) : newest);
  return {
    agent,
    since: new Date(since).toISOString(),
    firstRead: mark === undefined,
    known: agentLinksFingerprint(ctx.store, agent) !== '0:0',
    incidents: shown.flatMap((r) => {
      const i = getIncident(ctx.store, r.incidentId);
      return i
        ? [
            {
              id: i.externalId,
              title: i.title,
              severity: i.severity,
              status: i.status,
              linkedAt: new Date(r.linkedAt).toISOString(),
            },
          ]
        : [];
    }),
    hasMore: rows.length > LIMIT,
  };
}

export function renderDigestNews(n: DigestNews): string {
  const lines = [`## New incidents linked to your changes (since ${n.since}${n.firstRead ? ', first read' : ''})`, ''];
  if (n.incidents.length === 0) lines.push('None.');
  for (const i of n.incidents) {
    lines.push(
      `- ${i.id} ${i.title} (${[i.severity, i.status].filter(Boolean).join(', ')}; linked ${i.linkedAt}) — ` +
        `call incident_suspects {"incident":"${i.id}"}`,
    );
  }
  if (n.hasMore) lines.push(`- … more: call my_deploy_impact for the full list`);
  return lines.join('\n');
}
