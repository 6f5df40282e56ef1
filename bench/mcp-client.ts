import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** A server process to start over stdio. */
export interface ServerCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Spawns the server and connects the real SDK client over stdio (as Claude Code would). */
export async function connectStdio(server: ServerCommand, clientName = 'claude-code') {
  const stderr: string[] = [];
  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args,
    env: { ...(process.env as Record<string, string>), ...server.env },
    ...(server.cwd ? { cwd: server.cwd } : {}),
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: clientName, version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr };
}
