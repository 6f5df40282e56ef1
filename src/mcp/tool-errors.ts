import type { z } from 'zod';
import type { AppContext } from '../context.js';
import { classifyError } from '../errors.js';
import { editDistance } from '../history/resolve-module.js';
import { fieldsAt } from './strict-input.js';

// The text of a failed tool call, for the agent that made it: what to change, and whether calling again helps.

const MAX_ISSUES = 5;

/**
 * Invalid arguments, field by field, each with its limit or the values it takes: "paths[0] is too long: at most
 * 1000 characters"; an unknown field at any depth with the known one it is closest to, so a misspelled `taskid` or
 * `options[0].titel` is not dropped without a word (unknown fields first: they are what the caller got wrong when
 * the rest looks missing). Never echoes the value itself (it may be megabytes). `schema`: the tool's arguments.
 */
export function invalidArguments(tool: string, error: z.ZodError, args: unknown, schema: z.core.$ZodType): string {
  const unknownFirst = [...error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const issues = unknownFirst
    .slice(0, MAX_ISSUES)
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.slice(0, MAX_ISSUES).map((key) => unknownField(issue.path, key, fieldsAt(schema, issue.path)))
        : [describeIssue(issue, args)],
    );
  const more = error.issues.length > MAX_ISSUES ? ` (and ${error.issues.length - MAX_ISSUES} more)` : '';
  return (
    `invalid arguments for ${tool}: ${issues.join('; ')}${more}${more || !issues.at(-1)?.endsWith('?') ? '.' : ''} ` +
    `Fix ${issues.length > 1 ? 'those fields' : 'that field'} and call again; tools/list gives every field's type and limits.`
  );
}

function describeIssue(issue: z.core.$ZodIssue, args: unknown): string {
  const field = fieldName(issue.path) || 'arguments';
  switch (issue.code) {
    case 'too_big':
      return `${field} is too ${SIZE[issue.origin]?.[1] ?? 'large'}: ${issue.inclusive === false ? 'less than' : 'at most'} ${amount(issue.maximum, issue.origin)}`;
    case 'too_small':
      return `${field} is too ${SIZE[issue.origin]?.[0] ?? 'small'}: ${issue.inclusive === false ? 'more than' : 'at least'} ${amount(issue.minimum, issue.origin)}`;
    case 'invalid_type': {
      const value = valueAt(args, issue.path);
      const expected = issue.expected === 'int' ? 'integer' : issue.expected;
      return value === undefined
        ? `${field} is required (${article(expected)})`
        : `${field} must be ${article(expected)}, not ${kindOf(value)}`;
    }
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field}: ${issue.message.slice(0, 200)}`;
  }
}

/**
 * "unknown field `taskid` — did you mean `task_id`?", "unknown field `options[0].titel` — did you mean `title`?",
 * or the fields there are when none is close.
 */
function unknownField(at: readonly PropertyKey[], key: string, fields: readonly string[]): string {
  const name = key.slice(0, MAX_NAME);
  const near = nearest(name, fields);
  const field = fieldName([...at, name]);
  return near
    ? `unknown field \`${field}\` — did you mean \`${near}\`?`
    : `unknown field \`${field}\`: leave it out (known fields${at.length ? ` there` : ''}: ${fields.join(', ') || 'none'})`;
}

const MAX_NAME = 60;

/** The known name within a typo or two of `name` (case and `-`/`_` ignored), nearest first; none if none is. */
function nearest(name: string, fields: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const q = norm(name);
  let best: { field: string; d: number } | undefined;
  for (const field of fields) {
    const max = Math.min(2, Math.floor(field.length / 3));
    const d = editDistance(q, norm(field), max);
    if (d <= max && (!best || d < best.d)) best = { field, d };
  }
  return best?.field;
}

const SIZE: Record<string, [string, string]> = {
  string: ['short', 'long'],
  array: ['short a list', 'long a list'],
};

function amount(n: number | bigint, origin: string): string {
  const unit = origin === 'string' ? 'character' : origin === 'array' ? 'item' : '';
  return unit ? `${String(n)} ${unit}${Number(n) === 1 ? '' : 's'}` : String(n);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}

/** `paths[0]`, `options[1].title` */
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p).slice(0, 60)}`))
    .join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/**
 * A failure by who acts on it: the caller (the input's own message says how to fix it), a retry (a busy
 * database), the user's set-up (what to change; retrying will not help), or us — a bug, logged with its stack.
 */
export function failureText(tool: string, err: unknown, ctx: AppContext): string {
  const failure = classifyError(err, { dbPath: ctx.config.dbPath });
  switch (failure.blame) {
    case 'input':
    case 'upstream':
      return failure.message;
    case 'busy':
      ctx.log(`hindsight: ${tool}: ${failure.message}`);
      return failure.message;
    case 'config':
    case 'environment':
      ctx.log(`hindsight: ${tool}: ${failure.message}`);
      return `${tool} cannot run on this set-up: ${failure.message}. Retrying will not help until that is changed: tell the user.`;
    case 'bug':
      ctx.log(`hindsight: ${tool} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return `${tool} failed unexpectedly: ${failure.message.slice(0, 500)}. This is a hindsight bug; retrying will not help.`;
  }
}
