import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppContext } from '../../src/context.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';

/** The fixed clock of the proposal tests. */
export const NOW = Date.parse('2026-03-02T09:30:00Z');

/** A real git work tree holding these files (not committed: proposals only need the work tree). */
export function repoWith(files: Record<string, string> = {}): string {
  const g = gitdir();
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(g.path, rel)), { recursive: true });
    writeFileSync(join(g.path, rel), text);
  }
  return g.path;
}

export const ctxAt = (root: string) => testContext(root, { now: NOW });

export interface SeedEntry {
  summary: string;
  at: string;
  kind?: 'interrupt' | 'correction';
  paths?: string[];
}

/**
 * A cluster and its interrupts, written with plain SQL against the migrated schema (the triage store is another
 * room's code; these tests only need the rows).
 */
export function seedCluster(
  ctx: AppContext,
  c: { category: string; module?: string; label: string; terms?: string[]; paths?: string[]; entries: SeedEntry[] },
): { clusterId: number; interruptIds: number[] } {
  const times = c.entries.map((e) => Date.parse(e.at));
  const clusterId = Number(
    ctx.store
      .prepare(
        `INSERT INTO clusters (category, module, label, terms, paths, size, first_at, last_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.category,
        c.module ?? '',
        c.label,
        JSON.stringify(c.terms ?? c.label.split(' ')),
        JSON.stringify(c.paths ?? []),
        c.entries.length,
        Math.min(...times),
        Math.max(...times),
      ).lastInsertRowid,
  );
  const insert = ctx.store.prepare(
    `INSERT INTO interrupts (kind, category, category_source, summary, paths, module, source, created_at, cluster_id)
     VALUES (?, ?, 'given', ?, ?, ?, 'human', ?, ?)`,
  );
  const interruptIds = c.entries.map((e) =>
    Number(
      insert.run(
        e.kind ?? 'interrupt',
        c.category,
        e.summary,
        JSON.stringify(e.paths ?? c.paths ?? []),
        c.module ?? '',
        Date.parse(e.at),
        clusterId,
      ).lastInsertRowid,
    ),
  );
  return { clusterId, interruptIds };
}

export function fixRow(ctx: AppContext, id: number) {
  return ctx.store.prepare('SELECT * FROM fixes WHERE id = ?').get(id) as
    | {
        id: number;
        type: string;
        title: string;
        path: string;
        status: string;
        cluster_id: number | null;
        evidence: string;
      }
    | undefined;
}

export function clusterRow(ctx: AppContext, id: number) {
  return ctx.store.prepare('SELECT fix_id, covered_at FROM clusters WHERE id = ?').get(id) as {
    fix_id: number | null;
    covered_at: number | null;
  };
}

export function interruptFixIds(ctx: AppContext, ids: number[]): (number | null)[] {
  return ids.map(
    (id) =>
      (ctx.store.prepare('SELECT fix_id FROM interrupts WHERE id = ?').get(id) as { fix_id: number | null }).fix_id,
  );
}

export function countFixes(ctx: AppContext): number {
  return (ctx.store.prepare('SELECT count(*) AS n FROM fixes').get() as { n: number }).n;
}
