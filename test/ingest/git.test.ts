import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/errors.js';
import { ModuleMapper } from '../../src/modules.js';
import { ingestGit, splitMessage } from '../../src/ingest/git.js';
import {
  countCommits,
  getCommit,
  getCommitFiles,
  getCommitFixes,
  getCommitTrailers,
  resolveSha,
} from '../../src/store/commits.js';
import { getMeta } from '../../src/store/open.js';
import { ensureRepo, getRepoId, getRepoTips, repoName } from '../../src/store/repos.js';
import { testContext } from '../helpers/context.js';
import { gitdir, tempDir, type GitDir } from '../helpers/gitdir.js';

const CLAUDE = 'Co-Authored-By: Claude <noreply@anthropic.com>';

/** A small history: root, a feature branch merged with --no-ff, a rename, a binary file and a path with spaces. */
function sampleRepo(): { g: GitDir; shas: Record<string, string> } {
  const g = gitdir();
  const shas: Record<string, string> = {};
  shas.root = g.commit({
    files: { 'README.md': '# shop\n', 'src/payments/charge.ts': 'a\nb\nc\n' },
    message: 'Initial commit',
    date: '2026-01-01T10:00:00Z',
  });
  g.git('checkout', '-q', '-b', 'feature');
  shas.feature = g.commit({
    files: { 'packages/api/src/routes.ts': 'r1\nr2\n', 'src/payments/charge.ts': 'a\nB\nc\nd\n' },
    message: `feat(payments): retry charges\n\nAdds a retry loop.\n\n${CLAUDE}\n`,
    date: '2026-01-02T10:00:00Z',
  });
  g.git('checkout', '-q', 'main');
  shas.docs = g.commit({
    files: { 'docs/my guide.md': 'hello\n' },
    message: 'docs: add guide',
    date: '2026-01-03T10:00:00Z',
  });
  g.git('-c', 'user.name=Ada Lovelace', 'merge', '-q', '--no-ff', '-m', "Merge branch 'feature'", 'feature');
  shas.merge = g.git('rev-parse', 'HEAD');
  shas.rename = g.commit({
    files: { 'src/payments/charge.ts': null, 'src/billing/charge.ts': 'a\nB\nc\nd\n' },
    message: 'refactor: move charge to billing',
    date: '2026-01-04T10:00:00Z',
  });
  shas.binary = g.commit({
    files: { 'assets/logo.png': '\u0000\u0001\u0002binary\u0000' },
    message: 'add logo',
    author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
    date: '2026-01-05T10:00:00Z',
  });
  return { g, shas };
}

