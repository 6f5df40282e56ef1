/**
 * What a token may do: `read` — query tools, resources, prompts; `log` — log_interrupt, resolve_interrupt,
 * record_task; `propose` — propose_*; `admin` — the admin endpoints (POST /admin/ingest); `signals` — POST /signals
 * (production metrics pushed by a collector or a CI job: they move suspect scores, so not `log`, which every agent
 * holds; and a metrics pusher should not be able to start ingest rounds or anything else `admin` allows).
 */
export const SCOPES = ['read', 'log', 'propose', 'admin', 'signals'] as const;
export type Scope = (typeof SCOPES)[number];
