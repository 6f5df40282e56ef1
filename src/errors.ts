/**
 * Errors by who acts on them. Doors (MCP, CLI) turn each kind into the right answer:
 * input and config errors go back to the caller with a fix; upstream errors name the upstream
 * and whether a retry helps; anything else is a bug and surfaces with its cause.
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
