// Line-level edit helpers for the demo repository's files. Each one fails loudly when its anchor is
// missing or ambiguous, so a story edit can never silently land on the wrong line.

function lines(content: string): string[] {
  return content.split('\n');
}

function indexOfUnique(all: string[], line: string, what: string): number {
  const first = all.indexOf(line);
  if (first < 0) throw new Error(`demo edit: ${what} not found: ${JSON.stringify(line)}`);
  if (all.indexOf(line, first + 1) >= 0) throw new Error(`demo edit: ${what} is not unique: ${JSON.stringify(line)}`);
  return first;
}

/** Replaces the one line equal to `from` with `to` (which may hold several lines). */
export function replaceLine(content: string, from: string, to: string): string {
  const all = lines(content);
  const i = indexOfUnique(all, from, 'line to replace');
  all.splice(i, 1, ...to.split('\n'));
  return all.join('\n');
}

/** Replaces a block of consecutive lines (given as one string) with `to`. */
export function replaceBlock(content: string, from: string, to: string): string {
  const first = content.indexOf(from);
  if (first < 0) throw new Error(`demo edit: block not found: ${JSON.stringify(from.slice(0, 60))}`);
  if (content.indexOf(from, first + 1) >= 0) throw new Error(`demo edit: block is not unique`);
  return content.slice(0, first) + to + content.slice(first + from.length);
}

/** Inserts `block` before the one line equal to `anchor`. */
export function insertBefore(content: string, anchor: string, block: string): string {
  const all = lines(content);
  const i = indexOfUnique(all, anchor, 'anchor');
  all.splice(i, 0, ...block.split('\n'));
  return all.join('\n');
}

/** Inserts `block` after the one line equal to `anchor`. */
export function insertAfter(content: string, anchor: string, block: string): string {
  const all = lines(content);
  const i = indexOfUnique(all, anchor, 'anchor');
  all.splice(i + 1, 0, ...block.split('\n'));
  return all.join('\n');
}

/** Inserts `block` before the last line equal to `anchor` (e.g. the closing `});` of a describe). */
export function insertBeforeLast(content: string, anchor: string, block: string): string {
  const all = lines(content);
  const i = all.lastIndexOf(anchor);
  if (i < 0) throw new Error(`demo edit: anchor not found: ${JSON.stringify(anchor)}`);
  all.splice(i, 0, ...block.split('\n'));
  return all.join('\n');
}

/** 1-based line and column of the first line containing `needle` (for realistic stack frames). */
export function locate(content: string, needle: string): { line: number; column: number } {
  const all = lines(content);
  const i = all.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`demo locate: ${JSON.stringify(needle)} not found`);
  return { line: i + 1, column: (all[i] as string).indexOf(needle) + 1 };
}

/** mulberry32: a tiny seeded PRNG, so every "random" choice is the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY0 = Date.UTC(2026, 5, 1); // Monday 2026-06-01, day 0 of the demo

/** Unix ms of demo day `d` (0 = 2026-06-01) at hh:mm UTC. */
export const at = (d: number, hh: number, mm = 0): number => DAY0 + d * 86_400_000 + (hh * 60 + mm) * 60_000;

/** ISO 8601 in UTC without milliseconds, e.g. 2026-08-31T12:00:00Z. */
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
