import { z } from 'zod';

// A misspelled field is refused at every depth, not only at the top: `options[0].titel` would otherwise be dropped
// without a word, as `taskid` was (issue 15). One walker for every tool, so a nested input added later is covered.

type Schema = z.core.$ZodType;

/** The arguments schema of a tool: its fields, with every object at any depth refusing keys it does not know. */
export function strictInput(shape: z.ZodRawShape): z.ZodObject {
  return strictDeep(z.object(shape)) as z.ZodObject;
}

/** The same schema with every object strict; the wrappers around them (optional, default, array…) kept as they are. */
function strictDeep(schema: Schema): Schema {
  const def = schema._zod.def;
  const clone = (patch: object) => (schema as z.ZodType).clone({ ...def, ...patch } as never);
  switch (def.type) {
    case 'object': {
      const shape = (schema as z.ZodObject).shape;
      return clone({
        shape: Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, strictDeep(v)])),
        catchall: z.never(),
      });
    }
    case 'array':
      return clone({ element: strictDeep((def as z.core.$ZodArrayDef).element) });
    case 'union':
      return clone({ options: (def as z.core.$ZodUnionDef).options.map(strictDeep) });
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return clone({ innerType: strictDeep((def as unknown as { innerType: Schema }).innerType) });
    default:
      return schema;
  }
}

/** The field names an object at `path` of `schema` knows (for "did you mean"): [] when the path leads elsewhere. */
export function fieldsAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  let at: Schema | undefined = unwrap(schema);
  for (const key of path) {
    if (!at) return [];
    const def = at._zod.def;
    if (def.type === 'object' && typeof key === 'string') at = (at as z.ZodObject).shape[key];
    else if (def.type === 'array' && typeof key === 'number') at = (def as z.core.$ZodArrayDef).element;
    else return [];
    at = at && unwrap(at);
  }
  return at?._zod.def.type === 'object' ? Object.keys((at as z.ZodObject).shape) : [];
}

function unwrap(schema: Schema): Schema {
  let at = schema;
  while ('innerType' in at._zod.def) at = (at._zod.def as unknown as { innerType: Schema }).innerType;
  return at;
}
