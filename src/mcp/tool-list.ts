import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './define-tool.js';
import { advertisedOutput, type OutputSchemas } from './output-schema.js';

type JsonSchema = Record<string, unknown>;

const SETUP_FIELD = z.array(z.string()).optional();

/**
 * One tool as tools/list advertises it. Clients load the whole list into the model's context on every session
 * (budget: bench/tokens.ts, test/mcp/token-budget.test.ts), so it carries what a caller needs to form a call —
 * the input schema without noise — and the answer's top level by default, every depth on request (output-schema.ts).
 * No title: clients show the name, and 300 bytes buy the output schemas room.
 */
export function toolListEntry(tool: ToolDefinition, outputSchemas: OutputSchemas = 'top'): Tool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: {
      ...withoutNoise(z.toJSONSchema(z.object(tool.input), { target: 'draft-7', io: 'input' })),
      type: 'object',
    },
    outputSchema: advertisedOutput(
      // `setup` is there only when something is missing: the full shape declares it, the top level leaves it out.
      outputSchemas === 'full' && tool.needs?.length ? { ...tool.output, setup: SETUP_FIELD } : tool.output,
      outputSchemas,
    ),
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
    if (key === 'exclusiveMinimum' && value === 0) continue; // ids: no real call sends 0 or less
    if (key === 'type' && value === 'string' && 'enum' in schema) continue; // the values say it
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
