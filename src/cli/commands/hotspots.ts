import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { hotspots } from '../../history/hotspots.js';
import { renderHotspots } from '../../history/hotspots-text.js';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';

interface HotspotFlags {
  module?: boolean;
  since?: string;
  limit?: string;
  minRevs?: string;
  minSharedRevs?: string;
  minCoupling?: string;
  json?: boolean;
}

export function registerHotspots(program: Command, makeContext: ContextFactory): void {
  program
    .command('hotspots')
    .description('Hotspots (revisions × lines at HEAD) and change coupling per file or module, by code-maat')
    .option('--module', 'per module instead of per file')
    .option('--since <when>', 'window: 90d, 12w, or a date (2026-01-31); default 90d')
    .option('--limit <n>', 'hotspots and couples listed (default 15)')
    .option('--min-revs <n>', 'coupling: revisions each entity needs (default 5)')
    .option('--min-shared-revs <n>', 'coupling: shared revisions a pair needs (default 5)')
    .option('--min-coupling <percent>', 'coupling: lowest degree listed (default 30)')
    .option('--json', 'print the structured figures')
    .action(async (o: HotspotFlags) => {
      const ctx = makeContext();
      try {
        const now = ctx.clock();
        const h = await hotspots(ctx, {
          now,
          windowDays: windowDays(o.since, now),
          by: o.module ? 'module' : 'file',
          limit: count(o.limit, '--limit', 15),
          ...optional('minRevs', o.minRevs, '--min-revs'),
          ...optional('minSharedRevs', o.minSharedRevs, '--min-shared-revs'),
          ...optional('minCoupling', o.minCoupling, '--min-coupling'),
        });
        if (o.json) outJson(h);
        else out(renderHotspots(h));
      } finally {
        ctx.store.close();
      }
    });
}

/** `90d`, `12w` or a date → whole days back from now. */
export function windowDays(since: string | undefined, now: number): number {
  if (since === undefined) return 90;
  const m = /^(\d{1,5})([dw])$/.exec(since);
  if (m) {
    const days = Number(m[1]) * (m[2] === 'w' ? 7 : 1);
    if (days >= 1) return days;
  } else if (/^\d{4}-\d{2}-\d{2}/.test(since) && Number.isFinite(Date.parse(since)) && Date.parse(since) < now) {
    return Math.max(1, Math.ceil((now - Date.parse(since)) / 86_400_000));
  }
  throw new UserInputError(`--since '${since}' must be a number of days or weeks (90d, 12w) or a past date`, 'since');
}

function count(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10_000)
    throw new UserInputError(`${flag} '${v}' must be a whole number from 0 to 10000`, flag);
  return n;
}

function optional<K extends string>(key: K, v: string | undefined, flag: string): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [key]: count(v, flag, 0) } as Partial<Record<K, number>>);
}
