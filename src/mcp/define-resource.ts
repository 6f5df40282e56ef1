import type { z } from 'zod';
import type { AppContext } from '../context.js';

/** One concrete resource a client can list and read. */
export interface ResourceEntry {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/**
 * A resource family: a fixed `uri`, or a `uriTemplate` (RFC 6570, e.g. `hindsight://adr/{number}`) whose
 * `list` enumerates the concrete entries. `read` gets the template variables already extracted.
 */
export interface ResourceDefinition {
  name: string;
  title: string;
  /** Says what it holds and when a client should load it (e.g. at session start). */
  description: string;
  mimeType: string;
  uri?: string;
  uriTemplate?: string;
  list?(ctx: AppContext): ResourceEntry[] | Promise<ResourceEntry[]>;
  /** Throws UserInputError (with the fix) for an unknown entry. */
  read(
    ctx: AppContext,
    uri: URL,
    vars: Record<string, string>,
  ): { text: string; mimeType?: string } | Promise<{ text: string; mimeType?: string }>;
}

export function defineResource(def: ResourceDefinition): ResourceDefinition {
  return def;
}

/** A prompt template filled with live data (e.g. the weekly triage agenda). */
export interface PromptDefinition<A extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  /** Prompt arguments are strings on the wire; describe each. */
  args: A;
  build(args: z.output<z.ZodObject<A>>, ctx: AppContext): string | Promise<string>;
}

export function definePrompt<A extends z.ZodRawShape>(def: PromptDefinition<A>): PromptDefinition<A> {
  return def;
}
