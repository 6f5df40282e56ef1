import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolAnnotations } from './define-tool.js';
import type { OutputSchemas } from './output-schema.js';

/** What tools/list says of one tool at each depth, and what refusals need: no schema objects, no code. */
export interface ManifestTool {
  name: string;
  annotations: ToolAnnotations;
  entries: Record<OutputSchemas, Tool>;
}

/**
 * Every tool's tools/list entries, computed by `npm run build` from these same definitions (scripts/bundle.mjs
 * replaces this module in the bundle). With it, a stdio server answers its first tools/list without building the
 * tools' zod schemas or converting them (~50 ms of a ~350 ms cold start, bench/FINDINGS.md §3); the definitions
 * load on the first tools/call. Undefined when running from tsc's output or the sources (tests): the entries are
 * then computed from the definitions, by the same function the build uses.
 */
export const TOOL_MANIFEST: readonly ManifestTool[] | undefined = undefined;
