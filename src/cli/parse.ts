import { UserInputError } from '../errors.js';

/** `--at`-style flags: an ISO date-time with a zone (or a date, read as UTC midnight) → unix ms. */
export function parseWhen(value: string, flag: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value);
  const ms = Date.parse(value);
  if (!ok || Number.isNaN(ms)) {
    throw new UserInputError(`${flag} '${value}' is not an ISO date-time; use e.g. 2026-03-01T14:30:00Z`, flag);
  }
  return ms;
}
