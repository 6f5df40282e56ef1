import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/gitdir.js';
import { assertBuilt } from './cli.js';

const ROOT = join(import.meta.dirname, '../..');

/** The README's main command, exactly as documented: the Quick start line marked "the main job". */
function documentedMainCommand(): string[] {
  const line = readFileSync(join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .find((l) => l.includes('# the main job'));
  if (!line) throw new Error("README.md has no Quick start line marked '# the main job'");
  const command = line.slice(0, line.indexOf('#')).split('&&').at(-1)!.trim();
  return command.split(/\s+/);
}

/**
 * Launches a command from a fresh checkout (this one) as a client would and lists the tools. Every line on stdout
 * must parse as JSON-RPC: the SDK's transport reports any other line as an error, collected here.
 */
async function launch(words: string[]) {
  assertBuilt();
  const transport = new StdioClientTransport({
    command: words[0]!,
    args: words.slice(1),
    cwd: ROOT,
    // only the database is moved out of the checkout; the command itself is the documented one
    env: { ...(process.env as Record<string, string>), HINDSIGHT_DB: join(tempDir(), 'hindsight.db') },
    stderr: 'ignore',
  });
  const errors: string[] = [];
  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  client.onerror = (e) => errors.push(e.message);
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    return { tools: tools.map((t) => t.name), errors };
  } finally {
    await client.close();
  }
}

describe("the README's main command", () => {
  it('serves MCP with nothing but JSON-RPC on stdout', async () => {
    const words = documentedMainCommand();
    expect(words[0]).not.toBe('npm'); // npm run-script prints its own header on stdout
    const { tools, errors } = await launch(words);
    expect(tools).toContain('my_deploy_impact');
    expect(errors).toEqual([]);
  });

  it('would be caught by this check if it were `npm start` (npm writes its `> name@version start` header)', async () => {
    const { errors } = await launch(['npm', 'start']);
    expect(errors.join('\n')).toMatch(/JSON|Unexpected token/);
  });
});
