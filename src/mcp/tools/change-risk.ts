import { z } from 'zod';
import type { MAX_PATHS as DOMAIN_MAX_PATHS } from '../../history/change-risk.js';
import { defineTool } from '../define-tool.js';
import { repoPath } from '../schemas.js';

// The domain's limit, typed as its literal: the schema is built without loading the domain, and tsc fails if
// the two ever differ.
const MAX_PATHS: typeof DOMAIN_MAX_PATHS = 50;

const incidentRef = z.object({ id: z.string(), title: z.string(), startedAt: z.string() });

export const changeRisk = defineTool({
  name: 'change_risk',
  title: 'Change risk',
  description:
    'Call before editing files: past incidents and reverts per module, co-changed files, ADRs naming them, ' +
    'a risk with reasons.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needs: ['commits', 'incidents'],
  input: {
    paths: z.array(repoPath).min(1).max(MAX_PATHS).describe('paths you will edit'),
  },
  output: {
    paths: z.array(z.string()).describe('the input paths with a history here, normalised'),
    unknownPaths: z.array(z.string()).describe('input paths no commit or incident names: not assessed'),
    modules: z.array(
      z.object({
        module: z.string(),
        paths: z.array(z.string()),
        incidents90d: z.number(),
        incidentsAllTime: z.number(),
        lastIncident: incidentRef.nullable(),
        architecturalSignal: z.boolean(),
        suspects90d: z.number().describe('incidents in 90d with only unconfirmed suspects here (not counted)'),
        evidence: z.array(z.string()).describe('files and lines behind incidents90d'),
        reverts90d: z.array(
          z.object({
            sha: z.string(),
            subject: z.string(),
            revertSha: z.string(),
            revertedAt: z.string(),
            paths: z.array(z.string()),
          }),
        ),
        hotspot: z.string().nullable().describe('where its hottest input path ranks by revisions × lines, 90d'),
      }),
    ),
    coChangedFiles: z.object({
      items: z.array(
        z.object({
          path: z.string(),
          module: z.string(),
          support: z.number().describe('commits changing both'),
          confidence: z.number().describe('support / commits changing `with`'),
          with: z.string(),
          reason: z.string(),
        }),
      ),
      limit: z.number(),
      hasMore: z.boolean(),
      basis: z.number().describe('commits read (no merges, ≤ 50 files, last 2 years, latest 2,000)'),
      since: z.number().describe('window start, unix ms'),
    }),
    decisionRecords: z.object({
      items: z.array(
        z.object({
          number: z.number().nullable(),
          title: z.string(),
          status: z.string().nullable(),
          statusNote: z.string().optional(),
          path: z.string(),
          matched: z.array(z.string()).describe('the terms the record mentions'),
        }),
      ),
      limit: z.number(),
      hasMore: z.boolean(),
      notes: z.array(z.string()),
    }),
    risk: z.enum(['low', 'medium', 'high', 'unknown']),
    reasons: z.array(z.string()),
  },
  async handler(input, ctx) {
    const [{ assessChangeRisk }, { hotspotNotes }, { openIncidentLine }, { pathNotes }] = await Promise.all([
      import('../../history/change-risk.js'),
      import('../../history/hotspots.js'),
      import('../../history/open-incident-line.js'),
      import('../../triage/path-notes.js'),
    ]);
    const risk = assessChangeRisk(ctx, input.paths);
    const hot = await hotspotNotes(ctx, risk.modules);
    const open = openIncidentLine(ctx, input.paths);
    // The corrections logged on these paths and the rules for them: reason lines, not new fields (the tool
    // list is at its byte budget).
    return {
      ...risk,
      reasons: [...(open ? [open] : []), ...risk.reasons, ...pathNotes(ctx, input.paths)],
      modules: risk.modules.map((m) => ({ ...m, hotspot: hot.get(m.module) ?? null })),
    };
  },
  render(out) {
    const lines = [`risk ${out.risk.toUpperCase()}: ${out.reasons.join('; ')}`];
    for (const m of out.modules) {
      lines.push(
        `${m.module}: ${m.incidents90d} incidents in 90d, ${m.incidentsAllTime} all time` +
          (m.suspects90d ? ` (+${m.suspects90d} with unconfirmed suspects here)` : '') +
          (m.lastIncident
            ? `; last ${m.lastIncident.id} ${m.lastIncident.startedAt.slice(0, 10)} "${m.lastIncident.title}"`
            : '') +
          (m.reverts90d.length
            ? `; reverted: ${m.reverts90d.map((r) => `${r.sha} "${r.subject}" (${r.revertedAt.slice(0, 10)})`).join(', ')}`
            : '') +
          (m.hotspot ? `; ${m.hotspot}` : '') +
          (m.evidence.length ? `; behind it: ${m.evidence.join('; ')}` : ''),
      );
    }
    const co = out.coChangedFiles;
    if (co.items.length) {
      lines.push(
        `usually changed together: ${co.items.map((f) => `${f.path} ${Math.round(f.confidence * 100)}% (${f.support}× with ${f.with})`).join(', ')}${co.hasMore ? ', …' : ''}`,
      );
    }
    const dr = out.decisionRecords;
    for (const d of dr.items) {
      lines.push(
        `decision ${d.number ?? '-'} ${d.title} [${d.status ?? 'no status'}] ${d.path} (${d.matched.join(', ')})`,
      );
    }
    for (const n of dr.notes) lines.push(`note: ${n}`);
    return lines.join('\n');
  },
});
