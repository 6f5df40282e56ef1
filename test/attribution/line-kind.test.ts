import { describe, expect, it } from 'vitest';
import { classifyLines } from '../../src/attribution/line-kind.js';

describe('classifyLines: comment-ness by the file’s own syntax and block state', () => {
  it('C: `*ptr = x;` and `--count;` are statements; ` * text` inside a block comment is a comment', () => {
    const lines = [
      '/*',
      ' * Store the bad work request.',
      ' */',
      '*bad_wr = wr;',
      '--count;',
      '#include <stdio.h>',
      '# define MAX 4',
      '}',
      '',
      '// done',
      'x = 1; /* trailing */',
      '} /* end of loop */',
      'char *s = "/* not a comment";',
      '*p = 0;',
    ];
    expect(classifyLines('src/verbs.c', lines)).toEqual([
      'comment',
      'comment',
      'comment',
      'code',
      'code',
      'code',
      'code',
      'layout',
      'layout',
      'comment',
      'code',
      'layout',
      'code',
      'code',
    ]);
  });

  it('a block comment opened and closed on earlier lines decides what a `*` line is', () => {
    const open = ['int a;', '/* start', '*p = 0;'];
    const closed = ['int a;', '/* start */', '*p = 0;'];
    expect(classifyLines('a.h', open)[2]).toBe('comment');
    expect(classifyLines('a.h', closed)[2]).toBe('code');
  });

  it('other languages: `--` in SQL and Lua, `#` in shell and CMake, docstrings in Python', () => {
    expect(classifyLines('q.sql', ['-- why', 'SELECT 1;'])).toEqual(['comment', 'code']);
    expect(classifyLines('x.lua', ['--[[', 'x = 1', ']]', 'y = 2'])).toEqual(['comment', 'comment', 'comment', 'code']);
    expect(classifyLines('run.sh', ['# setup', 'echo "#not"'])).toEqual(['comment', 'code']);
    expect(classifyLines('CMakeLists.txt', ['# deps', 'add_subdirectory(lib)'])).toEqual(['comment', 'code']);
    expect(classifyLines('m.py', ['"""Doc.', 'more', '"""', 'x = 1'])).toEqual([
      'comment',
      'comment',
      'comment',
      'code',
    ]);
    // C has no `#` comments: every `#` line is the preprocessor
    expect(classifyLines('m.c', ['# if 0'])).toEqual(['code']);
  });

  it('an unknown language never treats a leading `*` or `--` as a comment', () => {
    expect(classifyLines('notes.xyz', ['*p = 1', '--n', '// c', '#define X', '# c'])).toEqual([
      'code',
      'code',
      'comment',
      'code',
      'comment',
    ]);
  });

  it('a script without an extension is read by its `#!` line; in an unknown language a glob opens no comment', () => {
    expect(classifyLines('configure', ['#!/bin/sh', 'rm -f $TMPDIR/*.c', '# probe', '$CC -c x.c'])).toEqual([
      'comment',
      'code',
      'comment',
      'code',
    ]);
    expect(classifyLines('rules', ['rm -f dir/*.o', '$CC -c x.c', '/* note', 'still */'])).toEqual([
      'code',
      'code',
      'comment',
      'comment',
    ]);
  });

  it('stays linear on long pathological lines', () => {
    const line = '"\\'.repeat(200_000) + '/*'.repeat(200_000);
    const t = Date.now();
    classifyLines('big.c', [line, line, ' * '.repeat(100_000)]);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
