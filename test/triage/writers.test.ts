import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../../src/context.js';
import { getCluster } from '../../src/store/clusters.js';
import { insertClustered, planCluster } from '../../src/triage/clusters.js';
import { interruptWriteLock } from '../../src/store/interrupts.js';
import { immediateTransaction } from '../../src/store/write-lock.js';
import { logInterrupt, prepareEntry } from '../../src/triage/interrupts.js';
import { assertBuilt } from '../e2e/cli.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext, testEngine } from '../helpers/context.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const PATHS = ['src/payments/gateway.ts'];

describe('log_interrupt with other writers', () => {
  it('joins the cluster another writer started after its snapshot instead of starting a second one', () => {
    const repo = gitdir().path;
    const a = testContext(repo);
    const b = createContext(a.config, { log: () => {} }); // a second connection to the same file
    const entry = {
      kind: 'interrupt' as const,
      category: 'missing_context',
      categorySource: 'given' as const,
      summary: 'Which idempotency key does a gateway charge retry send?',
      detail: null,
      paths: PATHS,
      module: a.modules.moduleOf(PATHS[0]!),
      agent: 'claude',
      taskId: null,
      sessionId: null,
      source: 'agent' as const,
      createdAt: T0 + 1000,
      respondedAt: null,
      resolvedAt: null,
      response: null,
      redactions: 0,
      externalId: null,
    };
    // Writer A plans on an empty store: nothing to join yet.
    const plan = planCluster(a.store, entry);
    expect(plan.scores.size).toBe(0);
    // Meanwhile writer B logs the same problem and starts a cluster.
    const first = logInterrupt(b, {
      kind: 'interrupt',
      category: 'missing_context',
      summary: 'Does a retried gateway charge reuse its idempotency key?',
      paths: PATHS,
      agent: 'codex',
      source: 'agent',
      createdAt: T0,
    });
    expect(first.cluster.created).toBe(true);
    expect(first.module).toBe(entry.module);
    // A writes under the lock: it scores what B added since its snapshot and joins B's cluster.
    const assigned = a.store.transaction(() => insertClustered(a.store, entry, plan))();
    expect(assigned).toMatchObject({ clusterId: first.cluster.id, created: false });
    expect(assigned.similar.map((s) => s.entry.id)).toEqual([first.id]);
    expect(getCluster(a.store, first.cluster.id)!.size).toBe(2);
    expect((a.store.prepare('SELECT count(*) AS n FROM clusters').get() as { n: number }).n).toBe(1);
    b.store.close();
  });

  // PostgreSQL only: there writers of different modules run at once (SQLite has one writer at a time, so another
  // module's write cannot commit while this one is open).
  it.runIf(testEngine === 'postgres')(
    "joins a same-module writer's cluster although another module's writer committed a larger id meanwhile",
    () => {
      const repo = gitdir().path;
      const a = testContext(repo);
      const b = createContext(a.config, { log: () => {} });
      const c = createContext(a.config, { log: () => {} });
      const entry = (ctx: AppContext, summary: string, path: string, at: number) =>
        prepareEntry(ctx, {
          kind: 'interrupt',
          category: 'missing_context',
          summary,
          paths: [path],
          source: 'agent',
          createdAt: at,
        }).fields;
      const problem = 'Does a retried gateway charge reuse its idempotency key?';
      const fromB = entry(b, problem, PATHS[0]!, T0);
      const fromA = entry(a, 'Which idempotency key does a gateway charge retry send?', PATHS[0]!, T0 + 1000);
      const lock = interruptWriteLock(b.store, fromB.module);
      expect(lock).toEqual({ scope: `interrupts:${fromB.module}`, planUnderLock: false });
      const planB = planCluster(b.store, fromB);
      let planA: ReturnType<typeof planCluster> | undefined;
      // B has written the new problem but not committed when a writer of another module commits (a larger id) and
      // A, of B's module, reads its snapshot: it sees neither B's entry nor, through the newest id, a gap before it.
      const inB = immediateTransaction(
        b.store,
        () => {
          const written = insertClustered(b.store, fromB, planB);
          // Another category too: writers of one day and category update the same rollup row, and wait for each
          // other's commit there.
          const other = logInterrupt(c, {
            kind: 'interrupt',
            category: 'tool_failure',
            summary: 'The nightly search reindex crashed rebuilding the first index',
            paths: ['src/search/index.ts'],
            source: 'agent',
            createdAt: T0 + 500,
          });
          expect(other.id).toBeGreaterThan(written.entryId); // another module's writer did not wait for B
          planA = planCluster(a.store, fromA);
          return written;
        },
        lock.scope,
      );
      expect(planA!.scores.has(inB.clusterId)).toBe(false);
      const assigned = immediateTransaction(a.store, () => insertClustered(a.store, fromA, planA!), lock.scope);
      expect(assigned).toMatchObject({ clusterId: inB.clusterId, created: false, size: 2 });
      expect(getCluster(a.store, inB.clusterId)!.size).toBe(2);
      b.store.close();
      c.store.close();
    },
  );

  it(
    'loses and duplicates no row when processes write at once, and cluster sizes match their members',
    { timeout: 120_000 },
    async () => {
      assertBuilt();
      const repo = gitdir().path;
      const ctx = testContext(repo); // migrates the file before the writers start
      const dbPath = ctx.config.dbPath;
      const dist = (p: string) => pathToFileURL(join(import.meta.dirname, '../../dist', p)).href;
      // Each writer first logs the same new problem as every other (the race for one new cluster), then its own.
      const script = `
        import { createInterface } from 'node:readline';
        const { loadConfig } = await import(${JSON.stringify(dist('config.js'))});
        const { createContext } = await import(${JSON.stringify(dist('context.js'))});
        const { logInterrupt } = await import(${JSON.stringify(dist('triage/interrupts.js'))});
        const [db, repo, writer] = process.argv.slice(1);
        const ctx = createContext(loadConfig({ cwd: repo, env: {}, flags: { db, repo } }), { log: () => {} });
        process.stdout.write('ready\\n');
        await new Promise((go) => createInterface({ input: process.stdin }).once('line', go));
        const ids = [];
        const topics = ['webhook signature secret rotation', 'search index rebuild timeout', 'refund ledger rounding'];
        for (let i = 0; i < ${PER_WRITER}; i++) {
          const summary = i === 0
            ? 'checkout gateway charge retry idempotency key reuse'
            : 'writer ' + writer + ': ' + topics[i % 3] + ' question ' + i;
          ids.push(logInterrupt(ctx, { kind: 'interrupt', category: 'missing_context', summary,
            paths: ['src/payments/gateway.ts'], agent: 'agent-' + writer, taskId: 'task-' + writer,
            source: 'agent', createdAt: Date.now() }).id);
        }
        process.stdout.write(JSON.stringify(ids) + '\\n');
        process.stdin.destroy();
        ctx.store.close();
      `;
      const kids = Array.from({ length: WRITERS }, (_, i) =>
        spawn(process.execPath, ['--input-type=module', '-e', script, dbPath, repo, String(i + 1)], {
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      const lines = kids.map((k) => createInterface({ input: k.stdout }));
      await Promise.all(lines.map((l) => new Promise((ready) => l.once('line', ready))));
      const done = lines.map((l) => new Promise<number[]>((ok) => l.once('line', (s) => ok(JSON.parse(s)))));
      for (const k of kids) k.stdin.write('go\n');
      const ids = (await Promise.all(done)).flat();
      await Promise.all(
        kids.map((k) => new Promise((exit) => (k.exitCode !== null ? exit(k.exitCode) : k.once('exit', exit)))),
      );

      const db = ctx.store;
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(ids).toHaveLength(WRITERS * PER_WRITER);
      expect(new Set(ids).size).toBe(ids.length);
      expect(count('SELECT count(*) AS n FROM interrupts')).toBe(ids.length);
      expect(count('SELECT count(*) AS n FROM interrupts WHERE cluster_id IS NULL')).toBe(0);
      // Every cluster's size is its member count, and none is empty.
      expect(
        db
          .prepare(
            `SELECT c.id, c.size, (SELECT count(*) FROM interrupts i WHERE i.cluster_id = c.id) AS members FROM clusters c`,
          )
          .all()
          .filter((r) => (r as { size: number; members: number }).size !== (r as { members: number }).members),
      ).toEqual([]);
      expect(count('SELECT count(*) AS n FROM clusters WHERE size = 0')).toBe(0);
      // The same new problem from every writer at once landed in one cluster, not one per writer.
      expect(
        count(
          "SELECT count(DISTINCT cluster_id) AS n FROM interrupts WHERE summary = 'checkout gateway charge retry idempotency key reuse'",
        ),
      ).toBe(1);
      // The rollups the report reads agree with the rows.
      expect(count('SELECT sum(n) AS n FROM interrupt_days')).toBe(ids.length);
    },
  );
});

const WRITERS = 4;
const PER_WRITER = 30;
