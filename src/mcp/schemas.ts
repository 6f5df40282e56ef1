import { z } from 'zod';

/** An ISO 8601 date or date-time, checked at the door so handlers can Date.parse it safely. */
export const isoDate = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
  message: 'must be an ISO date such as 2026-03-01 or 2026-03-01T12:00:00Z',
});