describe('ingestGit on a work tree', () => {
  const { g, shas } = sampleRepo();
  const ctx = testContext(g.path);

  it('stores every commit with files, counts, modules, merge flag and rename old_path', async () => {
    const res = await ingestGit(ctx);
    expect(res).toMatchObject({ added: 6, total: 6 });
    expect(res.repoId).toBe(getRepoId(ctx.store, g.path));

    const feature = getCommit(ctx.store, shas.feature!)!;
    expect(feature).toMatchObject({
      subject: 'feat(payments): retry charges',
      author_name: 'Ada Lovelace',
      author_email: 'ada@example.com',
      authored_at: Date.parse('2026-01-02T10:00:00Z'),
      committed_at: Date.parse('2026-01-02T10:00:00Z'),
      parents: shas.root,
      is_merge: 0,
      added: 4,
      deleted: 1,
      files_changed: 2,
      author_kind: 'pair',
      agent: 'claude',
      agent_evidence: 'Co-authored-by: Claude <noreply@anthropic.com>',
    });
    expect(feature.body).toBe(`Adds a retry loop.\n\n${CLAUDE}`);
    expect(getCommitFiles(ctx.store, shas.feature!)).toEqual([
      { sha: shas.feature, path: 'packages/api/src/routes.ts', old_path: null, module: 'api', added: 2, deleted: 0 },
      { sha: shas.feature, path: 'src/payments/charge.ts', old_path: null, module: 'payments', added: 2, deleted: 1 },
    ]);
    expect(getCommitTrailers(ctx.store, shas.feature!)).toEqual([
      { key: 'co-authored-by', value: 'Claude <noreply@anthropic.com>' },
    ]);

    const root = getCommit(ctx.store, shas.root!)!;
    expect(root).toMatchObject({ parents: '', author_kind: 'human', agent: null, added: 4, files_changed: 2 });
    expect(getCommitFiles(ctx.store, shas.root!).map((f) => [f.path, f.module])).toEqual([
      ['README.md', '(root)'],
      ['src/payments/charge.ts', 'payments'],
    ]);

    const merge = getCommit(ctx.store, shas.merge!)!;
    expect(merge.is_merge).toBe(1);
    expect(merge.parents.split(' ')).toEqual([shas.docs, shas.feature]);

    expect(getCommitFiles(ctx.store, shas.docs!)).toMatchObject([{ path: 'docs/my guide.md', module: 'docs' }]);
    expect(getCommitFiles(ctx.store, shas.rename!)).toEqual([
      {
        sha: shas.rename,
        path: 'src/billing/charge.ts',
        old_path: 'src/payments/charge.ts',
        module: 'billing',
        added: 0,
        deleted: 0,
      },
    ]);
    expect(getCommitFiles(ctx.store, shas.binary!)).toMatchObject([
      { path: 'assets/logo.png', added: null, deleted: null },
    ]);
    expect(getCommit(ctx.store, shas.binary!)).toMatchObject({
      author_kind: 'agent',
      agent: 'cursor',
      agent_evidence: 'author email cursoragent@cursor.com',
      files_changed: 1,
      added: 0,
    });
  });

  it('records the ref tips and the ingest time', () => {
    const repoId = getRepoId(ctx.store, g.path)!;
    expect(getRepoTips(ctx.store, repoId).sort()).toEqual([shas.binary, shas.feature].sort());
    const row = ctx.store.prepare('SELECT name, last_ingested_at FROM repos WHERE id = ?').get(repoId) as {
      name: string;
      last_ingested_at: number;
    };
    expect(row.last_ingested_at).toBeGreaterThan(0);
    expect(row.name).toBe(repoName(g.path));
  });

  it('resolveSha: full sha, unique prefix, unknown, ambiguous and malformed', () => {
    expect(resolveSha(ctx.store, shas.merge!)).toBe(shas.merge);
    expect(resolveSha(ctx.store, shas.merge!.slice(0, 10).toUpperCase())).toBe(shas.merge);
    expect(resolveSha(ctx.store, 'ffffffffffff')).toBeUndefined();
    expect(() => resolveSha(ctx.store, 'abc', 'fix_sha')).toThrow(/fix_sha 'abc' is not a commit sha/);
    expect(() => resolveSha(ctx.store, 'main')).toThrow(UserInputError);
  });
});

describe('resolveSha ambiguity', () => {
  it('lists the candidates when a prefix matches several commits', async () => {
    const g = gitdir();
    const real = g.commit({ files: { 'a.txt': '1\n' }, message: 'the real one' });
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    // A stored twin sharing the first 6 characters makes a 4-character prefix ambiguous.
    const twin = `${real.slice(0, 6)}${real[6] === '0' ? '1' : '0'}${'0'.repeat(33)}`;
    ctx.store
      .prepare(
        `INSERT INTO commits(sha, repo_id, author_name, author_email, authored_at, committed_at, subject, author_kind)
         VALUES (?, 1, 'x', 'x', 0, 0, 'the twin', 'human')`,
      )
      .run(twin);
    expect(() => resolveSha(ctx.store, real.slice(0, 4))).toThrow(UserInputError);
    expect(() => resolveSha(ctx.store, real.slice(0, 6))).toThrow(
      /ambiguous; it matches .*\(the (real one|twin)\), .*\(the (real one|twin)\)\. Give more characters/,
    );
    expect(resolveSha(ctx.store, real.slice(0, 7))).toBe(real);
  });
});

