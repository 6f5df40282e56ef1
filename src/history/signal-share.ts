import type { Db } from '../store/open.js';
import { metricTotalsByModule, type SignalMetric } from '../store/signals.js';
import { DAY_MS } from './change-stats.js';

/** Days of signals a module's share of traffic and cost is read over. */
export const SHARE_DAYS = 30;
const SHARED: readonly { metric: SignalMetric; label: string }[] = [
  { metric: 'requests', label: 'requests' },
  { metric: 'cost', label: 'cost' },
];

/**
 * "payments: 9 % of requests, 41 % of cost (last 30 days of signals)": what a module weighs in production, from the
 * ingested request counts and costs mapped to it. Undefined when no such signals were ingested at all.
 */
export function productionShare(db: Db, module: string, now: number, days = SHARE_DAYS): string | undefined {
  const parts: string[] = [];
  let any = false;
  for (const { metric, label } of SHARED) {
    const rows = metricTotalsByModule(db, metric, now - days * DAY_MS, now + 1);
    const total = rows.reduce((n, r) => n + r.total, 0);
    if (total <= 0) continue;
    any = true;
    const own = rows.find((r) => r.module === module)?.total ?? 0;
    parts.push(`${percent(own / total)} of ${label}`);
  }
  if (!any) return undefined;
  const basis = `last ${days} days of signals`;
  return parts.every((p) => p.startsWith('0 %'))
    ? `${module}: no requests or cost mapped here (${basis}; label series module=…)`
    : `${module}: ${parts.join(', ')} (${basis})`;
}

function percent(x: number): string {
  const p = x * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : Math.round(p * 10) / 10} %`;
}
