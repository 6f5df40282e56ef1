import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { recurringCountBetween, reportClusterCounts } from '../../src/store/clusters.js';
import { countEntries, rebuildTriageRollups, responseTimes, wholeDays } from '../../src/store/interrupts.js';
import { computeKpis, median, percentile, selectMedian, selectPercentile } from '../../src/triage/kpis.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';

// The report reads rollups and index-only aggregates instead of the window's rows. Each test here checks one of
// them against the plain definition computed in JS from every row, over windows whose edges fall on, just before
// and just after UTC midnights.

const DAY = 86_400_000;
const H = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const CATEGORIES = ['missing_context', 'policy_gap', 'tool_failure', 'ambiguous_spec', 'other'];

/** A deterministic pseudo-random source (the tests must not change from run to run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Row {
  id: number;
  kind: string;
  category: string;
  createdAt: number;
  respondedAt: number | null;
  clusterId: number;
  taskId: string;
}

/** ~600 entries over 20 days in 12 clusters (some fixed), 40 tasks; rows written with plain SQL. */
function seed(ctx: AppContext): void {
  const random = rng(42);
  const db = ctx.store;
  const fix = db.prepare(
    `INSERT INTO fixes (type, title, path, status, created_at, merged_at) VALUES ('adr', ?, ?, ?, ?, ?)`,
  );
  const cluster = db.prepare(
    `INSERT INTO clusters (category, module, label, size, first_at, last_at, fix_id, covered_at) VALUES (?, '', ?, 0, ?, ?, ?, ?)`,
  );
  for (let c = 1; c <= 12; c++) {
    const fixed = c % 3 === 0;
    const fixId = fixed
      ? Number(
          fix.run(`fix ${c}`, `docs/${c}.md`, c === 9 ? 'rejected' : 'proposed', T0 + c * DAY, null).lastInsertRowid,
        )
      : null;
    cluster.run(CATEGORIES[c % 5], `cluster ${c}`, T0, T0, fixId, fixed && c % 2 === 0 ? T0 + (c + 3) * DAY : null);
  }
  const task = db.prepare(
    `INSERT INTO tasks (id, agent, started_at, finished_at, outcome, updated_at) VALUES (?, 'claude', ?, ?, ?, ?)`,
  );
  for (let t = 1; t <= 40; t++) {
    const start = T0 + Math.floor(random() * 20 * DAY);
    const done = random() < 0.8;
    task.run(
      `t${t}`,
      start,
      done ? start + Math.floor(random() * 3 * DAY) : null,
      done ? (t % 4 ? 'completed' : 'failed') : null,
      start,
    );
  }
  const entry = db.prepare(
    `INSERT INTO interrupts (kind, category, category_source, summary, module, source, created_at, responded_at,
       cluster_id, task_id) VALUES (?, ?, 'given', 'x', '', 'agent', ?, ?, ?, ?)`,
  );
  const grow = db.prepare(
    `UPDATE clusters SET size = size + 1, first_at = CASE WHEN @at < first_at THEN @at ELSE first_at END,
       last_at = CASE WHEN @at > last_at THEN @at ELSE last_at END WHERE id = @id`,
  );
  for (let i = 0; i < 600; i++) {
    // Midnights and the milliseconds around them on purpose: that is where a day rollup could miscount.
    const day = Math.floor(random() * 20);
    const r = random();
    const at = T0 + day * DAY + (r < 0.1 ? 0 : r < 0.2 ? DAY - 1 : r < 0.25 ? 1 : Math.floor(random() * DAY));
    const c = 1 + Math.floor(random() ** 2 * 12);
    const answered = random() < 0.6;
    entry.run(
      random() < 0.75 ? 'interrupt' : 'correction',
      CATEGORIES[Math.floor(random() * 5)],
      at,
      answered ? at + Math.floor(random() * 3 * DAY) : null,
      c,
      `t${1 + Math.floor(random() * 45)}`, // some name tasks never recorded
    );
    grow.run({ at, id: c });
  }
}

function rows(ctx: AppContext): Row[] {
  return ctx.store
    .prepare(
      `SELECT id, kind, category, created_at AS createdAt, responded_at AS respondedAt, cluster_id AS clusterId,
              task_id AS taskId FROM interrupts`,
    )
    .all() as Row[];
}

