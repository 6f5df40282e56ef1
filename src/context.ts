import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { ModuleMapper } from './modules.js';
import { openStore, type Db } from './store/open.js';

/** Everything a domain function needs, injected so tests can build one over a temp repo and database. */
export interface AppContext {
  store: Db;
  config: Config;
  modules: ModuleMapper;
  /** unix ms */
  clock: () => number;
  /** Progress and diagnostics; never stdout (stdout belongs to JSON-RPC in stdio mode). */
  log: (message: string) => void;
}

export function createContext(config: Config, options: { log?: (m: string) => void; store?: Db } = {}): AppContext {
  const store = options.store ?? openStore(config.dbPath);
  const fixed = config.now;
  return {
    store,
    config,
    modules: new ModuleMapper(config.modules, readCodeowners(config.repoPath)),
    clock: fixed !== undefined ? () => fixed : () => Date.now(),
    log: options.log ?? ((m) => process.stderr.write(`${m}\n`)),
  };
}

/** CODEOWNERS in any of the places GitHub and GitLab look; undefined when absent (or a bare repo). */
export function readCodeowners(repoPath: string): string | undefined {
  for (const rel of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS']) {
    const p = join(repoPath, rel);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return undefined;
}
