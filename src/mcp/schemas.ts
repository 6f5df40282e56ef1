import { z } from 'zod';
import { LIMITS } from '../limits.js';

/**
 * An ISO 8601 date or date-time, checked at the door so handlers can Date.parse it safely. Its length bound lives in
 * the check rather than in a maxLength: "an ISO date" already says how long it is, and tools/list is paid per word.
 */
export const isoDate = z
  .string()
  .refine((s) => s.length <= LIMITS.date && /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO date such as 2026-03-01 or 2026-03-01T12:00:00Z',
  });

/** A repository path as a caller names it. */
export const repoPath = z.string().min(1).max(LIMITS.path);

/** An id or a name: agent, author, module, environment, incident id. */
export const nameText = z.string().min(1).max(LIMITS.name);

/** How many evidence reasons to keep per listed item: default answers stay small, an agent asks for more. */
export function reasonsInput(byDefault: number, item: string) {
  return z.number().int().min(1).max(10).default(byDefault).describe(`per ${item}`);
}

/** Keeps the first `n` reasons of each item. */
export function firstReasons<T extends { reasons: string[] }>(items: T[], n: number): T[] {
  return items.map((item) => ({ ...item, reasons: item.reasons.slice(0, n) }));
}

/** The note a write tool adds when it ignored an `agent` argument because the caller's token names another. */
export function ignoredName(other: string, agent: string | undefined): string {
  return `agent '${other}' ignored: your token says you are '${agent ?? ''}', so this is recorded as yours`;
}
