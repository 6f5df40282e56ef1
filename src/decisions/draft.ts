import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../context.js';
import { UserInputError } from '../errors.js';
import {
  clusterEntries,
  incidentsTouching,
  uncoveredRecurringClusters,
  type EvidenceCluster,
  type EvidenceEntry,
} from '../store/fixes.js';
import { findIncidents } from '../store/incidents.js';
import { FIX_TYPE, type Category, type FixType } from './fix-types.js';
import { proposeAdr, slugify, type ProposeAdrInput } from './adr.js';
import { oneLine, type EvidenceIncident, type FixLinks, type ProposalResult } from './fixes.js';
import { proposeRule, type ProposeRuleInput } from './rules.js';
import { SKILLS_DIR, SKILL_NAME_MAX, proposeSkill, skillNameProblem, type ProposeSkillInput } from './skills.js';

const DAY = 86_400_000;
const SAMPLE = 10;

export type { FixType };

/** Which structural fix a category calls for (triage's table; unknown categories get a rule). */
export function fixTypeFor(category: string): FixType {
  return FIX_TYPE[category as Category] ?? 'rule';
}

/** What a stub is drafted from. */
export interface FixDraftSource {
  cluster: EvidenceCluster & { count: number };
  /** The newest entries of the window (a sample). */
  entries: readonly EvidenceEntry[];
  incidents: readonly EvidenceIncident[];
  windowDays: number;
}

type Proposal<T> = Omit<T, keyof FixLinks | 'dryRun'>;

/** A stub proposal: the type and the input of its proposal function (links are added by the caller). */
export type FixDraft =
  | { type: 'adr'; input: Proposal<ProposeAdrInput> }
  | { type: 'rule'; input: Proposal<ProposeRuleInput> }
  | { type: 'skill'; input: Proposal<ProposeSkillInput> };

/**
 * Drafts the stub for a recurring cluster: the structural fix its category calls for, carrying the evidence
 * (count, window, examples, paths, incidents) and saying plainly that a human must finish it. Pure, so the
 * automated correction-to-PR loop can reuse it.
 */
export function renderFixDraft(src: FixDraftSource): FixDraft {
  const { cluster: c } = src;
  const where = c.module ? ` in ${c.module}` : '';
  const kinds = src.entries.some((e) => e.kind === 'correction') ? 'interrupts and corrections' : 'interrupts';
  const examples = src.entries.slice(0, 3).map((e) => `"${oneLine(e.summary)}"`);
  const seen =
    `${c.count} ${kinds} in the last ${src.windowDays} days (cluster #${c.id} "${c.label}", ${c.category}${where})` +
    (examples.length ? `, e.g. ${examples.join('; ')}` : '') +
    (c.paths.length ? `. Paths: ${c.paths.slice(0, 5).join(', ')}` : '') +
    (src.incidents.length
      ? `. Related incidents: ${src.incidents.map((i) => `${i.externalId} ${i.title}`).join('; ')}`
      : '') +
    '.';
  const stub = `Stub drafted by hindsight from cluster #${c.id}; a human must finish it before it is accepted.`;
  const type = fixTypeFor(c.category);
  if (type === 'adr') {
    const why = c.category === 'ambiguous_spec' ? 'the specification is ambiguous' : 'the decision is not written down';
    return {
      type,
      input: {
        title: `Decide on ${c.label}${c.module ? ` (${c.module})` : ''}`,
        context: `Agents had to stop and ask because ${why}: ${seen}`,
        decision: `TODO: state the decision, so agents read it here instead of asking. ${stub}`,
        consequences: [
          'Good, because agents can answer these questions from this record instead of interrupting a human',
        ],
      },
    };
  }
  if (type === 'rule') {
    return {
      type,
      input: {
        title: `${c.label}${where}`,
        rule: `Changes about ${c.label}${where} MUST follow the policy agreed in triage (proposed: replace this stub with the exact rule).`,
        rationale: `${seen} ${stub}`,
      },
    };
  }
  const terms = c.terms.length ? c.terms.slice(0, 3).join(', ') : c.label;
  return {
    type,
    input: {
      name: skillName(c),
      description: `Works around the recurring tool failure "${c.label}"${where}. Use when ${terms} fails or errors during a task.`,
      body: [
        `# ${c.label}${where}`,
        '',
        `TODO: the steps that avoid or recover from this failure. ${stub}`,
        '',
        '## What went wrong',
        '',
        seen,
      ].join('\n'),
    },
  };
}