describe('ingestGit on a bare repository', () => {
  it('gives the same commits and files as the work tree', async () => {
    const { g, shas } = sampleRepo();
    const bare = g.bareClone();
    const fromTree = testContext(g.path);
    const fromBare = testContext(bare);
    await ingestGit(fromTree);
    const res = await ingestGit(fromBare);
    expect(res).toMatchObject({ added: 6, total: 6 });
    const dump = (ctx: typeof fromTree) =>
      ctx.store
        .prepare(
          `SELECT c.sha, c.subject, c.author_kind, c.agent, c.is_merge, c.added, c.deleted, f.path, f.old_path, f.module
           FROM commits c LEFT JOIN commit_files f USING (sha) ORDER BY c.sha, f.path`,
        )
        .all();
    expect(dump(fromBare)).toEqual(dump(fromTree));
    expect(getCommit(fromBare.store, shas.merge!)?.is_merge).toBe(1);
    expect(fromBare.store.prepare('SELECT path, name FROM repos').get()).toEqual({
      path: bare,
      name: repoName(bare),
    });
  });

  it('works when given a sub-folder of a work tree (paths stay repository-relative)', async () => {
    const { g } = sampleRepo();
    const ctx = testContext(g.path);
    const res = await ingestGit(ctx, { repoPath: join(g.path, 'src') });
    expect(res.added).toBe(6);
    expect(ctx.store.prepare('SELECT path FROM repos').pluck().get()).toBe(g.path);
    expect(ctx.store.prepare("SELECT count(*) FROM commit_files WHERE path = 'README.md'").pluck().get()).toBe(1);
  });
});

