import { z } from 'zod';
import { nameText } from './schemas.js';
import type { FixLinks, ProposalResult } from '../decisions/fixes.js';

// The input and output fields the three proposal tools (propose_adr, propose_rule, propose_skill) share: door
// code, described once (each tool's list entry repeats them, so every word costs three times). Not under tools/,
// where every file defines one tool.

/** Evidence links and dry_run, as every proposal tool takes them. */
export const proposalInput = {
  interrupt_ids: z.array(z.number().int().positive()).max(200).optional().describe('interrupts it fixes'),
  cluster_id: z.number().int().positive().optional().describe('cluster it fixes'),
  incident_ids: z.array(nameText).max(50).optional().describe('its incidents'),
  dry_run: z.boolean().default(false).describe('write nothing'),
};

/** The answer every proposal tool gives. */
export const proposalOutput = {
  fixId: z.number().nullable().describe('the recorded fix; null in a dry run'),
  path: z.string().describe('repository-relative file written (or that would be written)'),
  content: z.string().describe('the file as written; for an append, the text appended'),
  written: z.boolean(),
  action: z.enum(['created', 'appended', 'updated', 'merged', 'unchanged']),
  notes: z.array(z.string()),
};

/** The domain's FixLinks from the tool's snake_case fields. */
export function linksFrom(input: {
  interrupt_ids?: number[] | undefined;
  cluster_id?: number | undefined;
  incident_ids?: string[] | undefined;
}): FixLinks {
  return {
    ...(input.interrupt_ids ? { interruptIds: input.interrupt_ids } : {}),
    ...(input.cluster_id !== undefined ? { clusterId: input.cluster_id } : {}),
    ...(input.incident_ids ? { incidentIds: input.incident_ids } : {}),
  };
}

/** The compact text answer: what happened to which file, the notes, then the content. */
export function renderProposal(out: ProposalResult, what: string): string {
  const head = out.written
    ? `${what} ${out.action}: ${out.path} (fix #${out.fixId}, status proposed)`
    : out.fixId === null
      ? `dry run: ${what} would be ${out.action} at ${out.path}; nothing written`
      : `${what} ${out.action}: ${out.path} (fix #${out.fixId})`;
  return [head, ...out.notes.map((n) => `- ${n}`), '', out.content].join('\n').trimEnd();
}
