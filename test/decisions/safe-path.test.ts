import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertNotAPath,
  confinedPath,
  readInRepo,
  realPathInRepo,
  workTreeRoot,
} from '../../src/decisions/safe-path.js';
import { StagedFiles } from '../../src/decisions/staged-files.js';
import { gitdir, tempDir } from '../helpers/gitdir.js';

describe('confinedPath', () => {
  it('resolves paths inside the folder, and refuses every way out', () => {
    const root = workTreeRoot(gitdir().path);
    const outside = tempDir();
    mkdirSync(join(root, 'docs'));
    symlinkSync(join(outside, 'missing-dir'), join(root, 'docs/dangling'));
    symlinkSync(outside, join(root, 'docs/out'));
    expect(confinedPath(root, 'docs/adr', 'docs/adr/0001-x.md', 'title')).toEqual({
      abs: join(root, 'docs/adr/0001-x.md'),
      rel: 'docs/adr/0001-x.md',
    });
    expect(() => confinedPath(root, 'docs/adr', 'docs/other/x.md', 'title')).toThrow(/outside docs\/adr/);
    expect(() => confinedPath(root, 'docs', 'docs/dangling/x.md', 'title')).toThrow(/symbolic link/);
    expect(() => confinedPath(root, 'docs', 'docs/out/x.md', 'title')).toThrow(/symbolic link/);
    expect(() => confinedPath(root, 'docs/out', 'docs/out/x.md', 'title')).toThrow(/symbolic link/);
    expect(() => confinedPath(root, '', '/etc/passwd', 'target')).toThrow(/absolute path/);
  });

  it('refuses any path that resolves into .git', () => {
    const root = workTreeRoot(gitdir().path);
    symlinkSync('.git', join(root, 'git-dir'));
    expect(() => confinedPath(root, '', '.git/hooks/pre-commit.md', 'target')).toThrow(/leads into \.git/);
    expect(() => confinedPath(root, '', 'git-dir/config', 'target')).toThrow(/leads into \.git \(\.git\/config\)/);
  });

  it('reads only files whose real path stays in the work tree, also when the repository is reached by a link', () => {
    const real = gitdir().path;
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.md'), 'SECRET');
    writeFileSync(join(real, 'AGENTS.md'), '# Agents\n');
    symlinkSync(join(outside, 'secret.md'), join(real, 'CLAUDE.md'));
    symlinkSync('.git/config', join(real, 'config.md'));
    const viaLink = join(tempDir(), 'repo');
    symlinkSync(real, viaLink);
    expect(readInRepo(viaLink, 'AGENTS.md', 'path')).toBe('# Agents\n');
    expect(realPathInRepo(viaLink, 'CLAUDE.md')).toBeUndefined();
    expect(realPathInRepo(viaLink, 'config.md')).toBeUndefined();
    expect(realPathInRepo(viaLink, 'missing.md')).toBeUndefined();
    expect(() => readInRepo(viaLink, 'CLAUDE.md', 'path')).toThrow(
      /^path 'CLAUDE\.md' is missing or a symbolic link leads it out of the repository \(or into \.git\); refused$/,
    );
  });

  it('tells path-like text apart from titles with slashes', () => {
    expect(() => assertNotAPath('Use client/server split', 'title')).not.toThrow();
    expect(() => assertNotAPath('a/../b', 'title')).toThrow(/'\.\.' path segment/);
    expect(() => assertNotAPath('D:report', 'title')).toThrow(/absolute/);
  });

  it('refuses a directory that is not a git work tree', () => {
    expect(() => workTreeRoot(tempDir())).toThrow(/not a git work tree/);
  });
});

describe('StagedFiles', () => {
  it('takes back everything when a replaced file changed meanwhile', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'AGENTS.md'), 'v1');
    const staged = new StagedFiles([
      { abs: join(dir, 'new/deep/a.md'), rel: 'new/deep/a.md', content: 'A', mode: 'create' },
      { abs: join(dir, 'AGENTS.md'), rel: 'AGENTS.md', content: 'v2', mode: 'replace', original: 'v0' },
    ]);
    expect(() => staged.commit()).toThrow(/AGENTS\.md changed while hindsight was writing it/);
    expect(readdirSync(dir)).toEqual(['AGENTS.md']);
    expect(readFileSync(join(dir, 'AGENTS.md'), 'utf8')).toBe('v1');
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });
});
