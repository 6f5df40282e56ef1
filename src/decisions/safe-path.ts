import { existsSync, lstatSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserInputError } from '../errors.js';

/**
 * The repository root the proposal tools write into. A bare repository has no files to write, so it is
 * refused with the fix rather than writing into the git directory.
 */
export function workTreeRoot(repoPath: string): string {
  const root = resolve(repoPath);
  if (isBareRepository(root)) {
    throw new UserInputError(
      `the repository at ${repoPath} is bare (no work tree), so no ADR, rule or skill file can be written there; ` +
        'run hindsight with --repo pointing at a checkout of it',
      'repo',
    );
  }
  if (!isDirectory(root) || !existsSync(join(root, '.git'))) {
    throw new UserInputError(
      `${repoPath} is not a git work tree (no .git); run hindsight with --repo pointing at a checkout`,
      'repo',
    );
  }
  return realpathSync(root);
}

/**
 * Refuses text that tries to act as a path — NUL or control characters, Windows separators, `..` segments,
 * absolute or home paths — instead of silently rewriting it, so the caller learns what was wrong.
 */
export function assertNotAPath(text: string, field: string): void {
  const problem = pathProblem(text);
  if (problem) throw new UserInputError(`${field} ${problem}; use plain words (it only names the file)`, field);
}

/** What makes the text unusable as a repository-relative path, or undefined. */
export function pathProblem(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return 'contains NUL or control characters';
  if (text.includes('\\')) return 'contains a backslash (a Windows path separator)';
  if (/(^|\/)\.\.(\/|$)/.test(text)) return "contains a '..' path segment";
  if (/^\s*(\/|~|[A-Za-z]:)/.test(text)) return 'looks like an absolute path';
  return undefined;
}

/**
 * Resolves a repository-relative path for writing and guarantees it stays inside `folder` (itself inside the
 * root): no `..`, no absolute path, no NUL or backslash, and no symbolic link on the way that leads out.
 */
export function confinedPath(root: string, folder: string, rel: string, field: string): { abs: string; rel: string } {
  const problem = pathProblem(rel) ?? (isAbsolute(rel) ? 'is an absolute path' : undefined);
  if (problem)
    throw new UserInputError(`${field} '${rel}' ${problem}; give a path inside ${folder || 'the repository'}`, field);
  const abs = resolve(root, rel);
  const folderAbs = resolve(root, folder);
  if (!inside(folderAbs, abs) || !inside(root, folderAbs)) {
    throw new UserInputError(
      `${field} '${rel}' is outside ${folder || 'the repository'}; give a path inside it`,
      field,
    );
  }
  // Symbolic links: the nearest existing ancestor (a dangling link counts as existing), resolved, must still be
  // inside the folder when it is at or below it, and inside the root when the folder does not exist yet.
  let probe = abs;
  while (!lexists(probe) && probe !== root) probe = dirname(probe);
  const limit = probe.length >= folderAbs.length ? realOrUndefined(folderAbs) : root;
  const real = realOrUndefined(probe);
  if (!limit || !real || !inside(root, limit) || !inside(limit, real)) {
    throw new UserInputError(
      `${field} '${rel}' leads outside ${folder || 'the repository'} through a symbolic link; refused`,
      field,
    );
  }
  // A link that stays inside (AGENTS.md → CLAUDE.md is common) is written through: the real file is the target.
  const target = probe === abs ? real : abs;
  const targetRel = relative(root, target).split(sep).join('/');
  // git's own folder holds hooks and credentials: no proposal writes there, whatever path or link leads to it.
  if (inGitDir(targetRel)) {
    throw new UserInputError(`${field} '${rel}' leads into .git (${targetRel}); refused`, field);
  }
  return { abs: target, rel: targetRel };
}

/**
 * The real path of `rel` when it exists and, with every symbolic link resolved, stays inside the repository and
 * out of `.git`; undefined otherwise. Readers use it so a link committed to a repository never serves a file
 * from elsewhere on the machine.
 */
export function realPathInRepo(root: string, rel: string): string | undefined {
  const realRoot = realOrUndefined(root);
  const real = realOrUndefined(resolve(root, rel));
  if (!realRoot || !real || !inside(realRoot, real)) return undefined;
  return inGitDir(relative(realRoot, real).split(sep).join('/')) ? undefined : real;
}

/** Reads a repository file through `realPathInRepo`, refusing one that leads outside; `field` names the input. */
export function readInRepo(root: string, rel: string, field: string): string {
  const real = realPathInRepo(root, rel);
  if (!real) {
    throw new UserInputError(
      `${field} '${rel}' is missing or a symbolic link leads it out of the repository (or into .git); refused`,
      field,
    );
  }
  return readFileSync(real, 'utf8');
}

function inGitDir(rel: string): boolean {
  return rel === '.git' || rel.startsWith('.git/');
}

/** A bare git directory: HEAD and objects/ at the top, no .git entry. */
export function isBareRepository(path: string): boolean {
  return !existsSync(join(path, '.git')) && existsSync(join(path, 'HEAD')) && isDirectory(join(path, 'objects'));
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined; // a dangling link
  }
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export function isFile(path: string): boolean {
  return statOf(path)?.isFile() ?? false;
}

export function isDirectory(path: string): boolean {
  return statOf(path)?.isDirectory() ?? false;
}

// Without an exception for an absent path: every log_interrupt asks for decision folders most repositories lack,
// and the ENOENT exception cost more than the stat (benchmark 5's profile).
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // not a directory on the way (ENOTDIR), unreadable
  }
}
