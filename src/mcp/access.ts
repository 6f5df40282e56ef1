import type { Scope } from '../auth/scopes.js';
import { UserInputError } from '../errors.js';
import type { ToolSummary } from './define-tool.js';

/**
 * Toolsets a server (`--toolsets`) or one HTTP request (`X-MCP-Toolsets`) can load, as github-mcp-server does:
 * fewer tools, fewer tokens in every session. Resources and prompts are not part of a toolset.
 */
export const TOOLSETS = {
  attribution: ['my_deploy_impact', 'incident_suspects'],
  history: ['change_risk', 'module_incident_history'],
  triage: ['log_interrupt', 'resolve_interrupt', 'record_task', 'triage_report'],
  proposals: ['propose_adr', 'propose_rule', 'propose_skill'],
  delivery: ['delivery_metrics', 'release_review'],
} as const satisfies Record<string, readonly string[]>;
export type Toolset = keyof typeof TOOLSETS;
export const ALL_TOOLSETS = Object.keys(TOOLSETS) as Toolset[];
const TOOLSET_NAMES = ALL_TOOLSETS;

/**
 * Loaded when no toolset is named: what a coding agent needs while it works. `delivery` (DORA figures, for whoever
 * reviews releases) is loaded only when named or with `all`, so every agent session does not pay for its schema in
 * tools/list (the 4k-token budget, test/mcp/token-budget.test.ts).
 */
export const DEFAULT_TOOLSETS: readonly Toolset[] = ['attribution', 'history', 'triage', 'proposals'];

/** The scope a call needs: read-only tools `read`, proposals `propose`, the other writers (interrupts, tasks) `log`. */
export function scopeOf(tool: ToolSummary): Scope {
  if (tool.annotations.readOnlyHint) return 'read';
  return tool.name.startsWith('propose_') ? 'propose' : 'log';
}

/** Which tools a caller may see and call. Every field narrows; an absent field allows everything. */
export interface Access {
  /** The token's scopes (HTTP only). */
  scopes?: readonly Scope[];
  /** Only tools whose readOnlyHint is true. */
  readOnly?: boolean;
  /** Only the tools of these toolsets; default DEFAULT_TOOLSETS. */
  toolsets?: readonly Toolset[];
}

/** Why `tool` may not be called under `access` (said to the caller, with the fix), or undefined when it may. */
export function refusal(tool: ToolSummary, access: Access): string | undefined {
  const scope = scopeOf(tool);
  if (access.scopes && !access.scopes.includes(scope)) {
    return `${tool.name} needs the '${scope}' scope, which this token lacks; ask for a token created with --scope ${scope}`;
  }
  if (access.readOnly && !tool.annotations.readOnlyHint) {
    return `${tool.name} writes, and this server runs read-only (--read-only)`;
  }
  const loaded = access.toolsets ?? DEFAULT_TOOLSETS;
  if (!loaded.some((s) => (TOOLSETS[s] as readonly string[]).includes(tool.name))) {
    return `${tool.name} is not in the loaded toolsets (${loaded.join(', ')}); load ${toolsetOf(tool.name) ?? 'all'} with --toolsets (HTTP: the X-MCP-Toolsets header)`;
  }
  return undefined;
}

function toolsetOf(name: string): Toolset | undefined {
  return TOOLSET_NAMES.find((s) => (TOOLSETS[s] as readonly string[]).includes(name));
}

/** `attribution,triage` → the toolsets, or a UserInputError naming the unknown one and the known ones. */
export function parseToolsets(text: string, field: string): Toolset[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.includes('all')) return [...TOOLSET_NAMES];
  for (const n of names) {
    if (!(TOOLSET_NAMES as string[]).includes(n)) {
      throw new UserInputError(`${field}: unknown toolset '${n}'; known: ${TOOLSET_NAMES.join(', ')}, all`, field);
    }
  }
  if (names.length === 0) throw new UserInputError(`${field}: name at least one of ${TOOLSET_NAMES.join(', ')}`, field);
  return names as Toolset[];
}

/** The narrower of two choices: a request may pick fewer toolsets than the server loads, never more. */
export function narrowToolsets(
  server: readonly Toolset[] | undefined,
  request: readonly Toolset[] | undefined,
): Toolset[] | undefined {
  if (!request) return server ? [...server] : undefined;
  return server ? request.filter((s) => server.includes(s)) : [...request];
}
