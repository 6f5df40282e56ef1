import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { LOG_ARGS, LogParser, type RawCommit } from '../../src/ingest/log-parser.js';
import { gitdir } from '../helpers/gitdir.js';

function parse(chunks: Buffer[]): RawCommit[] {
  const out: RawCommit[] = [];
  const parser = new LogParser((c) => out.push(c));
  for (const c of chunks) parser.push(c);
  parser.end();
  return out;
}

/** The log exactly as ingest reads it: renames, a binary file, unicode, a tab and a newline in paths, a long body. */
function sampleLog(): Buffer {
  const g = gitdir();
  g.commit({ files: { 'dir with space/a => b.txt': 'a\n', 'ünï/cödé.ts': 'é\n' }, message: 'première: añadir 🚀' });
  g.git('mv', 'dir with space/a => b.txt', 'dir with space/renamed.txt');
  g.commit({
    files: { 'tab\there.txt': 't\n', 'new\nline.txt': 'n\n', 'logo.png': '\u0000\u0001binary\u0000' },
    message: `rename, binary and odd paths\n\n${'a long body line with ünïcödé\n'.repeat(600)}\nCo-authored-by: Ada <ada@example.com>\n`,
  });
  g.git('checkout', '-q', '-b', 'side', 'HEAD~1');
  g.commit({ files: { 'side.txt': 's\n' }, message: 'side' });
  g.git('checkout', '-q', 'main');
  g.git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
  return execFileSync('git', ['log', ...LOG_ARGS], { cwd: g.path });
}

describe('LogParser', () => {
  const log = sampleLog();
  const whole = parse([log]);

  it('reads each commit with its parents, times, message and numstat files', () => {
    const by = (subject: string) => whole.find((c) => c.message.startsWith(subject))!;
    expect(whole.map((c) => c.message.split('\n')[0]).sort()).toEqual([
      'merge side',
      'première: añadir 🚀',
      'rename, binary and odd paths',
      'side',
    ]);
    expect(by('merge side').parents).toHaveLength(2);
    expect(by('première').parents).toEqual([]);
    expect(by('première').committedAt % 1000).toBe(0);
    expect(by('rename').message).toContain('Co-authored-by: Ada <ada@example.com>');
    expect(by('rename').files).toEqual(
      expect.arrayContaining([
        { path: 'dir with space/renamed.txt', oldPath: 'dir with space/a => b.txt', added: 0, deleted: 0 },
        { path: 'logo.png', oldPath: null, added: null, deleted: null },
        { path: 'tab\there.txt', oldPath: null, added: 1, deleted: 0 },
        { path: 'new\nline.txt', oldPath: null, added: 1, deleted: 0 },
      ]),
    );
    expect(
      by('première')
        .files.map((f) => f.path)
        .sort(),
    ).toEqual(['dir with space/a => b.txt', 'ünï/cödé.ts']);
  });

  it('gives the same commits whatever the chunk boundaries (multi-byte characters and fields split across chunks)', () => {
    // Every split point of the first 2 KB (headers, paths, multi-byte characters), then fixed-size chunks of
    // several sizes over the whole log (the long body spans many of them).
    for (let at = 1; at < Math.min(2048, log.length); at++) {
      expect(parse([log.subarray(0, at), log.subarray(at)])).toEqual(whole);
    }
    for (const size of [7, 64, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < log.length; i += size) chunks.push(log.subarray(i, i + size));
      expect(parse(chunks)).toEqual(whole);
    }
  });

  it('rejects a numstat entry it does not understand', () => {
    const bad = Buffer.from(`\x1e${'a'.repeat(40)}\0\0A\0a@x\x001\x001\0msg\n\0\nnot numstat\0`);
    expect(() => parse([bad])).toThrow(UpstreamError);
  });
});
