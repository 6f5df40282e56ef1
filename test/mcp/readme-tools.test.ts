import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOOLSETS, TOOLSETS } from '../../src/mcp/access.js';

// Issue 15: the README's top table showed 4 of the 11 tools. It must list every tool under its toolset, and mark
// the toolsets `serve` does not load by default.

describe("README's tool table", () => {
  it('lists every tool under its toolset, opt-in ones marked', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| ([a-z]+)( \(opt-in\))? +\| `([a-z_]+)` +\|/gm)].map((m) => ({
      toolset: m[1]!,
      optIn: m[2] !== undefined,
      tool: m[3]!,
    }));
    const expected = Object.entries(TOOLSETS).flatMap(([toolset, tools]) =>
      tools.map((tool) => ({ toolset, optIn: !(DEFAULT_TOOLSETS as readonly string[]).includes(toolset), tool })),
    );
    const key = (r: { tool: string }) => r.tool;
    expect([...rows].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...expected].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });
});
