import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserInputError } from '../errors.js';

/** One file a proposal writes: a new file (never clobbers), or a replacement of a file whose text we read. */
export interface FileChange {
  abs: string;
  /** Repository-relative, forward slashes (for messages). */
  rel: string;
  content: string;
  /** `create`: fails if the file appears meanwhile. `replace`: fails if the file no longer holds `original`. */
  mode: 'create' | 'replace';
  original?: string;
  /** Runs once every file is in place; throwing takes them all back (e.g. a number taken meanwhile). */
  check?: () => void;
}

/**
 * Files written to temporary names next to their targets, put in place by `commit()` (inside the caller's
 * database transaction) and taken back by `rollback()` if the transaction fails, so a proposal never leaves a
 * half-written file or a file without its database row.
 */
export class StagedFiles {
  private readonly temps = new Map<FileChange, string>();
  private readonly createdDirs: string[] = [];
  private readonly committed: FileChange[] = [];

  constructor(private readonly changes: readonly FileChange[]) {
    try {
      for (const change of changes) {
        this.makeDir(dirname(change.abs));
        const temp = join(
          dirname(change.abs),
          `.${basename(change.abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
        );
        writeFileSync(temp, change.content, { flag: 'wx' });
        this.temps.set(change, temp);
      }
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  /** Puts every staged file in place; on failure takes back the ones already placed and throws. */
  commit(): void {
    try {
      for (const change of this.changes) {
        const temp = this.temps.get(change)!;
        if (change.mode === 'create') {
          placeNew(temp, change);
        } else {
          const now = existsSync(change.abs) ? readFileSync(change.abs, 'utf8') : undefined;
          if (now !== change.original) {
            throw new UserInputError(
              `${change.rel} changed while hindsight was writing it; nothing was written, retry`,
            );
          }
          chmodSync(temp, statSync(change.abs).mode);
          renameSync(temp, change.abs);
        }
        this.temps.delete(change);
        this.committed.push(change);
      }
      for (const change of this.changes) change.check?.();
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  /** Undoes placed files (new ones removed, replaced ones restored), removes temps and the folders we made. */
  rollback(): void {
    for (const change of this.committed.splice(0).reverse()) {
      try {
        if (change.mode === 'create') unlinkSync(change.abs);
        else writeFileSync(change.abs, change.original ?? '');
      } catch {
        // Best effort: the original error is the one worth reporting.
      }
    }
    this.cleanup();
    for (const dir of this.createdDirs.splice(0).reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty (someone else wrote there meanwhile): leave it.
      }
    }
  }

  /** Removes any temp file still lying around. */
  cleanup(): void {
    for (const temp of this.temps.values()) {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
    this.temps.clear();
  }

  private makeDir(dir: string): void {
    const missing: string[] = [];
    for (let d = dir; !existsSync(d); d = dirname(d)) missing.push(d);
    if (missing.length === 0) return;
    mkdirSync(dir, { recursive: true });
    this.createdDirs.push(...missing.reverse());
  }
}

// A hard link creates the name only if it is free, atomically; copying with COPYFILE_EXCL is the fallback for
// file systems without hard links.
function placeNew(temp: string, change: FileChange): void {
  try {
    linkSync(temp, change.abs);
    unlinkSync(temp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new UserInputError(`${change.rel} already exists; hindsight never overwrites a file, nothing was written`);
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw err;
    try {
      copyFileSync(temp, change.abs, constants.COPYFILE_EXCL);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UserInputError(
          `${change.rel} already exists; hindsight never overwrites a file, nothing was written`,
        );
      }
      throw copyErr;
    }
    unlinkSync(temp);
  }
}
