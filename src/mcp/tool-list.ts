import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './define-tool.js';

type JsonSchema = Record<string, unknown>;

/**
 * One tool as tools/list advertises it. Clients load the whole list into the model's context on every session
 * (budget: bench/tokens.ts, test/mcp/token-budget.test.ts), so it carries what a caller needs to form a call:
 * the input schema without noise. The answer is advertised as `{type: "object"}`: model APIs take no output
 * schema, the full one costs a fifth of the list, and the server checks every answer against it anyway.
 */
export function toolListEntry(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: {
      ...withoutNoise(z.toJSONSchema(z.object(tool.input), { target: 'draft-7', io: 'input' })),
      type: 'object',
    },
    outputSchema: { type: 'object' },
    annotations: tool.annotations,
  };
}

/**
 * Without the keys that do not help a caller form a call: `$schema`, the ±2^53 bounds zod puts on every integer,
 * and "not empty" (minLength/minItems 1: no real call trips on it, and it would cost 400 bytes). The other size
 * limits stay: an agent that does not see them learns them only by failing (issue 13). The server enforces them
 * all, and answers an invalid call with the field and the limit.
 */
function withoutNoise(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || ((key === 'minLength' || key === 'minItems') && value === 1)) continue;
    if ((key === 'maximum' || key === 'minimum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, withoutNoise(v as JsonSchema)]))
        : SUBSCHEMAS.has(key)
          ? Array.isArray(value)
            ? value.map((v) => withoutNoise(v as JsonSchema))
            : withoutNoise(value as JsonSchema)
          : value; // enums, defaults: data, not schemas
  }
  return out;
}

const SUBSCHEMAS = new Set(['items', 'anyOf', 'oneOf', 'allOf', 'not', 'additionalProperties']);
