import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

// What tools/list advertises of an answer. The SDK client checks each answer against it; the server checks the full
// zod schema before answering, whichever is advertised.

type JsonSchema = Record<string, unknown>;
type OutputSchema = Tool['outputSchema'] & object;

/**
 * How much of each answer's shape tools/list carries. `top`: the top level only (the default: clients load the list
 * into the model's context every session, and the full shapes of the default toolsets cost ~10 KB more than the
 * whole 14 KB budget). `full`: every field at every depth, for code-mode clients that write code against the
 * answers and read the schemas once (`serve --output-schemas full`).
 */
export type OutputSchemas = 'top' | 'full';
export const OUTPUT_SCHEMAS: readonly OutputSchemas[] = ['top', 'full'];

export function advertisedOutput(output: z.ZodRawShape, mode: OutputSchemas): OutputSchema {
  const schema = z.toJSONSchema(z.object(output), { target: 'draft-7', io: 'output' }) as JsonSchema;
  return mode === 'full' ? fullShape(schema) : topLevel(schema);
}

/**
 * Every field at every depth, compact: no descriptions (the tool's description and the answer say them), nullable
 * as `type: [t, "null"]`, enums without their type, and a shape that repeats (a cluster, a breakdown row) written
 * once under `definitions`. No `additionalProperties: false`: an answer may gain a field without breaking a client.
 */
function fullShape(schema: JsonSchema): OutputSchema {
  const body = compact(schema);
  const definitions = shareRepeats(body);
  return { ...body, ...(Object.keys(definitions).length ? { definitions } : {}) } as OutputSchema;
}

const DROPPED = new Set(['$schema', 'description', 'additionalProperties']);

function compact(schema: JsonSchema): JsonSchema {
  const branches = schema['anyOf'] as JsonSchema[] | undefined;
  if (branches) {
    const kept = branches.map(compact);
    const nonNull = kept.filter((b) => b['type'] !== 'null');
    if (kept.length === 2 && nonNull.length === 1) return nullable(nonNull[0]!);
    return { anyOf: kept };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || (key === 'type' && 'enum' in schema)) continue;
    if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, compact(v as JsonSchema)]));
    } else out[key] = key === 'items' ? compact(value as JsonSchema) : value;
  }
  return out;
}

function nullable(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema['enum'])) return { ...schema, enum: [...(schema['enum'] as unknown[]), null] };
  const type = schema['type'];
  return typeof type === 'string' ? { ...schema, type: [type, 'null'] } : { anyOf: [schema, { type: 'null' }] };
}

/** Hoists each object shape that occurs more than once into `definitions`, named after the field it first serves. */
function shareRepeats(root: JsonSchema): Record<string, JsonSchema> {
  const seen = new Map<string, { name: string; count: number }>();
  const visit = (s: JsonSchema, name: string, skip: boolean) => {
    if (!skip && s['properties']) {
      const key = JSON.stringify(s);
      const entry = seen.get(key) ?? { name, count: 0 };
      entry.count += 1;
      seen.set(key, entry);
    }
    eachChild(s, name, (child, childName) => visit(child, childName, false));
  };
  visit(root, 'answer', true);
  const shared = new Map<string, string>();
  const names = new Set<string>();
  for (const [key, { name, count }] of seen) {
    if (count < 2) continue;
    let unique = name;
    for (let i = 2; names.has(unique); i++) unique = `${name}${i}`;
    names.add(unique);
    shared.set(key, unique);
  }
  const definitions: Record<string, JsonSchema> = {};
  const replace = (s: JsonSchema, top: boolean): JsonSchema => {
    const ref = top ? undefined : shared.get(JSON.stringify(s));
    if (ref) {
      definitions[ref] ??= replace(s, true);
      return { $ref: `#/definitions/${ref}` };
    }
    const out = { ...s };
    if (s['properties']) {
      out['properties'] = Object.fromEntries(
        Object.entries(s['properties'] as JsonSchema).map(([k, v]) => [k, replace(v as JsonSchema, false)]),
      );
    }
    if (s['items']) out['items'] = replace(s['items'] as JsonSchema, false);
    if (s['anyOf']) out['anyOf'] = (s['anyOf'] as JsonSchema[]).map((b) => replace(b, false));
    return out;
  };
  Object.assign(root, replace(root, true));
  return definitions;
}

function eachChild(s: JsonSchema, name: string, fn: (child: JsonSchema, name: string) => void): void {
  for (const [k, v] of Object.entries((s['properties'] ?? {}) as Record<string, JsonSchema>)) fn(v, k);
  if (s['items']) fn(s['items'] as JsonSchema, name);
  for (const b of (s['anyOf'] ?? []) as JsonSchema[]) fn(b, name);
}

/**
 * The answer's top level: every field that is always present (`required`), and the type of each scalar field and
 * list of scalars (nullable ones as `[type, "null"]`). Fields that hold an object or a list of objects are named in
 * `required` (or left to the answer, when optional) without a type.
 */
function topLevel(schema: JsonSchema): OutputSchema {
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
