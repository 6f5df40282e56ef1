import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
};

/** The fenced code blocks of the README's client set-up section, in order, with the paragraph before each. */
function clientSnippets(): { lead: string; lang: string; code: string }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Install and connect a client'), readme.indexOf('Whose changes'));
  const out: { lead: string; lang: string; code: string }[] = [];
  let paragraph: string[] = [];
  let lead = '';
  let block: { lang: string; lines: string[] } | undefined;
  for (const line of section.split('\n')) {
    if (block) {
      if (line === '```') {
        out.push({ lead, lang: block.lang, code: block.lines.join('\n') });
        block = undefined;
      } else block.lines.push(line);
    } else if (line.startsWith('```')) {
      block = { lang: line.slice(3), lines: [] };
    } else if (line.trim() === '') {
      if (paragraph.length > 0) lead = paragraph.join(' ');
      paragraph = [];
    } else paragraph.push(line);
  }
  return out;
}

/** What every snippet must start: the published package's `serve` with a repository and a database. */
function expectLaunch(words: string[]) {
  expect(words.slice(0, 4)).toEqual(['npx', '-y', pkg.name, 'serve']);
  expect(words.slice(4).filter((_, i) => i % 2 === 0)).toEqual(['--repo', '--db']);
}

type Entry = { type?: string; command: string; args: string[]; env?: Record<string, string> };

describe("the README's client set-up lines, each in its client's documented format", () => {
  const snippets = clientSnippets();
  const by = (client: string) => {
    const found = snippets.filter((s) => s.lead.includes(client));
    expect(found, `one snippet for ${client}`).toHaveLength(1);
    return found[0]!;
  };

  it('the package name is the published one and its bin is `hindsight`', () => {
    expect(pkg.name).toBe('hindsight-mcp');
    expect(Object.keys(pkg.bin)).toEqual(['hindsight']);
  });

  it('Claude Code: `claude mcp add [--transport stdio] <name> -- <command> [args…]`', () => {
    const line = by('Claude Code').code.trim();
    const m = /^claude mcp add (?:--transport stdio )?hindsight -- (.+)$/.exec(line);
    expect(m, line).not.toBeNull();
    expectLaunch(m![1]!.split(' '));
  });

  it('Cursor and Windsurf: a top-level `mcpServers` object of {command, args, env?}', () => {
    for (const client of ['Cursor', 'Windsurf']) {
      const doc = JSON.parse(by(client).code) as Record<string, Record<string, Entry>>;
      expect(Object.keys(doc)).toEqual(['mcpServers']);
      const entry = doc['mcpServers']!['hindsight']!;
      expect(Object.keys(entry).every((k) => ['command', 'args', 'env'].includes(k))).toBe(true);
      expectLaunch([entry.command, ...entry.args]);
    }
  });

  it('VS Code: `.vscode/mcp.json` with a top-level `servers` object whose entries say `type: stdio`', () => {
    const s = by('VS Code');
    expect(s.lead).toContain('.vscode/mcp.json');
    const doc = JSON.parse(s.code) as Record<string, Record<string, Entry>>;
    expect(Object.keys(doc)).toEqual(['servers']);
    const entry = doc['servers']!['hindsight']!;
    expect(entry.type).toBe('stdio');
    expectLaunch([entry.command, ...entry.args]);
  });

  it('Codex: `config.toml` with an `[mcp_servers.hindsight]` table of command and args', () => {
    const s = by('Codex');
    expect(s.lang).toBe('toml');
    expect(s.lead).toContain('~/.codex/config.toml');
    const doc = parseToml(s.code) as { mcp_servers: Record<string, Entry> };
    const entry = doc.mcp_servers['hindsight']!;
    expectLaunch([entry.command, ...entry.args]);
  });
});
