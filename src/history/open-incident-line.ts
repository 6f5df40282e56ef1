import type { AppContext } from '../context.js';
import { newestOpenIncident } from '../store/open-incidents.js';

/** Open incidents older than this are left to the incident tools: the line is for what is burning now. */
const RECENT_MS = 30 * 86_400_000;

/**
 * One compact line when an incident is still open in the modules of `paths` — what change_risk and log_interrupt
 * say before an agent touches (or asks about) code that is failing in production right now.
 */
export function openIncidentLine(ctx: AppContext, paths: readonly string[] | undefined): string | undefined {
  if (!paths || paths.length === 0) return undefined;
  const modules = paths.map((p) => ctx.modules.moduleOf(p)).filter((m) => m !== '');
  const inc = newestOpenIncident(ctx.store, modules, ctx.clock() - RECENT_MS);
  if (!inc) return undefined;
  return (
    `open incident ${inc.externalId}${inc.severity ? ` (${inc.severity})` : ''} in ${inc.module} since ` +
    `${new Date(inc.startedAt).toISOString().slice(0, 16)}Z: "${inc.title}" — incident_suspects {"incident":"${inc.externalId}"}`
  );
}
