// PostgreSQL behind the engine interface, synchronous like better-sqlite3: a worker thread owns the `pg` connection
// and every call waits for its answer (SharedArrayBuffer + Atomics.wait, the synckit pattern). One code path for
// both engines: the store and domain stay synchronous, and horizontal scale comes from several processes.
import { createRequire } from 'node:module';
import type * as Threads from 'node:worker_threads';
import type { MessagePort, Worker } from 'node:worker_threads';
import { bindValues, translatePlaceholders, type Translated } from './placeholders.js';
import type { BindArgs, EngineDb, RunResult, Statement, Transaction, TxFn } from './types.js';
import { redactUrl } from './postgres-url.js';
import { WORKER_SOURCE } from './postgres-worker.js';

export interface PostgresOptions {
  /** Server-side limit per statement (SET statement_timeout); the caller also stops waiting a little after it. */
  statementTimeoutMs?: number;
}

/** SQLSTATEs after which a whole transaction is run again: serialization_failure, deadlock_detected. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 3;
/** pg_advisory_xact_lock key of immediate/exclusive transactions: one at a time per database, as in SQLite. */
const WRITE_LOCK_KEY = 0x68696e64; // 'hind'

/**
 * The locks a transaction takes first. Immediate: the database-wide write lock, exclusively. A scope (see
 * scopedTransaction): the database-wide lock shared — so immediate transactions still exclude it — and the scope's
 * key, exclusively: writers of different scopes run at once.
 */
function lockSql(scope: string | null): string {
  if (scope === null) return `SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`;
  return `SELECT pg_advisory_xact_lock_shared(${WRITE_LOCK_KEY}), pg_advisory_xact_lock(${WRITE_LOCK_KEY}, ${scopeKey(scope)})`;
}

/** A scope's advisory key: 32-bit FNV-1a of its text (a collision only makes two scopes wait for each other). */
function scopeKey(scope: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < scope.length; i++) {
    h ^= scope.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PostgresError';
  }
}

interface Reply {
  ok: boolean;
  result?: { rows?: Record<string, unknown>[]; rowCount?: number; fields?: string[] };
  error?: { message: string; code?: string; detail?: string };
}

export class PostgresDb implements EngineDb {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly receiveMessageOnPort: typeof Threads.receiveMessageOnPort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly waitMs: number;
  private readonly names = new Map<string, string>();
  private readonly translated = new Map<string, Translated>();
  private depth = 0;
  /** BEGIN and its locks, sent with the transaction's first statement rather than as a round trip of its own */
  private pendingBegin: string | undefined;
  private seq = 0;
  private closed = false;
  readonly url: string;

