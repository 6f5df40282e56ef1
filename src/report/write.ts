import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import { dashboardData } from './data.js';
import { renderDashboard } from './html.js';

/** The dashboard page for the span ending at the context's clock. */
export async function dashboardHtml(ctx: AppContext, windowDays = 90): Promise<string> {
  return renderDashboard(await dashboardData(ctx, { now: ctx.clock(), windowDays }));
}

/** Writes the dashboard to `file` whole or not at all (a temp file beside it, then a rename); answers its size. */
export async function writeDashboard(ctx: AppContext, file: string, windowDays = 90): Promise<{ bytes: number }> {
  const html = await dashboardHtml(ctx, windowDays);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, html);
  } catch (err) {
    throw new UserInputError(
      `cannot write ${file}: ${(err as Error).message}; pass --html with a path in a folder you can write`,
      'html',
      { cause: err },
    );
  }
  renameSync(tmp, file);
  return { bytes: Buffer.byteLength(html) };
}
