// The budget table of bench/RESULTS.md: one row per figure, a column per engine, the PostgreSQL / SQLite ratio and
// a verdict per engine. A benchmark that failed on one engine shows its error in that engine's cell.
import { ratio } from './stats.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];
export const ENGINE_NAME: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** A measured figure: `value` for the ratio, `text` as shown, `ok` against the budget (undefined: no budget). */
export interface Figure {
  value: number;
  text: string;
  ok?: boolean;
}

interface Row {
  budget: string;
  cells: Partial<Record<Engine, Figure | { error: string }>>;
}

export const verdict = (ok: boolean | undefined): string => (ok === undefined ? '–' : ok ? '✅ met' : '❌ not met');

/** Error text short enough for a table cell, without the pipes that would split it. */
export const cellError = (err: unknown): string =>
  withoutCredentials(err instanceof Error ? err.message : String(err))
    .split('\n')[0]!
    .replace(/\|/g, '/')
    .slice(0, 200);

/** A PostgreSQL URL's user and password never reach RESULTS.md (HINDSIGHT_BENCH_PG_URL may be a real server's). */
export const withoutCredentials = (text: string): string => text.replace(/(postgres(?:ql)?:\/\/)[^\s@/]*@/gi, '$1***@');

export class Budgets {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly engines: readonly Engine[]) {}

  add(engine: Engine, label: string, budget: string, figure: Figure): void {
    this.row(label, budget).cells[engine] = figure;
  }

  /** The benchmark (or one of its rows) could not run on `engine`. */
  fail(engine: Engine, label: string, budget: string, err: unknown): void {
    this.row(label, budget).cells[engine] = { error: cellError(err) };
  }

  private row(label: string, budget: string): Row {
    let r = this.rows.get(label);
    if (!r) this.rows.set(label, (r = { budget, cells: {} }));
    return r;
  }

  render(): string[] {
    const both = this.engines.length === 2;
    const head = both
      ? [
          '| benchmark | budget | SQLite | PostgreSQL | PostgreSQL / SQLite | SQLite verdict | PostgreSQL verdict |',
          '| --- | --- | ---: | ---: | ---: | --- | --- |',
        ]
      : [`| benchmark | budget | ${ENGINE_NAME[this.engines[0]!]} | verdict |`, '| --- | --- | ---: | --- |'];
    const lines = [...head];
    for (const [label, r] of this.rows) {
      const cell = (e: Engine) => {
        const c = r.cells[e];
        return !c ? 'not run' : 'error' in c ? `failed: ${c.error}` : c.text;
      };
      const ok = (e: Engine) => {
        const c = r.cells[e];
        return !c ? '–' : 'error' in c ? '❌ failed' : verdict(c.ok);
      };
      if (!both) {
        const e = this.engines[0]!;
        lines.push(`| ${label} | ${r.budget} | ${cell(e)} | ${ok(e)} |`);
        continue;
      }
      const a = r.cells.sqlite;
      const b = r.cells.postgres;
      const x = a && b && !('error' in a) && !('error' in b) && a.value > 0 ? ratio(b.value / a.value) : '–';
      lines.push(
        `| ${label} | ${r.budget} | ${cell('sqlite')} | ${cell('postgres')} | ${x} | ${ok('sqlite')} | ${ok('postgres')} |`,
      );
    }
    return lines;
  }
}
