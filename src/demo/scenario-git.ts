import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Identity {
  name: string;
  email: string;
}

/** A message may need the sha of an earlier commit (a revert names what it reverts). */
export type Message = string | ((shaOf: (mark: number) => string) => string);

export interface CommitMeta {
  author: Identity;
  /** Defaults to the author. */
  committer?: Identity;
  /** Unix ms, used for both author and committer dates (UTC). */
  at: number;
  message: Message;
}

interface CommitRecord {
  mark: number;
  ref: string;
  parents: number[];
  meta: CommitMeta;
  files: Map<string, string>;
}

interface Head {
  mark: number | undefined;
  files: Map<string, string>;
}

/**
 * An in-memory model of a git history (branches of path → content snapshots) written out with one
 * `git fast-import` run per segment, so the same model always yields the same shas.
 */
export class DemoRepo {
  private readonly records: CommitRecord[] = [];
  private readonly heads = new Map<string, Head>([['main', { mark: undefined, files: new Map() }]]);

  get commitCount(): number {
    return this.records.length;
  }

  tip(branch = 'main'): number {
    const mark = this.head(branch).mark;
    if (mark === undefined) throw new Error(`branch ${branch} has no commits yet`);
    return mark;
  }

  has(path: string, branch = 'main'): boolean {
    return this.head(branch).files.has(path);
  }

  read(path: string, branch = 'main'): string {
    const content = this.head(branch).files.get(path);
    if (content === undefined) throw new Error(`demo repo: ${path} does not exist on ${branch}`);
    return content;
  }

  /** File contents as of a commit (for line numbers in stack frames, reverts, merges). */
  readAt(mark: number, path: string): string | undefined {
    return this.record(mark).files.get(path);
  }

  /** Creates `name` at the current tip of `from`. */
  branch(name: string, from = 'main'): void {
    const src = this.head(from);
    this.heads.set(name, { mark: src.mark, files: new Map(src.files) });
  }

  /** Commits `changes` (path → content, null deletes) on top of `branch`; returns the commit's mark. */
  commit(branch: string, meta: CommitMeta, changes: Record<string, string | null>): number {
    const head = this.head(branch);
    const files = new Map(head.files);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    return this.push(branch, head.mark === undefined ? [] : [head.mark], meta, files);
  }

  /**
   * A `--no-ff` merge of `from` into `into`. The branches must not have touched the same paths since
   * they diverged (the demo story keeps them apart), so the merge is the union of both sides.
   */
  merge(into: string, from: string, base: number, meta: CommitMeta): number {
    const target = this.head(into);
    const source = this.head(from);
    const baseFiles = this.record(base).files;
    const files = new Map(target.files);
    for (const path of new Set([...baseFiles.keys(), ...source.files.keys()])) {
      const theirs = source.files.get(path);
      if (theirs === baseFiles.get(path)) continue;
      if (target.files.get(path) !== baseFiles.get(path)) throw new Error(`demo merge conflict on ${path}`);
      if (theirs === undefined) files.delete(path);
      else files.set(path, theirs);
    }
    if (target.mark === undefined || source.mark === undefined) throw new Error('demo merge needs two commits');
    const mark = this.push(into, [target.mark, source.mark], meta, files);
    this.heads.delete(from);
    return mark;
  }

  /** Undoes commit `mark` on `branch`; the files it touched must not have changed since. */
  revert(branch: string, mark: number, meta: CommitMeta): number {
    const rec = this.record(mark);
    const parent = rec.parents[0] === undefined ? new Map<string, string>() : this.record(rec.parents[0]).files;
    const head = this.head(branch);
    const changes: Record<string, string | null> = {};
    for (const path of changedPaths(parent, rec.files)) {
      if (head.files.get(path) !== rec.files.get(path)) throw new Error(`demo revert: ${path} changed since`);
      changes[path] = parent.get(path) ?? null;
    }
    return this.commit(branch, meta, changes);
  }