  constructor(url: string, options: PostgresOptions = {}) {
    this.url = url;
    const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
    this.waitMs = statementTimeoutMs + 15_000;
    // Loaded here, not imported: a server on SQLite starts without it (~5 ms, bench/FINDINGS.md §3).
    const require = createRequire(import.meta.url);
    const { MessageChannel, Worker, receiveMessageOnPort } = require('node:worker_threads') as typeof Threads;
    this.receiveMessageOnPort = receiveMessageOnPort;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const pgPath = require.resolve('pg');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Not the parent's flags: under `node --input-type=module -e …` the worker's CommonJS source would be read
      // as a module (no `require`), die before it answers, and every call would wait out its timeout.
      execArgv: [],
      workerData: { port: port2, flag: this.flag, url, statementTimeoutMs, pgPath },
      transferList: [port2],
    });
    this.worker.unref();
    try {
      this.call({ op: 'connect' });
    } catch (err) {
      void this.worker.terminate();
      throw new PostgresError(
        `cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message.replaceAll(url, redactUrl(url))}`,
        (err as PostgresError).code,
      );
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  get open(): boolean {
    return !this.closed;
  }

  /**
   * One request to the worker, waited for synchronously. The reply is found by its id: an ingest of util-linux on a
   * loaded machine once found call 40,936's reply where 40,937's was due (the earlier call had given up on an empty
   * port), so an empty port means "not yet" — wait again, briefly — and an earlier call's reply is dropped rather
   * than taken for this one's. No answer in time (the server's statement timeout is shorter, so the server or the network is
   * gone): the connection is closed, since its state — a transaction half done — can no longer be trusted.
   */
  call(msg: Record<string, unknown>): NonNullable<Reply['result']> {
    if (this.closed) throw new TypeError('The database connection is not open');
    const id = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...msg, id });
    const deadline = performance.now() + this.waitMs;
    for (let first = true; ; first = false) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.closed = true;
        void this.worker.terminate();
        throw new PostgresError(
          `PostgreSQL did not answer within ${this.waitMs} ms; this connection is closed, reopen the database`,
          '57014',
        );
      }
      // After an empty look, poll: the flag was reset, and a reply posted just before that reset set it already.
      Atomics.wait(this.flag, 0, 0, first ? left : Math.min(left, 1));
      for (let m = this.receive(); m !== undefined; m = this.receive()) {
        if (m.id !== id) continue; // a reply to a call that gave up on it
        if (!m.ok) throw new PostgresError(m.error!.message, m.error!.code, m.error!.detail);
        return m.result!;
      }
      Atomics.store(this.flag, 0, 0);
    }
  }

  private receive(): (Reply & { id?: number }) | undefined {
    return this.receiveMessageOnPort(this.port)?.message as (Reply & { id?: number }) | undefined;
  }

  /** Runs a translated statement as a named (server-side prepared) statement of this connection. */
  query(t: Translated, values: unknown[]): { rows: Record<string, unknown>[]; rowCount: number } {
    let name = this.names.get(t.text);
    if (name === undefined) this.names.set(t.text, (name = `h${this.names.size}`));
    const r = this.call({ op: 'query', text: t.text, values, name, before: this.takeBegin() });
    const rows = r.rows ?? [];
    for (const row of rows) fixRow(row, t.aliases);
    return { rows, rowCount: r.rowCount ?? 0 };
  }

  /** The value the last sequence (identity) drawn on this connection returned; 0 before any. */
  lastval(): number {
    const { rows } = this.query(this.translate('SELECT lastval() AS id'), []);
    return Number(rows[0]?.id ?? 0);
  }

  private translate(sql: string): Translated {
    let t = this.translated.get(sql);
    if (!t) this.translated.set(sql, (t = translatePlaceholders(sql)));
    return t;
  }

  prepare(sql: string): Statement {
    return new PostgresStatement(this, sql, this.translate(sql));
  }

  exec(sql: string): this {
    this.simple(sql);
    return this;
  }

  transaction<F extends TxFn>(fn: F): Transaction<F> {
    const run =
      (lock: string | undefined) =>
      (...args: unknown[]): ReturnType<F> =>
        this.runTransaction(lock, () => fn(...args) as ReturnType<F>);
    const immediate = run(lockSql(null));
    return Object.assign(run(undefined), {
      deferred: run(undefined),
      immediate,
      exclusive: immediate,
    }) as Transaction<F>;
  }

  /**
   * A write transaction that excludes only the other writers of `scope` (and every immediate transaction), where an
   * immediate one excludes all writers: for writes whose conflicts the caller can name (store/interrupts.ts:
   * interruptWriteLock). Inside a transaction it is a savepoint of it.
   */
  scopedTransaction<R>(scope: string, fn: () => R): R {
    return this.runTransaction(lockSql(scope), fn);
  }

  private simple(sql: string): void {
    const begin = this.takeBegin();
    this.call({ op: 'exec', text: begin === undefined ? sql : `${begin}; ${sql}` });
  }

  private takeBegin(): string | undefined {
    const begin = this.pendingBegin;
    this.pendingBegin = undefined;
    return begin;
  }

  private runTransaction<R>(lock: string | undefined, body: () => R): R {
    if (this.depth > 0) {
      const sp = `s${this.depth}`;
      this.simple(`SAVEPOINT ${sp}`);
      this.depth++;
      try {
        const r = checkSync(body());
        this.simple(`RELEASE SAVEPOINT ${sp}`);
        return r;
      } catch (err) {
        this.simple(`ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`);
        throw err;
      } finally {
        this.depth--;
      }
    }
    for (let attempt = 1; ; attempt++) {
      this.pendingBegin = lock === undefined ? 'BEGIN' : `BEGIN; ${lock}`;
      this.depth = 1;
      try {
        const r = checkSync(body());
        // Nothing ran: nothing was begun.
        if (this.takeBegin() === undefined) this.simple('COMMIT');
        return r;
      } catch (err) {
        // A failed BEGIN or lock leaves no transaction: PostgreSQL answers the ROLLBACK with a warning only.
        if (this.takeBegin() === undefined && this.open) this.simple('ROLLBACK');
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && RETRYABLE_SQLSTATES.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw err;
      } finally {
        this.depth = 0;
      }
    }
  }

  pragma(source: string): unknown {
    throw new PostgresError(`PRAGMA ${source} is SQLite-only; PostgreSQL has no equivalent here`, undefined);
  }

  close(): this {
    if (this.closed) return this;
    try {
      this.call({ op: 'end' });
    } finally {
      this.closed = true;
      void this.worker.terminate();
    }
    return this;
  }
}

function checkSync<R>(r: R): R {
  if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function')
    throw new TypeError('Transaction function cannot return a promise');
  return r;
}

/** Aliases back as written, and bytea values (Uint8Array after the thread hop) as Buffers like better-sqlite3's. */
function fixRow(row: Record<string, unknown>, aliases: Map<string, string>): void {
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const as = aliases.get(k);
    if (as !== undefined && as !== k) {
      row[as] = row[k];
      delete row[k];
    }
  }
}

class PostgresStatement implements Statement {
  private plucked = false;
  /** Decided once per statement, not per run(): only an INSERT has a last insert id to ask for. */
  private readonly isInsert: boolean;
  constructor(
    private readonly db: PostgresDb,
    readonly source: string,
    private readonly t: Translated,
  ) {
    this.isInsert = /^\s*INSERT\b/i.test(source);
  }

  pluck(toggle = true): this {
    this.plucked = toggle;
    return this;
  }

  private rows(args: BindArgs): unknown[] {
    const { rows } = this.db.query(this.t, bindValues(this.t, args));
    return this.plucked ? rows.map((r) => Object.values(r)[0]) : rows;
  }

  run(...args: BindArgs): RunResult {
    const { rows, rowCount } = this.db.query(this.t, bindValues(this.t, args));
    const first = rows[0];
    if (first !== undefined) {
      const id = 'id' in first ? first.id : Object.values(first)[0];
      return { changes: rowCount, lastInsertRowid: typeof id === 'number' || typeof id === 'bigint' ? id : 0 };
    }
    // No RETURNING: as SQLite's last_insert_rowid, the identity this connection's last INSERT drew (lastval()),
    // asked only when read — read it right after the insert, as with SQLite.
    const db = this.db;
    const isInsert = this.isInsert;
    return {
      changes: rowCount,
      get lastInsertRowid(): number {
        if (!isInsert || rowCount === 0) return 0;
        return db.lastval();
      },
    };
  }

  get(...args: BindArgs): unknown {
    return this.rows(args)[0];
  }

  all(...args: BindArgs): unknown[] {
    return this.rows(args);
  }

  iterate(...args: BindArgs): IterableIterator<unknown> {
    return this.rows(args)[Symbol.iterator]();
  }
}
