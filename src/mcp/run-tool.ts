import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { untilNotBusy } from '../store/busy.js';
import type { ToolDefinition } from './define-tool.js';
import { failureText, invalidArguments } from './tool-errors.js';
import { strictInput } from './strict-input.js';

// A tool call, from its arguments to its answer. Its own module, imported on the first call (server.ts): a server
// answers initialize and tools/list without loading the argument checks, error texts and busy retries.

// Built once per tool: the input (unknown fields refused at every depth, not dropped) and the full output schema
// (tools/list may advertise only its top level).
const schemas = new WeakMap<ToolDefinition, { input: z.ZodObject; output: z.ZodObject }>();

export async function runTool(
  ctx: AppContext,
  tool: ToolDefinition,
  args: unknown,
  call: { clientName?: string; agent?: string },
  busyWaitMs: number,
): Promise<CallToolResult> {
  let s = schemas.get(tool);
  if (!s) schemas.set(tool, (s = { input: strictInput(tool.input), output: z.object(tool.output) }));
  const parsed = s.input.safeParse(args);
  if (!parsed.success) return errorResult(invalidArguments(tool.name, parsed.error, args, s.input));
  try {
    const output = await untilNotBusy(async () => tool.handler(parsed.data as never, ctx, call), busyWaitMs);
    // Checked here so a mismatch is reported as our bug rather than as the caller's invalid params.
    const checked = s.output.safeParse(output);
    if (!checked.success) throw new Error(`answer does not match its output schema: ${checked.error.message}`);
    const text = await tool.render(output as never);
    const setup = tool.needs ? (await import('../setup-hints.js')).missingSetup(ctx, tool.needs) : [];
    if (setup.length === 0)
      return { structuredContent: output as Record<string, unknown>, content: [{ type: 'text', text }] };
    return {
      structuredContent: { ...(output as Record<string, unknown>), setup },
      content: [{ type: 'text', text: [...setup.map((s) => `set-up missing: ${s}`), text].join('\n') }],
    };
  } catch (err) {
    return errorResult(failureText(tool.name, err, ctx));
  }
}

export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