  /**
   * Writes every commit into the (already initialised) repository at `gitDir` and returns mark → sha.
   * Commits whose message needs an earlier sha start a new fast-import segment, once that sha exists.
   */
  write(repoPath: string): Map<number, string> {
    const env = gitEnv();
    const marksFile = join(repoPath, '.git', 'demo-marks');
    const shas = new Map<number, string>();
    const shaOf = (mark: number): string => {
      const sha = shas.get(mark);
      if (!sha) throw new Error(`demo repo: no sha yet for mark ${mark}`);
      return sha;
    };
    let pending: Buffer[] = [];
    const flush = (): void => {
      if (pending.length === 0) return;
      pending.push(Buffer.from('done\n'));
      execFileSync(
        'git',
        [
          'fast-import',
          '--quiet',
          '--done',
          '--date-format=raw',
          `--import-marks-if-exists=${marksFile}`,
          `--export-marks=${marksFile}`,
        ],
        { cwd: repoPath, env, input: Buffer.concat(pending), stdio: ['pipe', 'ignore', 'pipe'] },
      );
      pending = [];
      for (const line of readFileSync(marksFile, 'utf8').split('\n')) {
        const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
        if (m) shas.set(Number(m[1]), m[2] as string);
      }
    };

    for (const rec of this.records) {
      if (typeof rec.meta.message === 'function') flush();
      const message = typeof rec.meta.message === 'function' ? rec.meta.message(shaOf) : rec.meta.message;
      pending.push(this.streamOf(rec, message));
    }
    flush();

    // Feature branches were merged (and deleted) in the model; drop their refs so only main remains.
    const refs = execFileSync('git', ['for-each-ref', '--format=%(refname)', 'refs/heads/'], {
      cwd: repoPath,
      env,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((r) => r && r !== 'refs/heads/main');
    if (refs.length > 0) {
      execFileSync('git', ['update-ref', '--stdin'], {
        cwd: repoPath,
        env,
        input: refs.map((r) => `delete ${r}\n`).join(''),
      });
    }
    execFileSync('git', ['reset', '--hard', '-q', 'main'], { cwd: repoPath, env });
    if (existsSync(marksFile)) rmSync(marksFile);
    return shas;
  }

  private streamOf(rec: CommitRecord, message: string): Buffer {
    const parts: Buffer[] = [];
    const text = (s: string): void => {
      parts.push(Buffer.from(s, 'utf8'));
    };
    const data = (s: string): void => {
      const body = Buffer.from(s, 'utf8');
      text(`data ${body.length}\n`);
      parts.push(body);
      text('\n');
    };
    const committer = rec.meta.committer ?? rec.meta.author;
    const when = `${Math.floor(rec.meta.at / 1000)} +0000`;
    text(`commit ${rec.ref}\nmark :${rec.mark}\n`);
    text(`author ${rec.meta.author.name} <${rec.meta.author.email}> ${when}\n`);
    text(`committer ${committer.name} <${committer.email}> ${when}\n`);
    data(message.endsWith('\n') ? message : `${message}\n`);
    const [first, ...others] = rec.parents;
    if (first !== undefined) text(`from :${first}\n`);
    for (const p of others) text(`merge :${p}\n`);
    const before = first === undefined ? new Map<string, string>() : this.record(first).files;
    for (const path of changedPaths(before, rec.files)) {
      const content = rec.files.get(path);
      if (content === undefined) {
        text(`D ${path}\n`);
      } else {
        text(`M 100644 inline ${path}\n`);
        data(content);
      }
    }
    text('\n');
    return Buffer.concat(parts);
  }

  private push(branch: string, parents: number[], meta: CommitMeta, files: Map<string, string>): number {
    const mark = this.records.length + 1;
    const last = this.records[this.records.length - 1];
    if (last && meta.at < last.meta.at) throw new Error(`demo commits must be added in time order (mark ${mark})`);
    this.records.push({ mark, ref: `refs/heads/${branch}`, parents, meta, files });
    this.head(branch).mark = mark;
    this.head(branch).files = files;
    return mark;
  }

  private head(branch: string): Head {
    const head = this.heads.get(branch);
    if (!head) throw new Error(`demo repo: no branch ${branch}`);
    return head;
  }

  private record(mark: number): CommitRecord {
    const rec = this.records[mark - 1];
    if (!rec) throw new Error(`demo repo: no commit with mark ${mark}`);
    return rec;
  }
}

function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

/** An environment where the machine's git config, time zone and locale cannot change the result. */
export function gitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: devNull,
    GIT_TERMINAL_PROMPT: '0',
    TZ: 'UTC',
    LC_ALL: 'C',
    LANG: 'C',
  };
}

/** `git init` for a demo repository: non-bare, branch main, no machine-specific settings. */
export function initRepo(repoPath: string): void {
  execFileSync('git', ['init', '-q', '-b', 'main', repoPath], { env: gitEnv() });
}
