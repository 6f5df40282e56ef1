import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

export interface CommitSpec {
  /** path → content; null deletes the file */
  files: Record<string, string | null>;
  message: string;
  author?: { name: string; email: string };
  /** ISO date used for both author and committer dates */
  date?: string;
}

export interface GitDir {
  path: string;
  git(...args: string[]): string;
  /** git with author and committer dates set to `date` (ISO): tags, merges and cherry-picks at a known time */
  gitAt(date: string, ...args: string[]): string;
  commit(spec: CommitSpec): string;
  /** a bare clone of this repository */
  bareClone(): string;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'hindsight-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

const DEFAULT_AUTHOR = { name: 'Ada Lovelace', email: 'ada@example.com' };

/** A real git repository in a temp folder (removed after the test file), with a commit helper. */
export function gitdir(): GitDir {
  const path = tempDir();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path, encoding: 'utf8', env: gitEnv() }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', DEFAULT_AUTHOR.name);
  git('config', 'user.email', DEFAULT_AUTHOR.email);
  git('config', 'commit.gpgsign', 'false');
  return {
    path,
    git,
    gitAt: (date, ...args) =>
      execFileSync('git', args, {
        cwd: path,
        encoding: 'utf8',
        env: { ...gitEnv(), GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      }).trim(),
    commit(spec) {
      for (const [rel, content] of Object.entries(spec.files)) {
        const abs = join(path, rel);
        if (content === null) {
          unlinkSync(abs);
        } else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, content);
        }
      }
      git('add', '-A');
      const author = spec.author ?? DEFAULT_AUTHOR;
      const date = spec.date ?? '2026-01-01T00:00:00Z';
      execFileSync('git', ['commit', '-q', '--allow-empty', '-F', '-'], {
        cwd: path,
        input: spec.message,
        env: {
          ...gitEnv(),
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_DATE: date,
        },
      });
      return git('rev-parse', 'HEAD');
    },
    bareClone() {
      const bare = tempDir('hindsight-bare-');
      execFileSync('git', ['clone', '-q', '--bare', path, bare], { env: gitEnv() });
      return bare;
    },
  };
}

function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
}
