import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

// The cold-start floor: the same SDK and zod, one tool, nothing else loaded.
const server = new McpServer({ name: 'floor', version: '1.0.0' });
server.registerTool('echo', { description: 'Echoes its input.', inputSchema: { text: z.string() } }, ({ text }) => ({
  content: [{ type: 'text', text }],
}));
await server.connect(new StdioServerTransport());
