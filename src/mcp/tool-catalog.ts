import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition, ToolSummary } from './define-tool.js';
import type { OutputSchemas } from './output-schema.js';
import { TOOL_MANIFEST, type ManifestTool } from './tool-manifest.js';

/** A listed tool: its summary and its tools/list entry at a depth. */
export interface ListedTool extends ToolSummary {
  entry(depth: OutputSchemas): Tool;
}

/** The tools a server offers: what tools/list says of them, and their definitions for tools/call. */
export interface ToolCatalog {
  /** Every tool, in the order clients list them. */
  listed(): Promise<readonly ListedTool[]>;
  /** The definitions by name; the built server loads them on the first call. */
  definitions(): Promise<ReadonlyMap<string, ToolDefinition>>;
}

/** A catalog over definitions at hand; entries are computed on first use, once per process per tool. */
export function catalogOf(tools: readonly ToolDefinition[]): ToolCatalog {
  const byName = new Map(tools.map((t) => [t.name, t]));
  let listed: Promise<readonly ListedTool[]> | undefined;
  return {
    listed: () =>
      (listed ??= import('./tool-list.js').then(({ toolListEntry }) =>
        tools.map((t) => ({
          name: t.name,
          annotations: t.annotations,
          entry: (d) => cachedEntry(toolListEntry, t, d),
        })),
      )),
    definitions: () => Promise.resolve(byName),
  };
}

/**
 * Every tool hindsight has. From the bundle: listed from the build's manifest, the definitions imported on the first
 * call. Otherwise (tsc's output, tests): the definitions imported on first use, and listed from them.
 */
export const allToolsCatalog: ToolCatalog = TOOL_MANIFEST ? manifestCatalog(TOOL_MANIFEST) : importedCatalog();

function manifestCatalog(manifest: readonly ManifestTool[]): ToolCatalog {
  const listed = manifest.map((t) => ({
    name: t.name,
    annotations: t.annotations,
    entry: (d: OutputSchemas) => t.entries[d],
  }));
  return { listed: () => Promise.resolve(listed), definitions: importedCatalog().definitions };
}

let imported: Promise<ToolCatalog> | undefined;
function importedCatalog(): ToolCatalog {
  const load = () => (imported ??= import('./tools/index.js').then(({ allTools }) => catalogOf(allTools)));
  return { listed: async () => (await load()).listed(), definitions: async () => (await load()).definitions() };
}

/** Each tool's entry is converted once per process, not per server (over HTTP, one per access profile). */
const entries = { top: new WeakMap<ToolDefinition, Tool>(), full: new WeakMap<ToolDefinition, Tool>() };
function cachedEntry(
  toolListEntry: (tool: ToolDefinition, depth: OutputSchemas) => Tool,
  tool: ToolDefinition,
  depth: OutputSchemas,
): Tool {
  const cache = entries[depth];
  let entry = cache.get(tool);
  if (!entry) cache.set(tool, (entry = toolListEntry(tool, depth)));
  return entry;
}
