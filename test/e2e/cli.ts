import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built binary: `npm test` builds first, so the e2e tests exercise what users run. */
export const MAIN_JS = join(import.meta.dirname, '../../dist/bundle/main.js');

export function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run 'npm run build' (npm test does it first)`);
}

export function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  assertBuilt();
  const res = spawnSync(process.execPath, [MAIN_JS, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}
