// Seeded argument generator for the fuzz suite: values derived from a tool's input JSON Schema (the same one
// tools/list advertises), mixed with adversarial ones. The same seed gives the same calls, so a failure replays.

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
}

/** Relative and absolute paths that would land outside the repository; the suite checks none was written. */
export const ESCAPES = [
  '../hindsight-fuzz-escape.md',
  '../../hindsight-fuzz-escape.md',
  'docs/adr/../../../hindsight-fuzz-escape.md',
  '../../../../../../../../tmp/hindsight-fuzz-escape.mdc',
  '/tmp/hindsight-fuzz-escape.md',
  '..\\..\\hindsight-fuzz-escape.md',
];

/** Text that has broken parsers, regular expressions, LIKE patterns, paths and terminals elsewhere. */
const NASTY = [
  '',
  ' ',
  '\n\t\r',
  '(a+)+$',
  '^(a|a)*$',
  '.*',
  '[',
  '\\',
  '(?<=x)',
  '$&$1',
  '%',
  '_',
  '%_%\\%',
  "'; DROP TABLE interrupts; --",
  '" OR 1=1 --',
  '/etc/passwd',
  '~/.ssh/id_rsa',
  'C:\\Windows\\system32',
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  '💥🔥 ünïcödé 漢字 עברית',
  '\ud800',
  'NaN',
  'null',
  'undefined',
  '__proto__',
  '{"a":1}',
  '<script>alert(1)</script>',
  '${process.exit()}',
  '---\nname: x\n---\n',
  '---js\nprocess.exit(1)\n---\n',
  '# heading\n## sub',
  'AKIAIOSFODNN7EXAMPLE',
  'password=hunter22',
  'not-a-date',
  '2026-02-30T25:61:00Z',
  '9999-99-99',
  '-271821-04-20',
  '+275760-09-13T00:00:00.000Z',
  '2026-08-31',
  ...ESCAPES,
];

const WRONG_TYPES = (depth: number): unknown[] => [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  'text',
  [],
  [1, 'a', null, { b: [] }],
  {},
  nested(depth),
  { ['__proto__']: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
];

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { deeper: v };
  return v;
}

/** Argument generator for one tool. `hints` gives realistic values by field name (paths, ids, dates …). */
export class ArgumentFuzzer {
  constructor(
    private readonly rnd: () => number,
    private readonly hints: Record<string, readonly unknown[]>,
  ) {}

  /**
   * One tool call's arguments: an object shaped by the schema with, field by field, adversarial values; in a third
   * of the calls few of them, so that calls also get past the door and into the domain (and the files it writes).
   */
  args(schema: JsonSchema): Record<string, unknown> {
    this.gentle = this.chance(0.35);
    return this.object(schema, 0);
  }

  private gentle = false;

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  private object(schema: JsonSchema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (this.chance(required.has(key) ? 0.95 : 0.5)) out[key] = this.value(sub, key, depth + 1);
    }
    if (this.chance(0.05)) out[this.pick(['extra', 'constructor', 'toString', 'path ', 'LIMIT'])] = 'unexpected';
    return out;
  }

  value(schema: JsonSchema, name: string, depth: number): unknown {
    if (this.gentle && this.chance(0.92)) return this.valid(schema, name);
    const r = this.rnd();
    if (r < 0.08) return this.pick(WRONG_TYPES(this.int(2, 40)));
    if (schema.enum) return r < 0.85 ? this.pick(schema.enum) : this.pick(['', 'INTERRUPT', 'other ', 'rubric\u0000']);
    switch (schema.type) {
      case 'string':
        return this.string(schema, name, r);
      case 'integer':
      case 'number':
        return this.number(schema, name, r);
      case 'boolean':
        return r < 0.9 ? this.chance(0.5) : this.pick(['true', 0, 1]);
      case 'array':
        return this.array(schema, name, depth);
      case 'object':
        return depth > 6 ? {} : this.object(schema, depth);
      default:
        return this.pick(WRONG_TYPES(3));
    }
  }

  /** A value the schema accepts: a realistic one for the field's name when there is one. */
  private valid(schema: JsonSchema, name: string): unknown {
    if (schema.enum) return this.pick(schema.enum);
    const hinted = this.hints[name];
    switch (schema.type) {
      case 'string':
        return hinted && this.chance(0.8)
          ? this.pick(hinted)
          : this.words(this.int(schema.minLength ?? 1, Math.min(schema.maxLength ?? 80, 80)));
      case 'integer':
      case 'number':
        return hinted && this.chance(0.8) ? this.pick(hinted) : this.number(schema, name, 0.5);
      case 'boolean':
        return this.chance(0.5);
      case 'array':
        return Array.from({ length: this.int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) }, () =>
          this.valid(schema.items ?? {}, name),
        );
      case 'object':
        return this.object(schema, 6);
      default:
        return null;
    }
  }

  private string(schema: JsonSchema, name: string, r: number): unknown {
    const max = schema.maxLength ?? 10_000;
    const hinted = this.hints[name];
    if (r < 0.45 && hinted) return this.pick(hinted);
    if (r < 0.6) return this.words(Math.min(max, this.int(schema.minLength ?? 0, 120)));
    if (r < 0.82) return this.pick(NASTY);
    if (r < 0.9) return 'x'.repeat(max); // exactly at the limit
    if (r < 0.97) return 'y'.repeat(max + 1 + this.int(0, 50)); // just over
    // Far over: a megabyte now and then, 100k otherwise (what broke triage in issue 13).
    return (this.chance(0.1) ? 'Z%(' : 'A').repeat(this.chance(0.1) ? 350_000 : 100_000);
  }

  private words(length: number): string {
    const vocabulary = ['payments', 'gateway', 'retry', 'timeout', 'idempotency', 'key', 'auth', 'e2e', 'ADR', 'the'];
    let s = '';
    while (s.length < length) s += `${this.pick(vocabulary)} `;
    return s.slice(0, length);
  }

  private number(schema: JsonSchema, name: string, r: number): unknown {
    const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
    const hi = schema.maximum ?? Math.max(lo + 30, 30);
    const hinted = this.hints[name];
    if (r < 0.4 && hinted) return this.pick(hinted);
    if (r < 0.75) return this.int(lo, Math.min(hi, lo + 50));
    return this.pick([lo - 1, hi + 1, 0, -1, 2 ** 53, -(2 ** 31), 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2]);
  }

  private array(schema: JsonSchema, name: string, depth: number): unknown[] {
    const max = schema.maxItems ?? 50;
    const r = this.rnd();
    const n =
      r < 0.7
        ? this.int(schema.minItems ?? 0, Math.min(max, 5))
        : r < 0.85
          ? 0
          : r < 0.97
            ? max + 1
            : this.int(1_000, 5_000);
    const item = schema.items ?? {};
    // Long lists hold cheap items: the length is what is being tested.
    if (n > 20) return Array.from({ length: n }, (_, i) => (item.type === 'string' ? `src/f${i}.ts` : i + 1));
    return Array.from({ length: n }, () => this.value(item, name, depth + 1));
  }
}
