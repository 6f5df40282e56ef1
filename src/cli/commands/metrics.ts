import type { Command } from 'commander';
import { renderDelivery } from '../../delivery/report-text.js';
import { deliveryMetrics } from '../../delivery/metrics.js';
import { MAX_WINDOW_DAYS } from '../../limits.js';
import { UserInputError } from '../../errors.js';
import type { ContextFactory } from '../main.js';
import { out, outJson } from '../output.js';

interface MetricsFlags {
  env?: string;
  service?: string;
  windowDays?: string;
  agents?: string;
  json?: boolean;
}

export function registerMetrics(program: Command, makeContext: ContextFactory): void {
  program
    .command('metrics')
    .description(
      "DORA's keys (deploy frequency, lead time, change failure rate, recovery time, rework) by author kind and agent",
    )
    .option('--env <name>', 'only this environment (default all)')
    .option('--service <name>', 'only this service (default all)')
    .option('--window-days <n>', 'window ending now (or HINDSIGHT_NOW), compared with the one before (default 30)')
    .option('--agents <n>', 'agents to list, most deploys first (default 10)')
    .option('--json', 'print the structured figures')
    .action((o: MetricsFlags) => {
      const windowDays = wholeNumber(o.windowDays, '--window-days', 30, 1, MAX_WINDOW_DAYS);
      const agentLimit = wholeNumber(o.agents, '--agents', 10, 0, 100);
      const ctx = makeContext();
      try {
        const m = deliveryMetrics(ctx, { now: ctx.clock(), windowDays, env: o.env, service: o.service, agentLimit });
        if (o.json) outJson(m);
        else out(renderDelivery(m));
      } finally {
        ctx.store.close();
      }
    });
}

function wholeNumber(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserInputError(`${flag} '${value}' must be a whole number from ${min} to ${max}`, flag);
  }
  return n;
}
