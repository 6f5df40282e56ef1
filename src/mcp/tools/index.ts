import type { ToolDefinition } from '../define-tool.js';

/** Every tool the server exposes, in the order clients list them. */
export const allTools: readonly ToolDefinition[] = [];
