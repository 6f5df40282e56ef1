import { z } from 'zod';

/**
 * The output schema we advertise in tools/list: top-level fields keep their exact types; nested objects and
 * lists of objects are declared as open objects whose description names their keys. Every client loads the
 * tool list into the model's context on every session, so this keeps it within budget (bench/tokens.ts),
 * while the full schemas still validate every answer in our tests.
 */
export function compactOutputShape(shape: z.ZodRawShape): z.ZodRawShape {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, compact(schema as z.ZodType)]));
}

function compact(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } }).def;
  if (def.type === 'optional') return compact(def.innerType!).optional();
  if (def.type === 'nullable') return compact(def.innerType!).nullable();
  if (def.type === 'default') return compact(def.innerType!);
  const description = schema.description;
  if (def.type === 'object') return z.looseObject({}).describe(join(description, keysOf(schema)));
  if (def.type === 'array' && isObject(def.element!)) {
    return z.array(z.looseObject({})).describe(join(description, `items ${keysOf(unwrap(def.element!))}`));
  }
  return schema;
}

function unwrap(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
  return def.type === 'optional' || def.type === 'nullable' || def.type === 'default' ? unwrap(def.innerType!) : schema;
}

function isObject(schema: z.ZodType): boolean {
  return (unwrap(schema) as unknown as { def: { type: string } }).def.type === 'object';
}

function keysOf(schema: z.ZodType): string {
  const shape = (unwrap(schema) as unknown as { shape: Record<string, z.ZodType> }).shape;
  return `{${Object.keys(shape).join(', ')}}`;
}

function join(description: string | undefined, keys: string): string {
  return description ? `${description}; ${keys}` : keys;
}
