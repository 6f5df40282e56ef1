import { spawn } from 'node:child_process';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectAuthorship, parseTrailers } from '../attribution/identity.js';
import { readCodeowners, type AppContext } from '../context.js';
import { UpstreamError, UserInputError, errorMessage } from '../errors.js';
import { ModuleMapper } from '../modules.js';
import { keepCommitStatistics, optimizeStatistics, withBulkLoad } from '../store/bulk-load.js';
import {
  commitWriter,
  countCommits,
  type CommitWriter,
  hasCommits,
  lastCommitRowid,
  rebuildModuleRollups,
  refreshModuleRollups,
  relabelCommitFileModules,
  resolvePendingFixes,
  type NewCommit,
} from '../store/commits.js';
import { resolveCommitPrefix } from '../store/incidents.js';
import { getMeta, restoreDeferredIndexes, setMeta, type Db } from '../store/open.js';
import { inTransaction, withTransaction } from '../store/transaction.js';
import { ensureRepo, getRepoTips, setLastIngestedAt, setRepoTips } from '../store/repos.js';
import { immediateTransaction } from '../store/write-lock.js';
import { gitStdout } from '../git-reader.js';
import { exclusively } from './lease.js';
import { LOG_ARGS, LogParser, type RawCommit } from './log-parser.js';

export interface IngestGitOptions {
  /** Work tree or bare git dir; default `ctx.config.repoPath`. */
  repoPath?: string;
  /** Called with the number of commits read so far, about every 5,000 commits. */
  onProgress?: (n: number) => void;
  /**
   * About how long one chunk holds the write lock, ms (default CHUNK_MS). `serve --http` runs its ingest with a
   * shorter one: a tool call that writes meanwhile waits for the lock.
   */
  batchMs?: number;
}

export interface IngestGitResult {
  repoId: number;
  /** commits new to the database in this run */
  added: number;
  /** commits stored for this repository after the run */
  total: number;
  /** the commits of this run are those stored after this rowid */
  afterRowid: number;
  ms: number;
}

// Commits are written in chunks, each in one short synchronous transaction, never one left open while this code
// awaits git: a tool call in `serve` waits for the write lock by blocking its thread (store/write-lock.ts), so a
// transaction open across event-loop turns would never be committed, and every other writer would wait for it.
// A chunk is sized to take about CHUNK_MS to write (other writers wait at most that long), within CHUNK_MIN..MAX
// commits. Shorter chunks cost disk writes: each rewrites the random-keyed index pages it touches (commits by sha,
// commit_files by sha and path), so at 50k commits 100-ms chunks wrote 3.9× the bytes of 10k-commit ones, 250-ms
// chunks 2× (bench/FINDINGS.md). A chunk read slowly is written at the latest COLLECT_MS after it began.
const CHUNK_MS = 250;
const CHUNK_FIRST = 1_000;
const CHUNK_MIN = 100;
const CHUNK_MAX = 10_000;
const COLLECT_MS = 1_000;
/** WAL size (4 KB pages) at which the ingest's commits checkpoint, instead of SQLite's 1,000. */
const WAL_CHECKPOINT_PAGES = 10_000;
/** Tables a first ingest fills in bulk, building their secondary indexes once at the end. */
const BULK_TABLES = ['commits', 'commit_files', 'commit_trailers', 'commit_fixes'];
/**
 * Kept through a bulk load: the per-batch rollups look reverts up by sha (module_reverts), and this partial index
 * holds only revert commits, so it costs next to nothing to keep while the rest are deferred.
 */
const BULK_KEEP = ['commits_reverts'];
const PROGRESS_EVERY = 5_000;

/**
 * Reads every branch, tag and remote-tracking ref of a work tree or bare repository into the store.
 * Incremental: only commits reachable from new tips and not from the tips of the previous run are read.
 * One run at a time per database: a second waits for the first (then reads only what that one left).
 */
export async function ingestGit(ctx: AppContext, options: IngestGitOptions = {}): Promise<IngestGitResult> {
  const started = performance.now();
  // the work tree's top level, or the git dir of a bare repository
  const repo = await openRepo(options.repoPath ?? ctx.config.repoPath);
  // Also guards the bulk load: a concurrent run would take its dropped indexes for those of a dead run.
  return exclusively(ctx.store, 'git ingest', ctx.log, () => ingestRepo(ctx, repo, started, options));
}

