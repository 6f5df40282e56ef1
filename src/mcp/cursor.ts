import { z } from 'zod';
import { UserInputError } from '../errors.js';

/**
 * Page cursors. A cursor is the sort key of the last item a page showed, so the next page starts strictly after it:
 * pages of one ordering neither repeat nor skip an item, whatever the page size, and items added meanwhile do not
 * shift the pages already read (an offset would). Opaque to the caller (base64url JSON), tagged with the list it
 * pages so a cursor from another tool or list is refused.
 */
const MAX_CURSOR = 200;

/** The `cursor` input: its bound is checked where it is decoded (tools/list is paid per word). */
export const cursorInput = z.string().optional().describe('nextCursor');

export function encodeCursor(list: string, key: readonly number[]): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

/** The key `encodeCursor(list, key)` was given; a clear error naming `cursor` for anything else. */
export function decodeCursor(cursor: string, list: string, length: number): number[] {
  const refuse = () =>
    new UserInputError(
      `cursor '${cursor.slice(0, 40)}' is not a nextCursor this call returned: pass the previous answer's nextCursor unchanged, or omit cursor for the first page`,
      'cursor',
    );
  if (cursor.length > MAX_CURSOR || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed[0] !== list || parsed.length !== length + 1) throw refuse();
  const key = parsed.slice(1);
  if (!key.every((k): k is number => typeof k === 'number' && Number.isFinite(k))) throw refuse();
  return key;
}
