import { describe, expect, it } from 'vitest';
import { selfCommand, shellQuote } from '../src/shell.js';

describe('selfCommand: the printed way to start this binary again', () => {
  it('names the published package under npx, the bin when installed, else node and the script', () => {
    expect(selfCommand('/home/a/.npm/_npx/1f2e/node_modules/.bin/hindsight')).toBe('npx -y hindsight-mcp');
    expect(selfCommand('/usr/local/bin/hindsight')).toBe('hindsight');
    expect(selfCommand('/src/hindsight/dist/bundle/main.js')).toBe('node /src/hindsight/dist/bundle/main.js');
    // a host that is not our CLI (a test runner, a program embedding the server): the installed name
    expect(selfCommand('/w/node_modules/vitest/vitest.mjs')).toBe('hindsight');
    expect(selfCommand(undefined)).toBe('hindsight');
    expect(selfCommand('/My Repos/hindsight/dist/bundle/main.js')).toBe(
      "node '/My Repos/hindsight/dist/bundle/main.js'",
    );
  });

  it('quotes only what the shell would split or expand', () => {
    expect(shellQuote('/tmp/x-1/h.db')).toBe('/tmp/x-1/h.db');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('$HOME')).toBe(`'$HOME'`);
  });
});