async function ingestRepo(
  ctx: AppContext,
  repo: string,
  started: number,
  options: IngestGitOptions,
): Promise<IngestGitResult> {
  const db = ctx.store;
  const repoId = ensureRepo(db, repo);
  recomputeModulesIfRulesChanged(ctx);

  const tips = await listTips(repo);
  const oldTips = getRepoTips(db, repoId);
  const known = new Set(oldTips);
  const fresh = tips.filter((t) => !known.has(t));

  let added = 0;
  const afterRowid = lastCommitRowid(db);
  restoreDeferredIndexes(db); // an earlier bulk load that did not finish
  if (fresh.length > 0) {
    // A rewritten history may have dropped old tips; git log refuses unknown objects, so keep only those present.
    const exclude = oldTips.length > 0 ? await presentCommits(repo, oldTips) : [];
    // A larger page cache and rarer checkpoints while the run lasts (measured in store/bulk-load.ts); into an empty
    // store, the secondary indexes are built once at the end.
    const bulk = !inTransaction(db) && !hasCommits(db);
    added = await withBulkLoad(
      db,
      {
        cacheKib: 131_072,
        walCheckpointPages: WAL_CHECKPOINT_PAGES,
        ...(bulk ? { deferIndexesOf: { tables: BULK_TABLES, keep: BULK_KEEP } } : {}),
      },
      () => readLog(ctx, repo, repoId, fresh, exclude, options.onProgress, options.batchMs ?? CHUNK_MS),
    );
    // Every batch adds its commits to the rollups; this catches up those written inside a caller's transaction.
    refreshModuleRollups(db);
    resolvePendingFixes(db);
    optimizeStatistics(db);
  }
  if (fresh.length > 0 || tips.length !== oldTips.length) setRepoTips(db, repoId, tips);
  setLastIngestedAt(db, repoId, ctx.clock());
  return { repoId, added, total: countCommits(db, repoId), afterRowid, ms: Math.round(performance.now() - started) };
}

async function openRepo(path: string): Promise<string> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new UserInputError(
      `repository ${abs} does not exist or is not a folder; pass --repo PATH with a git work tree or bare repository`,
      'repo',
    );
  }
  let lines: string[];
  try {
    const args = ['rev-parse', '--is-bare-repository', '--is-inside-git-dir', '--absolute-git-dir'];
    lines = (await gitOutput(abs, 'git rev-parse', args)).split('\n');
  } catch (err) {
    if (/not a git repository/i.test(errorMessage(err))) {
      throw new UserInputError(
        `${abs} is not a git repository; run inside a clone or pass --repo PATH (a work tree or a bare .git folder)`,
        'repo',
        { cause: err },
      );
    }
    throw err;
  }
  const [bare, insideGitDir, gitDir] = lines.map((l) => l.trim());
  // Bare repositories (and the inside of a .git folder) have no work tree; git log runs in the git dir itself.
  if (bare === 'true' || insideGitDir === 'true') return gitDir!;
  return (await gitOutput(abs, 'git rev-parse', ['rev-parse', '--show-toplevel'])).trim();
}

/** Commit shas at the tips of branches, tags (peeled) and remote-tracking refs, plus a detached HEAD. */
async function listTips(repo: string): Promise<string[]> {
  const format = '--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype)';
  const [refs, head] = await Promise.all([
    gitOutput(repo, 'git for-each-ref', ['for-each-ref', format, 'refs/heads', 'refs/tags', 'refs/remotes']),
    // unborn HEAD (empty repository): nothing to add
    gitOutput(repo, 'git rev-parse', ['rev-parse', '--quiet', '--verify', 'HEAD^{commit}']).catch(() => ''),
  ]);
  const tips = new Set<string>();
  for (const line of refs.split('\n')) {
    const [sha, type, peeled, peeledType] = line.trim().split(' ');
    if (type === 'commit' && sha) tips.add(sha);
    // Annotated tags point at a tag object; tags of trees or blobs have no history to read.
    else if (type === 'tag' && peeledType === 'commit' && peeled) tips.add(peeled);
  }
  if (/^[0-9a-f]{40,64}$/.test(head.trim())) tips.add(head.trim());
  return [...tips].sort();
}

/**
 * Spawns git directly rather than through simple-git: simple-git buffers a command's whole stdout even when an
 * outputHandler is attached, and these calls need stdin (rev lists); the log itself is streamed (git-reader.ts).
 * Not loading simple-git at all also takes ~40 ms off every `ingest git` start.
 */