describe('incremental ingest', () => {
  it('a re-run is a no-op; new commits, branches and tags are picked up exactly once', async () => {
    const { g } = sampleRepo();
    const ctx = testContext(g.path);
    expect((await ingestGit(ctx)).added).toBe(6);

    const progress: number[] = [];
    expect(await ingestGit(ctx, { onProgress: (n) => progress.push(n) })).toMatchObject({ added: 0, total: 6 });
    expect(progress).toEqual([]); // no log was spawned (a run that reads the log reports its count, even 0)

    g.commit({ files: { 'src/search/q.ts': 'q\n' }, message: 'feat(search): query' });
    expect(await ingestGit(ctx)).toMatchObject({ added: 1, total: 7 });

    g.git('checkout', '-q', '-b', 'spike');
    const spike = g.commit({ files: { 'spike.txt': 's\n' }, message: 'spike' });
    g.git('checkout', '-q', 'main');
    expect(await ingestGit(ctx)).toMatchObject({ added: 1, total: 8 });
    expect(getCommit(ctx.store, spike)).toBeDefined();

    // A commit reachable only from an annotated tag (the branch that made it is gone).
    g.git('checkout', '-q', '--detach');
    const tagged = g.commit({ files: { 'hotfix.txt': 'h\n' }, message: 'hotfix' });
    g.git('tag', '-a', 'v1.0.1', '-m', 'release');
    g.git('checkout', '-q', 'main');
    expect(await ingestGit(ctx)).toMatchObject({ added: 1, total: 9 });
    expect(getCommit(ctx.store, tagged)).toBeDefined();

    // Deleting a branch changes the tips but reads nothing.
    g.git('branch', '-q', '-D', 'spike');
    expect(await ingestGit(ctx)).toMatchObject({ added: 0, total: 9 });
    expect(getRepoTips(ctx.store, getRepoId(ctx.store, g.path)!)).not.toContain(spike);
  });

  it('survives a history rewrite whose old tips no longer exist', async () => {
    const g = gitdir();
    g.commit({ files: { 'a.txt': '1\n' }, message: 'one' });
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    const repoId = getRepoId(ctx.store, g.path)!;
    // Simulate a tip recorded before a force-push + gc: the object is gone from the repository.
    ctx.store.prepare('INSERT INTO repo_tips(repo_id, sha) VALUES (?, ?)').run(repoId, 'f'.repeat(40));
    g.git('commit', '-q', '--amend', '-m', 'one, reworded');
    expect(await ingestGit(ctx)).toMatchObject({ added: 1, total: 2 });
  });

  it('reports progress for long runs', async () => {
    const g = gitdir();
    g.commit({ files: { 'a.txt': '1\n' }, message: 'one' });
    const ctx = testContext(g.path);
    const seen: number[] = [];
    await ingestGit(ctx, { onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([1]);
  });

  it('an empty repository ingests nothing without error', async () => {
    const g = gitdir();
    const ctx = testContext(g.path);
    expect(await ingestGit(ctx)).toMatchObject({ added: 0, total: 0 });
  });
});

describe('reverts and Fixes trailers', () => {
  it('records reverts_sha and resolves abbreviated Fixes references to full shas', async () => {
    const g = gitdir();
    const bad = g.commit({ files: { 'src/payments/a.ts': 'bad\n' }, message: 'feat: risky change' });
    const ctx = testContext(g.path);
    await ingestGit(ctx); // the fixed commit is stored in an earlier run…
    g.git('revert', '--no-edit', 'HEAD');
    const revert = g.git('rev-parse', 'HEAD');
    const other = g.commit({ files: { 'src/auth/b.ts': 'x\n' }, message: 'feat: auth' });
    const fix = g.commit({
      files: { 'src/payments/a.ts': 'good\n', 'src/auth/b.ts': 'y\n' },
      message: [
        'fix: repair payments and auth',
        '',
        'Details here.',
        '',
        `Fixes: ${bad.slice(0, 12)} ("feat: risky change")`,
        `Fixes: ${other.slice(0, 8)}`,
        'Fixes: #123',
        'Signed-off-by: Ada Lovelace <ada@example.com>',
      ].join('\n'),
    });
    await ingestGit(ctx); // …and the other in the same run, after its fixer in git log order.

    expect(getCommit(ctx.store, revert)).toMatchObject({ reverts_sha: bad, subject: 'Revert "feat: risky change"' });
    expect(getCommitFixes(ctx.store, fix)).toEqual(
      [
        { fixed_ref: bad.slice(0, 12), fixed_sha: bad },
        { fixed_ref: other.slice(0, 8), fixed_sha: other },
      ].sort((a, b) => a.fixed_ref.localeCompare(b.fixed_ref)),
    );
    expect(getCommitTrailers(ctx.store, fix).map((t) => t.key)).toEqual(['fixes', 'fixes', 'fixes', 'signed-off-by']);
  });

  it('leaves a Fixes reference unresolved when the commit is unknown, and resolves it once it arrives', async () => {
    const g = gitdir();
    const ghost = 'abcdef1234567';
    const fixer = g.commit({ files: { 'a.txt': '1\n' }, message: `fix: thing\n\nFixes: ${ghost} ("from elsewhere")` });
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    expect(getCommitFixes(ctx.store, fixer)).toEqual([{ fixed_ref: ghost, fixed_sha: null }]);
  });
});

describe('identity rules from config', () => {
  it('apply during ingest and win over built-ins', async () => {
    const g = gitdir();
    const sha = g.commit({
      files: { 'a.txt': '1\n' },
      message: 'chore: nightly',
      author: { name: 'Nightly', email: 'nightly@ci.acme.dev' },
    });
    const cursor = g.commit({
      files: { 'b.txt': '1\n' },
      message: 'x',
      author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
    });
    const ctx = testContext(g.path, {
      identities: [
        { match: '*@ci.acme.dev', agent: 'acme-ci' },
        { match: 'cursoragent@cursor.com', kind: 'human' },
      ],
    });
    await ingestGit(ctx);
    expect(getCommit(ctx.store, sha)).toMatchObject({ author_kind: 'agent', agent: 'acme-ci' });
    expect(getCommit(ctx.store, cursor)).toMatchObject({ author_kind: 'human', agent: null });
  });
});

describe('module rules changing', () => {
  it('recomputes commit_files.module for stored rows when the fingerprint changes', async () => {
    const g = gitdir();
    const sha = g.commit({ files: { 'src/payments/a.ts': '1\n', 'src/auth/b.ts': '2\n' }, message: 'one' });
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    expect(getCommitFiles(ctx.store, sha).map((f) => f.module)).toEqual(['auth', 'payments']);

    const modules = { money: ['src/payments/**'] };
    const next = Object.assign(ctx, { config: { ...ctx.config, modules }, modules: new ModuleMapper(modules) });
    expect(await ingestGit(next)).toMatchObject({ added: 0 });
    expect(getCommitFiles(ctx.store, sha).map((f) => f.module)).toEqual(['auth', 'money']);
    expect(getMeta(ctx.store, 'module_fingerprint')).toBe(ModuleMapper.fingerprint(modules, undefined));
  });
});

describe('bad input', () => {
  it('a folder that is not a git repository', async () => {
    const dir = tempDir('hindsight-plain-');
    const ctx = testContext(dir);
    const err = await ingestGit(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).field).toBe('repo');
    expect((err as Error).message).toMatch(/is not a git repository.*--repo PATH/);
  });

  it('a path that does not exist', async () => {
    const dir = tempDir('hindsight-plain-');
    const ctx = testContext(dir);
    await expect(ingestGit(ctx, { repoPath: join(dir, 'nope') })).rejects.toThrow(/does not exist.*--repo PATH/);
  });
});

describe('awkward paths and messages', () => {
  it('handles spaces, "=>", unicode, tabs in paths and messages without a body', async () => {
    const g = gitdir();
    const weird = ['dir with space/a => b.txt', 'ünï/cödé.ts', 'tab\there.txt'];
    const files: Record<string, string> = {};
    for (const w of weird) files[w] = 'x\n';
    const first = g.commit({ files, message: 'weird paths' });
    g.git('mv', 'dir with space/a => b.txt', 'dir with space/renamed {x}.txt');
    const second = g.commit({ files: {}, message: 'rename weird' });
    // An empty message needs plumbing; commit-tree writes it as-is.
    const tree = g.git('rev-parse', 'HEAD^{tree}');
    const empty = execFileSync('git', ['commit-tree', tree, '-p', second, '-m', ''], {
      cwd: g.path,
      encoding: 'utf8',
    }).trim();
    g.git('update-ref', 'refs/heads/main', empty);

    const ctx = testContext(g.path);
    expect((await ingestGit(ctx)).added).toBe(3);
    expect(
      getCommitFiles(ctx.store, first)
        .map((f) => f.path)
        .sort(),
    ).toEqual([...weird].sort());
    expect(getCommitFiles(ctx.store, second)).toMatchObject([
      { path: 'dir with space/renamed {x}.txt', old_path: 'dir with space/a => b.txt' },
    ]);
    expect(getCommit(ctx.store, empty)).toMatchObject({ subject: '', body: '', files_changed: 0 });
  });

  it('splitMessage mirrors git %s / body', () => {
    expect(splitMessage('a\nb\n\nbody\n\nmore\n')).toEqual({ subject: 'a b', body: 'body\n\nmore' });
    expect(splitMessage('only\n')).toEqual({ subject: 'only', body: '' });
  });
});

describe('repos store', () => {
  it('ensureRepo inserts once and names the repo after its folder without .git', () => {
    const ctx = testContext(tempDir());
    const dir = join(tempDir(), 'shop.git');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x'), '');
    const id = ensureRepo(ctx.store, dir);
    expect(ensureRepo(ctx.store, dir)).toBe(id);
    expect(getRepoId(ctx.store, dir)).toBe(id);
    expect(getRepoId(ctx.store, '/nowhere')).toBeUndefined();
    expect(repoName('/x/shop.git')).toBe('shop');
    expect(repoName('/x/shop/.git')).toBe('shop');
    expect(repoName('/x/shop/')).toBe('shop');
    expect(countCommits(ctx.store)).toBe(0);
  });
});