function skillName(c: EvidenceCluster): string {
  const base = slugify(`${c.module} ${c.label}`.replace(/\b(anthropic|claude)\b/gi, ' '))
    .slice(0, SKILL_NAME_MAX - 12)
    .replace(/-+$/, '');
  return base && !skillNameProblem(base) ? base : `cluster-${c.id}`;
}

export interface DraftFixesOptions {
  /** unix ms: the end of the window. */
  now: number;
  windowDays: number;
  /** A cluster is drafted for when it has at least this many entries in the window. */
  minEntries: number;
  dryRun?: boolean;
  /** At most this many clusters (most entries first); default 20. */
  limit?: number;
}

export interface DraftedFix {
  /** 0 in a dry run (nothing recorded). */
  fixId: number;
  type: FixType;
  path: string;
  clusterId: number;
  written: boolean;
}

/**
 * `hindsight triage --draft-fixes`: a proposed stub (ADR, rule or skill, by category) for every cluster that
 * recurs in the window and has no fix yet. A cluster whose stub is refused (e.g. invalid input derived from it)
 * is logged and skipped; the others still get theirs.
 */
export async function draftFixes(ctx: AppContext, options: DraftFixesOptions): Promise<DraftedFix[]> {
  const at: AppContext = { ...ctx, clock: () => options.now };
  const since = options.now - options.windowDays * DAY;
  const clusters = uncoveredRecurringClusters(ctx.store, since, options.now, options.minEntries, options.limit ?? 20);
  const out: DraftedFix[] = [];
  for (const cluster of clusters) {
    const entries = clusterEntries(ctx.store, cluster.id, since, options.now, SAMPLE);
    const incidents = linkedIncidents(ctx, cluster, entries);
    const draft = renderFixDraft({ cluster, entries, incidents, windowDays: options.windowDays });
    const links: FixLinks = {
      clusterId: cluster.id,
      interruptIds: entries.map((e) => e.id),
      incidentIds: incidents.map((i) => i.id),
    };
    try {
      const result = proposeDraft(at, draft, links, options.dryRun ?? false);
      out.push({
        fixId: result.fixId ?? 0,
        type: draft.type,
        path: result.path,
        clusterId: cluster.id,
        written: result.written,
      });
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      ctx.log(`hindsight: no stub for cluster #${cluster.id} "${cluster.label}": ${err.message}`);
    }
  }
  return out;
}

/** Writes (or, with dryRun, renders) a drafted fix with the same writers the propose_* tools use. */
export function proposeDraft(ctx: AppContext, draft: FixDraft, links: FixLinks, dryRun: boolean): ProposalResult {
  if (draft.type === 'adr') return proposeAdr(ctx, { ...draft.input, ...links, dryRun });
  if (draft.type === 'rule') return proposeRule(ctx, { ...draft.input, ...links, dryRun });
  // A stub never replaces a skill someone wrote: it takes a name of its own.
  let name = draft.input.name;
  for (let i = 2; existsSync(join(ctx.config.repoPath, SKILLS_DIR, name)); i++) name = `${draft.input.name}-${i}`;
  return proposeSkill(ctx, { ...draft.input, name, ...links, dryRun });
}

/** Incidents an entry names by id (`INC-101`) and incidents that touched the cluster's paths; at most five. */
export function linkedIncidents(
  ctx: AppContext,
  cluster: EvidenceCluster,
  entries: readonly EvidenceEntry[],
): EvidenceIncident[] {
  const out = new Map<number, EvidenceIncident>();
  const refs = new Set(entries.flatMap((e) => e.summary.match(/\b[A-Z][A-Z0-9]*-\d+\b/g) ?? []));
  for (const ref of [...refs].slice(0, 10)) {
    for (const i of findIncidents(ctx.store, ref))
      out.set(i.id, { id: i.id, externalId: i.externalId, title: i.title });
  }
  const paths = [...new Set([...cluster.paths, ...entries.flatMap((e) => e.paths)])].slice(0, 50);
  for (const i of incidentsTouching(ctx.store, paths, 3)) out.set(i.id, i);
  return [...out.values()].slice(0, 5);
}