function spawnGit(cwd: string, label: string, args: string[], input: string) {
  const child = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  child.stdin.on('error', () => {
    // git may exit before reading all of stdin; its exit code and stderr tell the story.
  });
  child.stdin.end(input);
  const exited = new Promise<void>((ok, fail) => {
    child.on('error', (err) => fail(new UpstreamError(label, err.message, false, { cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) ok();
      else {
        const why = Buffer.concat(stderr).toString('utf8').trim() || `exited with ${code ?? signal}`;
        fail(new UpstreamError(label, why, false));
      }
    });
  });
  exited.catch(() => {}); // observed by the caller; avoid an unhandled rejection while it is still reading
  return { child, exited };
}

/** A git command's whole stdout (small outputs only; the log is streamed). */
async function gitOutput(cwd: string, label: string, args: string[], input = ''): Promise<string> {
  const { child, exited } = spawnGit(cwd, label, args, input);
  child.stdout.setEncoding('utf8'); // decodes characters split across chunks whole (paths can be unicode)
  let out = '';
  for await (const chunk of child.stdout) out += chunk as string;
  await exited;
  return out;
}

async function presentCommits(cwd: string, shas: string[]): Promise<string[]> {
  const args = ['cat-file', '--batch-check=%(objectname) %(objecttype)'];
  const out = await gitOutput(cwd, 'git cat-file', args, shas.join('\n'));
  return out
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([, type]) => type === 'commit')
    .map(([sha]) => sha!);
}

async function readLog(
  ctx: AppContext,
  cwd: string,
  repoId: number,
  include: string[],
  exclude: string[],
  onProgress: ((n: number) => void) | undefined,
  chunkMs: number,
): Promise<number> {
  const db = ctx.store;
  const chunks = new ChunkWriter(db, chunkMs);
  const moduleOf = memoModules(ctx.modules);

  let read = 0;
  const parser = new LogParser((raw) => {
    chunks.add(toCommit(ctx, repoId, raw, (ref) => resolveCommitPrefix(db, ref) ?? null, moduleOf));
    read++;
    if (read % PROGRESS_EVERY === 0) {
      onProgress?.(read);
      ctx.log(`git: read ${read} commits`);
    }
  });

  const args = ['-c', 'log.showSignature=false', 'log', '--stdin', ...LOG_ARGS];
  const revs = [...include, ...exclude.map((s) => `^${s}`)].join('\n') + '\n';
  try {
    for await (const chunk of gitStdout(cwd, 'git log', args, revs)) {
      parser.push(chunk);
      if (chunks.due()) {
        chunks.write();
        await yieldTurn(); // tool calls waiting in this process get their turn between chunks
      }
    }
    parser.end();
  } finally {
    // Also on failure: what was read is whole commits, and a re-run skips them (tips are saved only on success).
    chunks.write();
  }
  if (read === 0 || read % PROGRESS_EVERY !== 0) onProgress?.(read);
  return chunks.added;
}

/** Commits collected in memory and written a chunk at a time, each chunk in one synchronous transaction. */
class ChunkWriter {
  /** commits new to the database so far */
  added = 0;
  private pending: NewCommit[] = [];
  private firstAt = 0;
  private size = CHUNK_FIRST;
  private readonly writer: CommitWriter;

  constructor(
    private readonly db: Db,
    private readonly chunkMs: number,
  ) {
    this.writer = commitWriter(db);
  }

  add(commit: NewCommit): void {
    if (this.pending.length === 0) this.firstAt = performance.now();
    this.pending.push(commit);
  }

  due(): boolean {
    return (
      this.pending.length >= this.size || (this.pending.length > 0 && performance.now() - this.firstAt >= COLLECT_MS)
    );
  }

  write(): void {
    const chunk = this.pending;
    if (chunk.length === 0) return;
    this.pending = [];
    let ms = 0;
    this.added += immediateTransaction(this.db, () => {
      const t = performance.now();
      const added = this.writer.insertAll(chunk);
      // Each chunk adds its commits to the per-module rollups, on a first ingest too: that work then overlaps git's
      // (node waits for git's output ~40% of a bulk load) instead of adding to the index rebuild after the log.
      refreshModuleRollups(this.db);
      ms = performance.now() - t;
      return added;
    });
    keepCommitStatistics(this.db, this.added);
    // A full chunk's writes (not the wait for the lock) size the next one, halfway to the fit to damp noise.
    if (chunk.length < this.size) return;
    const fits = (chunk.length * this.chunkMs) / Math.max(ms, 1);
    this.size = Math.round(Math.min(CHUNK_MAX, Math.max(CHUNK_MIN, (this.size + fits) / 2)));
  }
}

