import type { ErrorCode } from '@modelcontextprotocol/sdk/types.js';

/**
 * A JSON-RPC error whose message goes on the wire as written. The SDK sends an error's `code` and `message`; an
 * McpError's message already starts "MCP error -32602:", which the client's McpError prefixes again, so the agent
 * read "MCP error -32602: MCP error -32602: no tool named …" (found by the conformance suite, bench/CONFORMANCE.md).
 */
export function rpcError(code: ErrorCode, message: string): Error & { code: ErrorCode } {
  return Object.assign(new Error(message), { code });
}
