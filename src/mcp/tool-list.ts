import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './define-tool.js';

type JsonSchema = Record<string, unknown>;

/**
 * One tool as tools/list advertises it. Clients load the whole list into the model's context on every session
 * (budget: bench/tokens.ts, test/mcp/token-budget.test.ts), so it carries what a caller needs to form a call —
 * the input schema without noise — and the answer's top level (the full output schema would cost a fifth of the
 * list). No title: clients show the name, and 300 bytes buy the output schemas room.
 */
export function toolListEntry(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: {
      ...withoutNoise(z.toJSONSchema(z.object(tool.input), { target: 'draft-7', io: 'input' })),
      type: 'object',
    },
    outputSchema: topLevel(z.toJSONSchema(z.object(tool.output), { target: 'draft-7', io: 'output' })),
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

/**
 * The answer's top level, as compact as the list budget allows: every field that is always present (`required`),
 * and the type of each scalar field and list of scalars (nullable ones as `[type, "null"]`). Fields that hold an
 * object or a list of objects are named in `required` (or left to the answer, when optional) without a type:
 * typing them costs ~900 bytes of a budget every session pays for. The SDK client checks each answer against this;
 * the server checks the full schema before answering.
 */
function topLevel(schema: JsonSchema): Tool['outputSchema'] & object {
  const properties = Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>)
    .map(([name, sub]) => [name, shape(sub)] as const)
    .filter((entry): entry is readonly [string, JsonSchema] => entry[1] !== undefined);
  return {
    type: 'object',
    properties: Object.fromEntries(properties),
    required: (schema['required'] ?? []) as string[],
  };
}

/** `{type}` of a scalar or a list of scalars; undefined for objects, lists of objects and anything untyped. */
function shape(schema: JsonSchema): JsonSchema | undefined {
  const types = typesOf(schema);
  if (types.length === 0 || types.includes('object')) return undefined;
  const type = types.length === 1 ? types[0]! : types;
  if (!types.includes('array')) return { type };
  const items = typesOf((schema['items'] ?? {}) as JsonSchema);
  return items.length === 0 || items.includes('object') || items.includes('array')
    ? undefined
    : { type, items: { type: items.length === 1 ? items[0]! : items } };
}

function typesOf(schema: JsonSchema): string[] {
  const branches = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  if (branches) {
    const all = branches.map(typesOf);
    return all.some((t) => t.length === 0) ? [] : [...new Set(all.flat())];
  }
  const type = schema['type'];
  if (Array.isArray(type)) return type as string[];
  if (typeof type === 'string') return [type];
  if ('const' in schema) return [schema['const'] === null ? 'null' : typeof schema['const']];
  if ('enum' in schema) return [...new Set((schema['enum'] as unknown[]).map((v) => (v === null ? 'null' : typeof v)))];
  return [];
}
