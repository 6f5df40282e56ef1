/**
 * What a token may do: `read` — query tools, resources, prompts; `log` — log_interrupt, resolve_interrupt,
 * record_task; `propose` — propose_*; `admin` — the admin endpoints (POST /admin/ingest).
 */
export const SCOPES = ['read', 'log', 'propose', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
