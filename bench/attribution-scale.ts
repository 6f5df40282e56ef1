// Benchmark 6: attribution time against the number of incidents (issue 13). One org-scale database (gen-org.ts)
// holds the largest size; each smaller size is a copy trimmed to its first N incidents, which span the same three
// years, so the incidents per day grow with N as they would in a growing organisation.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { refreshAttribution } from '../src/attribution/refresh.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { openStore, type Db } from '../src/store/open.js';
import { ORG_NOW, orgDatabase, type OrgScale } from './gen-org.js';
import { loadIntoPostgres } from './postgres.js';

export interface AttributionRun {
  incidents: number;
  /** wall time */
  ms: number;
  /** CPU time of this process (user + system): the figure to compare on a shared machine */
  cpuMs: number;
  links: number;
  /** the same incidents attributed again right after: nothing is pending, so this is the no-op cost */
  noopMs: number;
}

export interface AttributionScaleResult {
  scale: OrgScale;
  runs: AttributionRun[];
}

/**
 * Attributes the first N incidents of a generated database from scratch (no links, every incident pending), for
 * each N in `sizes`, with the CLI's domain function in process.
 */
export async function measureAttributionScale(options: {
  work: string;
  repo: string;
  scale: OrgScale;
  sizes: number[];
  /** a fresh PostgreSQL database to run on instead of a SQLite copy */
  postgres?: (label: string) => Promise<string>;
  log: (m: string) => void;
}): Promise<AttributionScaleResult> {
  const { work, scale, log } = options;
  const cached = join(work, `org-attribution-${scale.commits}-${scale.incidents}.db`);
  orgDatabase(cached, scale, log);
  const runs: AttributionRun[] = [];
  for (const n of options.sizes) {
    const copy = await trimmedCopy({ cached, work, incidents: n, postgres: options.postgres, log });
    const db = openStore(copy.target);
    const config = {
      ...loadConfig({ cwd: options.repo, env: {}, flags: { db: copy.target } }),
      now: Date.parse(ORG_NOW),
    };
    const ctx = createContext(config, { store: db, log: () => {} });
    log(`  attributing ${n} incidents …`);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const res = await refreshAttribution(ctx, { all: true });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const again = performance.now();
    await refreshAttribution(ctx);
    const noopMs = performance.now() - again;
    log(`    ${(ms / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU, ${res.links} links`);
    runs.push({ incidents: n, ms, cpuMs, links: res.links, noopMs });
    db.close();
    copy.remove();
  }
  return { scale, runs };
}

/**
 * A copy of a generated database trimmed to its first `incidents` incidents (keepIncidents, on SQLite): the SQLite
 * file itself, or with `postgres` its rows loaded into a fresh PostgreSQL database (the file removed again).
 */
export async function trimmedCopy(o: {
  cached: string;
  work: string;
  incidents: number;
  postgres?: ((label: string) => Promise<string>) | undefined;
  log: (m: string) => void;
}): Promise<{ target: string; remove: () => void }> {
  const path = join(o.work, `trimmed-${process.pid}.db`);
  const remove = () => ['', '-wal', '-shm'].forEach((s) => rmSync(path + s, { force: true }));
  remove();
  copyFileSync(o.cached, path);
  const db = openStore(path);
  keepIncidents(db, o.incidents);
  db.close();
  if (!o.postgres) return { target: path, remove };
  try {
    const url = await o.postgres(`org_${o.incidents}`);
    await loadIntoPostgres(path, url, o.log);
    return { target: url, remove: () => {} };
  } finally {
    remove();
  }
}

/**
 * Keeps the first `n` incidents without links, as an import leaves them. Their fixes become root-cause shas: the
 * generated repositories exist only in the database, so blaming a fix (git) would time process spawns, not
 * attribution; a root cause exercises the same confirmation paths (recurrence, earlier occurrences).
 */
export function keepIncidents(db: Db, n: number): void {
  // The module_incidents triggers would recompute per deleted row: off for the trim, rebuilt after.
  const triggers = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'module_incidents_%'")
    .all() as { name: string; sql: string }[];
  db.transaction(() => {
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    db.prepare('DELETE FROM incident_links').run();
    db.prepare('DELETE FROM incident_files WHERE incident_id > ?').run(n);
    db.prepare('DELETE FROM incidents WHERE id > ?').run(n);
    db.prepare('UPDATE incidents SET root_cause_sha = fix_sha, fix_sha = NULL WHERE fix_sha IS NOT NULL').run();
    db.exec(`DELETE FROM module_incidents;
      INSERT OR IGNORE INTO module_incidents(module, started_at, incident_id, basis)
        SELECT module, started_at, id, 'named' FROM incidents WHERE module IS NOT NULL
        UNION SELECT f.module, i.started_at, i.id, 'named' FROM incidents i JOIN incident_files f ON f.incident_id = i.id;`);
    for (const t of triggers) db.exec(t.sql);
  })();
}
