import type { Command } from 'commander';
import { UserInputError } from '../errors.js';

/** The command line as typed (commander keeps only the last value of a repeated global option). */
export function rawArgs(cmd: Command): string[] {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
}

/** Every `--repo X` / `--repo=X` on the line, with its position. */
export function repoFlags(argv: readonly string[]): { value: string; at: number }[] {
  const found: { value: string; at: number }[] = [];
  argv.forEach((arg, i) => {
    const value = arg === '--repo' ? argv[i + 1] : arg.startsWith('--repo=') ? arg.slice(7) : undefined;
    if (value !== undefined) found.push({ value, at: i });
  });
  return found;
}

/** `--at`-style flags: an ISO date-time with a zone (or a date, read as UTC midnight) → unix ms. */
export function parseWhen(value: string, flag: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value);
  const ms = Date.parse(value);
  if (!ok || Number.isNaN(ms)) {
    throw new UserInputError(`${flag} '${value}' is not an ISO date-time; use e.g. 2026-03-01T14:30:00Z`, flag);
  }
  return ms;
}

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** `30s`, `5m`, `12h`, `90d`, `2w`, `1y` or `0` → milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d{1,6})([smhdwy])?$/.exec(value.trim());
  if (!m || (m[2] === undefined && m[1] !== '0')) {
    throw new UserInputError(`${flag} '${value}' is not a duration; use e.g. 30s, 5m, 12h, 90d, 1y (or 0)`, flag);
  }
  return Number(m[1]) * (m[2] ? UNIT_MS[m[2]]! : 0);
}
