import type { IncidentFields } from '../../src/store/incidents.js';

/** An imported incident's fields for store tests: open, in production, naming nothing unless `over` says so. */
export function newIncident(externalId: string, startedAt: number, over: Partial<IncidentFields> = {}): IncidentFields {
  return {
    source: 'import',
    externalId,
    title: externalId,
    severity: null,
    startedAt,
    resolvedAt: null,
    env: 'production',
    service: null,
    module: null,
    status: 'open',
    url: null,
    summary: null,
    fixSha: null,
    rootCauseSha: null,
    postmortemPath: null,
    ...over,
  };
}
