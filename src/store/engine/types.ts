// The part of a database connection the store modules use, as one interface for both engines. It is the subset of
// better-sqlite3's API that src/store calls today (prepare/run/get/all/iterate/pluck, transaction with
// deferred/immediate/exclusive, exec, pragma, close), so a store module switches to it by changing one import.

/** `?` positional values, or one object of `@name` values (better-sqlite3's binding rules). */
export type BindArgs = unknown[];

export interface RunResult {
  changes: number;
  /** SQLite: the rowid of the last insert. PostgreSQL: the `id` (else first) column of RETURNING's first row, else 0. */
  lastInsertRowid: number | bigint;
}

export interface Statement {
  readonly source: string;
  run(...params: BindArgs): RunResult;
  get(...params: BindArgs): unknown;
  all(...params: BindArgs): unknown[];
  iterate(...params: BindArgs): IterableIterator<unknown>;
  /** Rows become their first column's value. */
  pluck(toggle?: boolean): this;
}

/** A function run in one transaction; nested calls become savepoints (better-sqlite3's semantics). */
export type TxFn = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
type Args<F extends TxFn> = F extends (...args: infer A) => unknown ? A : never;

export interface Transaction<F extends TxFn> {
  (...args: Args<F>): ReturnType<F>;
  deferred(...args: Args<F>): ReturnType<F>;
  /** Takes the write lock first: one immediate transaction at a time per database, on both engines. */
  immediate(...args: Args<F>): ReturnType<F>;
  exclusive(...args: Args<F>): ReturnType<F>;
}

export interface EngineDb {
  prepare(sql: string): Statement;
  exec(sql: string): this;
  transaction<F extends TxFn>(fn: F): Transaction<F>;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): this;
  readonly inTransaction: boolean;
  readonly open: boolean;
}

export type EngineKind = 'sqlite' | 'postgres';