/** Cap on distinct paths remembered by one run's module memo (as the mapper's own cache). */
const MODULE_MEMO_MAX = 50_000;

/**
 * The mapper's moduleOf, memoised by the path exactly as git wrote it: the mapper normalises every path (three
 * regular expressions) before its own cache lookup, ~8% of the parse and convert time. Keys are copied because a
 * parsed path is a slice of a whole 64 KB chunk of the log, which a long-lived key would keep in memory.
 */
function memoModules(mapper: ModuleMapper): (path: string) => string {
  const memo = new Map<string, string>();
  return (path) => {
    let module = memo.get(path);
    if (module === undefined) {
      const key = Buffer.from(path, 'utf8').toString('utf8');
      module = mapper.moduleOf(key);
      if (memo.size >= MODULE_MEMO_MAX) memo.clear();
      memo.set(key, module);
    }
    return module;
  };
}

const REVERTS = /This reverts commit ([0-9a-f]{7,64})/i;
// Linux style `Fixes: <sha> ("subject")`, or a bare sha; issue references like `Fixes: #12` are not commits.
const FIXES = /^[ \t]*Fixes:[ \t]*([0-9a-f]{7,64})(?=$|[\s(,.;:])/gim;

function toCommit(
  ctx: AppContext,
  repoId: number,
  raw: RawCommit,
  resolveRef: (ref: string) => string | null,
  moduleOf: (path: string) => string,
): NewCommit {
  const message = raw.message.includes('\r') ? raw.message.replace(/\r\n/g, '\n') : raw.message;
  const { subject, body } = splitMessage(message);
  const trailers = parseTrailers(message);
  const who = detectAuthorship(
    { authorName: raw.authorName, authorEmail: raw.authorEmail, body: message, trailers },
    ctx.config.identities,
  );
  const fixes = new Map<string, string | null>();
  for (const m of message.matchAll(FIXES)) {
    const ref = m[1]!.toLowerCase();
    if (!fixes.has(ref)) fixes.set(ref, resolveRef(ref));
  }
  return {
    sha: raw.sha,
    repoId,
    authorName: raw.authorName,
    authorEmail: raw.authorEmail,
    authoredAt: raw.authoredAt,
    committedAt: raw.committedAt,
    subject,
    body,
    parents: raw.parents,
    authorKind: who.kind,
    agent: who.agent,
    agentEvidence: who.evidence,
    revertsSha: REVERTS.exec(message)?.[1]?.toLowerCase() ?? null,
    // An object literal, not a spread of the parsed file: the spread was ~10% of the parse and convert time.
    files: raw.files.map((f) => ({
      path: f.path,
      oldPath: f.oldPath,
      module: moduleOf(f.path),
      added: f.added,
      deleted: f.deleted,
    })),
    trailers,
    fixes: [...fixes].map(([ref, sha]) => ({ ref, sha })),
  };
}

/** Subject as git's %s (first paragraph, lines joined); body is the rest. */
export function splitMessage(message: string): { subject: string; body: string } {
  const trimmed = message.replace(/^\s*\n/, '');
  const m = /\n[ \t]*\n/.exec(trimmed);
  const first = m ? trimmed.slice(0, m.index) : trimmed;
  const rest = m ? trimmed.slice(m.index + m[0].length) : '';
  return {
    subject: first
      .split('\n')
      .map((l) => l.trim())
      .join(' ')
      .trim(),
    body: rest.replace(/^\s*\n/, '').trimEnd(),
  };
}

/** When the module rules (config globs, CODEOWNERS) change, stored commit_files.module values are recomputed. */
function recomputeModulesIfRulesChanged(ctx: AppContext): void {
  const db = ctx.store;
  const fingerprint = ModuleMapper.fingerprint(ctx.config.modules, readCodeowners(ctx.config.repoPath));
  if (getMeta(db, 'module_fingerprint') === fingerprint) return;
  withTransaction(db, () => {
    const changed = relabelCommitFileModules(db, (path) => ctx.modules.moduleOf(path));
    // The per-module rollups are keyed by module: relabelled files move their commits to other modules.
    if (changed > 0) rebuildModuleRollups(db);
    setMeta(db, 'module_fingerprint', fingerprint);
  });
}
