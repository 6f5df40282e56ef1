// SQLite-style parameters (`?`, `@name`) → PostgreSQL's `$n`, once per statement. A single left-to-right scan
// (linear time, no regular expression over the SQL) that leaves quoted text, quoted identifiers, comments and
// dollar-quoted bodies alone, and does not mistake `::` casts or `@>`-style operators for parameters.

export interface Translated {
  text: string;
  /** For $1…$n in order: the index of a positional argument, or the name of a named one. */
  slots: (number | string)[];
  /** How many `?` the statement has (better-sqlite3 refuses a call with another count). */
  positional: number;
  /** Lower-cased alias → the alias as written after AS: PostgreSQL folds unquoted aliases, SQLite keeps them. */
  aliases: Map<string, string>;
}

const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdent = (c: string) => isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';

export function translatePlaceholders(sql: string): Translated {
  let out = '';
  const slots: (number | string)[] = [];
  const named = new Map<string, number>();
  const aliases = new Map<string, string>();
  let positional = 0;
  let afterAs = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closeQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
      afterAs = false;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const end = close === -1 ? n : close + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$' && (i === 0 || !isIdent(sql[i - 1]!)) && !/[0-9]/.test(sql[i + 1] ?? '')) {
      // $tag$ … $tag$ (PL/pgSQL bodies): copied as is.
      const tagEnd = sql.indexOf('$', i + 1);
      const tag = tagEnd === -1 ? '' : sql.slice(i, tagEnd + 1);
      const isTag = tagEnd !== -1 && [...tag.slice(1, -1)].every(isIdent);
      const close = isTag ? sql.indexOf(tag, tagEnd + 1) : -1;
      const end = close === -1 ? i + 1 : close + tag.length;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '?') {
      slots.push(positional++);
      out += `$${slots.length}`;
      i++;
    } else if (c === '@' && isIdentStart(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && isIdent(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      let slot = named.get(name);
      if (slot === undefined) {
        slots.push(name);
        named.set(name, (slot = slots.length));
      }
      out += `$${slot}`;
      i = j;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdent(sql[j]!)) j++;
      const word = sql.slice(i, j);
      if (afterAs && word !== word.toLowerCase()) aliases.set(word.toLowerCase(), word);
      afterAs = word.toUpperCase() === 'AS';
      out += word;
      i = j;
    } else {
      if (c !== ' ' && c !== '\n' && c !== '\t' && c !== '\r') afterAs = false;
      out += c;
      i++;
    }
  }
  return { text: out, slots, positional, aliases };
}

/** The index just past the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closeQuote(sql: string, start: number, q: string): number {
  let i = start + 1;
  for (;;) {
    const next = sql.indexOf(q, i);
    if (next === -1) return sql.length;
    if (sql[next + 1] === q) i = next + 2;
    else return next + 1;
  }
}

/** The values for $1…$n from better-sqlite3-style arguments: positional values (or arrays of them) and one object. */
export function bindValues(t: Translated, args: unknown[]): unknown[] {
  const positional: unknown[] = [];
  let named: Record<string, unknown> | undefined;
  for (const a of args) {
    if (Array.isArray(a)) positional.push(...(a as unknown[]));
    else if (a !== null && typeof a === 'object' && !(a instanceof Uint8Array)) named = a as Record<string, unknown>;
    else positional.push(a);
  }
  if (positional.length !== t.positional)
    throw new RangeError(`Too ${positional.length < t.positional ? 'few' : 'many'} parameter values were provided`);
  return t.slots.map((s) => {
    if (typeof s === 'number') return positional[s];
    if (!named || !(s in named)) throw new RangeError(`Missing named parameter "${s}"`);
    return named[s];
  });
}
