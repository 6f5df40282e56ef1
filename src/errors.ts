/**
 * Errors by who acts on them. Doors (MCP, CLI) turn each kind into the right answer through `classifyError`:
 * input and config errors go back to the caller with a fix; a busy database asks for a retry; environment and
 * upstream errors say what to change and whether a retry helps; anything else is a bug and surfaces with its cause.
 */

/** The caller sent something wrong. The message names the field and says how to fix the call. */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The configuration (file, env, flags) is wrong. The person who set hindsight up acts on it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Something outside us (git, GitHub, the file system) failed. `retryable` says whether trying again helps. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly upstream: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${upstream}: ${message}`, options);
  }
}

/**
 * The machine hindsight runs on is not as it needs to be (the database file, its permissions, its schema version).
 * The operator acts on it; the message says what to change.
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** One rejected row of an import, located by file and line so the user can fix it. */
export interface RowProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** An import found bad rows and wrote nothing. */
export class ImportRejectedError extends UserInputError {
  constructor(readonly problems: RowProblem[]) {
    super(
      `${problems.length} invalid row(s), nothing was written:\n` +
        problems
          .slice(0, 50)
          .map((p) => `  ${p.file}:${p.line} ${p.field}: ${p.message}`)
          .join('\n') +
        (problems.length > 50 ? `\n  … and ${problems.length - 50} more` : '') +
        '\nFix the rows, or pass --skip-invalid to import the valid rows and list the rest.',
    );
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Who acts on a failure. */
export type Blame = 'input' | 'config' | 'busy' | 'environment' | 'upstream' | 'bug';

export interface ClassifiedError {
  blame: Blame;
  /** For the person or agent who acts: what went wrong and what to do about it. */
  message: string;
  /** The CLI's exit code, as the README promises: 2 input or config, 3 busy, environment or upstream, 1 a bug. */
  exitCode: 1 | 2 | 3;
}

/** What a classification may name: the database the failing call used. */
export interface ErrorSetting {
  dbPath?: string;
}

/**
 * Sorts any thrown value by who acts on it. Besides our own error classes it knows SQLite's result codes
 * (better-sqlite3's `SqliteError.code`), file-system error codes, and the engine limits that only a huge input can
 * reach, so a locked or foreign database file is never reported as a hindsight bug.
 */
export function classifyError(err: unknown, setting: ErrorSetting = {}): ClassifiedError {
  if (err instanceof UserInputError) return { blame: 'input', message: err.message, exitCode: 2 };
  if (err instanceof ConfigError) return { blame: 'config', message: err.message, exitCode: 2 };
  if (err instanceof EnvironmentError) return { blame: 'environment', message: err.message, exitCode: 3 };
  // The store's lock timeout (DatabaseBusyError, an upstream 'database' error) keeps SQLite's code as its cause.
  const coded = err instanceof UpstreamError && err.upstream === 'database' && err.retryable ? err.cause : err;
  if (err instanceof UpstreamError && coded === err) {
    return {
      blame: 'upstream',
      message: `${err.message}${err.retryable ? ' (temporary: try again)' : ''}`,
      exitCode: 3,
    };
  }
  const code = typeof (coded as { code?: unknown })?.code === 'string' ? (coded as { code: string }).code : '';
  const message = errorMessage(err);
  const db = setting.dbPath ? `the database ${setting.dbPath}` : 'the database';
  const environment = (text: string): ClassifiedError => ({ blame: 'environment', message: text, exitCode: 3 });
  const input = (text: string): ClassifiedError => ({ blame: 'input', message: text, exitCode: 2 });

  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return {
      blame: 'busy',
      message: `${db} is busy: another hindsight process is writing it (${code}); retry in a moment`,
      exitCode: 3,
    };
  }
  if (code === 'SQLITE_NOTADB') {
    return environment(
      `${db} is not a SQLite database (${code}): point --db (or HINDSIGHT_DB) at a hindsight database, or move the file away so a new one is created`,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return environment(
      `${db} cannot be written (${code}): make the file and its folder writable by this user, or point --db (or HINDSIGHT_DB) at a writable path`,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return environment(
      `${db} cannot be opened (${code}): check that its folder exists and is writable, or point --db (or HINDSIGHT_DB) elsewhere`,
    );
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return environment(`the disk is full (${code}): free some space, then run the command again`);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_IOERR')) {
    return environment(
      `${db} could not be read (${code}: ${message}): restore it from a copy, or move it away and ingest again`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return environment(`permission denied (${code}: ${message}): make the path writable by this user, or use another`);
  }
  if (code === 'EMFILE' || code === 'ENFILE') {
    return environment(`too many open files (${code}): raise the limit (ulimit -n) or close other programs`);
  }
  // Engine limits that only a huge argument reaches: the caller can fix them by sending less.
  if (code === 'SQLITE_TOOBIG' || /LIKE or GLOB pattern too complex|string or blob too big/i.test(message)) {
    return input(`an argument is too large to search or store (${message}); shorten it`);
  }
  if (err instanceof SyntaxError && /^Invalid regular expression/.test(message)) {
    return input(`an argument is too large or malformed to match on (${message.slice(0, 120)}); shorten it`);
  }
  return { blame: 'bug', message, exitCode: 1 };
}