/** Windows with edges on, before and after midnights, inside a day, and across the whole data. */
function windows(): [number, number][] {
  const random = rng(7);
  const out: [number, number][] = [
    [T0, T0 + 7 * DAY],
    [T0 - 1, T0 + 7 * DAY - 1],
    [T0 + 1, T0 + 7 * DAY + 1],
    [T0 + 3 * DAY + 5 * H, T0 + 3 * DAY + 9 * H],
    [T0 + 3 * DAY - 1, T0 + 4 * DAY],
    [T0 - 30 * DAY, T0 + 60 * DAY],
  ];
  for (let i = 0; i < 20; i++) {
    const since = T0 + Math.floor(random() * 20 * DAY) - (i % 3) * 1;
    out.push([since, since + 1 + Math.floor(random() * 10 * DAY)]);
  }
  return out;
}

const inWindow = (t: number, since: number, until: number) => t > since && t <= until;

describe('window aggregates equal their definition over the rows', () => {
  const ctx = testContext(gitdir().path);
  seed(ctx);
  const all = rows(ctx);

  it('counts entries by kind and category from whole days plus the partial days at the edges', () => {
    for (const [since, until] of windows()) {
      const inside = all.filter((r) => inWindow(r.createdAt, since, until));
      const got = countEntries(ctx.store, since, until);
      expect(got.interrupts).toBe(inside.filter((r) => r.kind === 'interrupt').length);
      expect(got.corrections).toBe(inside.filter((r) => r.kind === 'correction').length);
      for (const c of CATEGORIES)
        expect(got.byCategory.get(c) ?? 0).toBe(inside.filter((r) => r.category === c).length);
    }
  });

  it('finds the whole days of a window', () => {
    expect(wholeDays(T0, T0 + DAY)).toBeUndefined(); // (T0, T0 + DAY] misses T0 itself
    expect(wholeDays(T0 - 1, T0 + DAY - 1)).toEqual({ first: T0 / DAY, last: T0 / DAY });
    expect(wholeDays(T0 - 1, T0 + DAY - 2)).toBeUndefined();
    expect(wholeDays(T0 + 5, T0 + 3 * DAY)).toEqual({ first: T0 / DAY + 1, last: T0 / DAY + 2 });
  });

  it('reads waits and ages as the definition has them: an answer after the window ends is still waiting', () => {
    for (const [since, until] of windows()) {
      const inside = all.filter((r) => r.kind === 'interrupt' && inWindow(r.createdAt, since, until));
      const answered = inside
        .filter((r) => r.respondedAt !== null && r.respondedAt <= until)
        .map((r) => r.respondedAt! - r.createdAt);
      const ages = inside
        .filter((r) => !(r.respondedAt !== null && r.respondedAt <= until))
        .map((r) => until - r.createdAt);
      const got = responseTimes(ctx.store, since, until);
      expect(got.answered).toBe(answered.length);
      expect([...got.values.subarray(0, got.answered)].sort((a, b) => a - b)).toEqual(answered.sort((a, b) => a - b));
      expect([...got.values.subarray(got.answered)].sort((a, b) => a - b)).toEqual(ages.sort((a, b) => a - b));
    }
  });

  it('counts recurring clusters (and covered ones) for the current, previous and recurrence windows at once', () => {
    const clusters = ctx.store
      .prepare(
        `SELECT c.id, c.category, c.first_at AS firstAt, c.last_at AS lastAt, c.covered_at AS coveredAt,
                f.status, f.created_at AS fixAt FROM clusters c LEFT JOIN fixes f ON f.id = c.fix_id`,
      )
      .all() as {
      id: number;
      category: string;
      firstAt: number;
      lastAt: number;
      coveredAt: number | null;
      status: string | null;
      fixAt: number | null;
    }[];
    const covered = (c: (typeof clusters)[number], at: number) =>
      c.status !== null && c.status !== 'rejected' && (c.coveredAt ?? c.fixAt!) <= at;
    const counts = (since: number, until: number) =>
      new Map(
        clusters.map((c) => [
          c.id,
          all.filter((r) => r.clusterId === c.id && inWindow(r.createdAt, since, until)).length,
        ]),
      );
    const order = (n: Map<number, number>) => (a: (typeof clusters)[number], b: (typeof clusters)[number]) =>
      n.get(b.id)! - n.get(a.id)! || b.lastAt - a.lastAt || a.id - b.id;
    for (const [since, until] of windows()) {
      for (const minEntries of [1, 2, 5]) {
        const prevSince = since - (until - since);
        const recurSince = Math.max(since, until - 3 * DAY);
        const cur = counts(since, until);
        const prev = counts(prevSince, since);
        const recur = counts(recurSince, until);
        const got = reportClusterCounts(ctx.store, { since, until, prevSince, recurSince, minEntries, top: 3 });
        const recurringNow = clusters.filter((c) => cur.get(c.id)! >= minEntries);
        const recurringBefore = clusters.filter((c) => prev.get(c.id)! >= minEntries);
        expect(got.current).toEqual({
          recurring: recurringNow.length,
          covered: recurringNow.filter((c) => covered(c, until)).length,
        });
        expect(got.previous).toEqual({
          recurring: recurringBefore.length,
          covered: recurringBefore.filter((c) => covered(c, since)).length,
        });
        expect(recurringCountBetween(ctx.store, prevSince, since, minEntries)).toEqual(got.previous);
        expect(got.top.map((c) => [c.id, c.count])).toEqual(
          clusters
            .filter((c) => cur.get(c.id)! >= 1)
            .sort(order(cur))
            .slice(0, 3)
            .map((c) => [c.id, cur.get(c.id)]),
        );
        expect(got.recurringUncovered.map((c) => [c.id, c.count])).toEqual(
          clusters
            .filter((c) => recur.get(c.id)! >= minEntries && !covered(c, until))
            .sort(order(recur))
            .map((c) => [c.id, recur.get(c.id)]),
        );
      }
    }
  });

  it('counts finished and autonomous tasks from the maintained entry counts', () => {
    const tasks = ctx.store.prepare('SELECT id, started_at AS s, finished_at AS f, outcome FROM tasks').all() as {
      id: string;
      s: number;
      f: number | null;
      outcome: string | null;
    }[];
    for (const [since, until] of windows()) {
      const k = computeKpis(ctx.store, since, until);
      const finished = tasks.filter(
        (t) => t.f !== null && inWindow(t.f, since, until) && inWindow(t.s, since - 30 * DAY, until),
      );
      const autonomous = finished.filter((t) => t.outcome === 'completed' && !all.some((r) => r.taskId === t.id));
      expect(k.counts.tasksStarted).toBe(tasks.filter((t) => inWindow(t.s, since, until)).length);
      expect(k.counts.tasksFinished).toBe(finished.length);
      expect(k.counts.tasksAutonomous).toBe(autonomous.length);
    }
  });

  it('keeps the rollups right through updates, deletes and late task records, and rebuilds them', () => {
    const db = ctx.store;
    const snapshot = () => ({
      days: db.prepare('SELECT day, kind, category, n FROM interrupt_days WHERE n <> 0 ORDER BY 1, 2, 3').all(),
      tasks: db.prepare('SELECT id, entries FROM tasks ORDER BY id').all(),
    });
    db.prepare("UPDATE interrupts SET created_at = created_at + ?, kind = 'correction' WHERE id % 7 = 0").run(DAY / 2);
    db.prepare("UPDATE interrupts SET category = 'other', task_id = 't3' WHERE id % 11 = 0").run();
    db.prepare('DELETE FROM interrupts WHERE id % 13 = 0').run();
    // t41–t45 were named by entries before they were recorded
    db.prepare(`INSERT INTO tasks (id, started_at, updated_at) VALUES ('t43', ?, ?)`).run(T0, T0);
    const maintained = snapshot();
    expect((db.prepare("SELECT entries FROM tasks WHERE id = 't43'").get() as { entries: number }).entries).toBe(
      (db.prepare("SELECT count(*) AS n FROM interrupts WHERE task_id = 't43'").get() as { n: number }).n,
    );
    rebuildTriageRollups(db);
    expect(snapshot()).toEqual(maintained);
    const now = rows(ctx);
    const got = countEntries(db, T0 - 1, T0 + 30 * DAY);
    expect(got.interrupts + got.corrections).toBe(now.length);
  });
});

describe('linear-time median and percentile', () => {
  it('equal the sorting ones, duplicates and even counts included', () => {
    const random = rng(3);
    for (let n = 1; n < 60; n++) {
      const values = Array.from({ length: n }, () => Math.floor(random() * (n % 3 === 0 ? 4 : 1000)));
      expect(selectMedian(Float64Array.from(values))).toBe(median(values));
      for (const q of [0.1, 0.5, 0.9, 1])
        expect(selectPercentile(Float64Array.from(values), q)).toBe(percentile(values, q));
    }
    expect(selectMedian(new Float64Array(0))).toBeNull();
  });
});
