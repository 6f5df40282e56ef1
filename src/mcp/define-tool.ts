import type { z } from 'zod';
import type { AppContext } from '../context.js';
import type { Setup } from '../setup-hints.js';

/** All four hints, always explicit: clients (plan modes, auto-approve) gate on them. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a handler may know about the call beyond its arguments. */
export interface ToolCall {
  /** The MCP client's name from its initialize request (e.g. "claude-code"), when it sent one. */
  clientName?: string;
  /** The agent the caller's HTTP token names: it is "me", and arguments naming another agent do not change that. */
  agent?: string;
}

// Methods (not function properties) so a list of specific tools is assignable to ToolDefinition[].
export interface ToolDefinition<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  /** Says *when* an agent should call it; read by the model on every session, so keep it tight. */
  description: string;
  annotations: ToolAnnotations;
  input: I;
  output: O;
  /**
   * The set-up its answers are built on: when the store lacks one (the repository never ingested, no deploys or
   * incidents recorded), the answer carries `setup` — what is missing and the command that adds it — so an empty
   * answer is not read as "all clear" (src/setup-hints.ts).
   */
  needs?: readonly Setup[];
  /**
   * Pure over the injected context; throw UserInputError with a fix for bad calls. Import domain code inside
   * it (`await import(...)`): tools/list needs only the schemas, so a server starts without loading the domain.
   */
  handler(
    input: z.output<z.ZodObject<I>>,
    ctx: AppContext,
    call: ToolCall,
  ): z.output<z.ZodObject<O>> | Promise<z.output<z.ZodObject<O>>>;
  /** Compact text rendering of the structured answer, for clients that only show text (async: it may load code). */
  render(output: z.output<z.ZodObject<O>>): string | Promise<string>;
}

/** Identity function that fixes the generic types, so each tool file reads as one declaration. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  def: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return def;
}

/** What tools/list and a refusal need of a tool: its name and hints, not its schemas or code. */
export type ToolSummary = Pick<ToolDefinition, 'name' | 'annotations'>;
