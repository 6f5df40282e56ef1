import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import { draftFixes, fixTypeFor, renderFixDraft } from '../../src/decisions/draft.js';
import { parseDecisionRecord } from '../../src/decisions/records.js';
import { validateRuleText } from '../../src/decisions/rules.js';
import { skillDescriptionProblem, skillNameProblem } from '../../src/decisions/skills.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';
import { clusterRow, countFixes, fixRow, interruptFixIds, seedCluster } from './seed-triage.js';

const NOW = Date.parse('2026-03-08T12:00:00Z');

function scenario() {
  const g = gitdir();
  writeFileSync(join(g.path, 'AGENTS.md'), '# Agents\n');
  const ctx = testContext(g.path, { now: NOW });
  const adr = seedCluster(ctx, {
    category: 'missing_context',
    module: 'payments',
    label: 'idempotency key retry',
    paths: ['src/payments/charge.ts'],
    entries: [
      { summary: 'Which idempotency key should a retry use? See INC-101', at: '2026-03-03T10:00:00Z' },
      { summary: 'Retry keys for charge() again', at: '2026-03-05T10:00:00Z', kind: 'correction' },
      { summary: 'Idempotency for refunds?', at: '2026-03-07T10:00:00Z' },
    ],
  });
  const rule = seedCluster(ctx, {
    category: 'policy_gap',
    label: 'migration review',
    paths: ['db/migrations/0042.sql'],
    entries: [
      { summary: 'Agent merged a migration without review', at: '2026-03-04T10:00:00Z', kind: 'correction' },
      { summary: 'Migration shipped unreviewed', at: '2026-03-06T10:00:00Z', kind: 'correction' },
    ],
  });
  const skill = seedCluster(ctx, {
    category: 'tool_failure',
    module: 'search',
    label: 'claude reindex timeout',
    terms: ['reindex', 'timeout'],
    entries: [
      { summary: 'reindex script timed out', at: '2026-03-02T10:00:00Z' },
      { summary: 'reindex timeout again', at: '2026-03-07T10:00:00Z' },
    ],
  });
  const once = seedCluster(ctx, {
    category: 'policy_gap',
    label: 'lint config',
    entries: [{ summary: 'eslint rule unclear', at: '2026-03-07T10:00:00Z' }],
  });
  const old = seedCluster(ctx, {
    category: 'policy_gap',
    label: 'old thing',
    entries: [
      { summary: 'old 1', at: '2026-01-01T10:00:00Z' },
      { summary: 'old 2', at: '2026-01-02T10:00:00Z' },
    ],
  });
  seeder(ctx).incident({ externalId: 'INC-101', title: 'Customers charged twice', startedAt: '2026-02-20T10:00:00Z' });
  return { g, ctx, adr, rule, skill, once, old };
}

describe('draftFixes', () => {
  it('drafts the right kind of stub for each uncovered recurring cluster, with the evidence, marked proposed', async () => {
    const s = scenario();
    const drafted = await draftFixes(s.ctx, { now: NOW, windowDays: 7, minEntries: 2 });
    expect(drafted.map((d) => [d.clusterId, d.type, d.written])).toEqual([
      [s.adr.clusterId, 'adr', true],
      [s.skill.clusterId, 'skill', true], // two entries each: the most recent first
      [s.rule.clusterId, 'rule', true],
    ]);
    const [adr, skill, rule] = drafted;

    const adrText = readFileSync(join(s.g.path, adr!.path), 'utf8');
    expect(adr!.path).toBe('docs/adr/0001-decide-on-idempotency-key-retry-payments.md');
    expect(parseDecisionRecord(adrText, adr!.path)).toMatchObject({ status: 'proposed', number: 1 });
    expect(adrText).toMatch(/3 interrupts and corrections in the last 7 days/);
    expect(adrText).toContain('* Incident INC-101: Customers charged twice');
    expect(adrText).toContain(`* Correction #${s.adr.interruptIds[1]} (2026-03-05): Retry keys for charge() again`);

    const agents = readFileSync(join(s.g.path, 'AGENTS.md'), 'utf8');
    expect(rule!.path).toBe('AGENTS.md');
    expect(agents).toMatch(
      /## Rules from hindsight\n\n- Changes about migration review MUST follow the policy agreed in triage/,
    );
    expect(agents).toMatch(/2 interrupts and corrections in the last 7 days .*db\/migrations\/0042\.sql/);

    // The skill name avoids the reserved word and follows the Agent Skills rules.
    expect(skill!.path).toBe('.claude/skills/search-reindex-timeout/SKILL.md');
    const skillFile = matter(readFileSync(join(s.g.path, skill!.path), 'utf8'));
    expect(skillFile.data['name']).toBe('search-reindex-timeout');
    expect(skillDescriptionProblem(skillFile.data['description'] as string)).toBeUndefined();

    for (const d of drafted) {
      expect(fixRow(s.ctx, d.fixId)).toMatchObject({ status: 'proposed', cluster_id: d.clusterId, type: d.type });
      expect(clusterRow(s.ctx, d.clusterId).fix_id).toBe(d.fixId);
    }
    expect(interruptFixIds(s.ctx, s.adr.interruptIds)).toEqual([adr!.fixId, adr!.fixId, adr!.fixId]);
    expect(clusterRow(s.ctx, s.once.clusterId).fix_id).toBeNull();
    expect(clusterRow(s.ctx, s.old.clusterId).fix_id).toBeNull();

    // Covered now: a second run drafts nothing.
    expect(await draftFixes(s.ctx, { now: NOW, windowDays: 7, minEntries: 2 })).toEqual([]);
  });

  it('dry run writes and records nothing; limit caps the clusters', async () => {
    const s = scenario();
    const drafted = await draftFixes(s.ctx, { now: NOW, windowDays: 7, minEntries: 2, dryRun: true, limit: 2 });
    expect(drafted).toHaveLength(2);
    expect(drafted.every((d) => d.fixId === 0 && !d.written)).toBe(true);
    expect(countFixes(s.ctx)).toBe(0);
    expect(readFileSync(join(s.g.path, 'AGENTS.md'), 'utf8')).toBe('# Agents\n');
    expect(clusterRow(s.ctx, s.adr.clusterId).fix_id).toBeNull();
  });

  it('never replaces a skill someone wrote: the stub takes a name of its own', async () => {
    const s = scenario();
    mkdirSync(join(s.g.path, '.claude/skills/search-reindex-timeout'), { recursive: true });
    writeFileSync(join(s.g.path, '.claude/skills/search-reindex-timeout/SKILL.md'), '---\nname: x\n---\nMine.\n');
    const drafted = await draftFixes(s.ctx, { now: NOW, windowDays: 7, minEntries: 2 });
    expect(drafted.find((d) => d.type === 'skill')!.path).toBe('.claude/skills/search-reindex-timeout-2/SKILL.md');
    expect(readFileSync(join(s.g.path, '.claude/skills/search-reindex-timeout/SKILL.md'), 'utf8')).toMatch(/Mine/);
  });
});

describe('renderFixDraft', () => {
  it('maps categories to fix types and produces inputs the proposal rules accept', () => {
    expect(['missing_context', 'ambiguous_spec', 'policy_gap', 'tool_failure', 'other'].map(fixTypeFor)).toEqual([
      'adr',
      'adr',
      'rule',
      'skill',
      'rule',
    ]);
    const cluster = {
      id: 9,
      category: 'other',
      module: '',
      label: 'flaky e2e',
      terms: [],
      paths: [],
      size: 2,
      fixId: null,
      count: 2,
    };
    const draft = renderFixDraft({ cluster, entries: [], incidents: [], windowDays: 7 });
    expect(draft.type).toBe('rule');
    if (draft.type === 'rule') expect(() => validateRuleText(draft.input.rule)).not.toThrow();
    const skill = renderFixDraft({
      cluster: { ...cluster, category: 'tool_failure', label: '!!!' },
      entries: [],
      incidents: [],
      windowDays: 7,
    });
    if (skill.type === 'skill') expect(skillNameProblem(skill.input.name)).toBeUndefined();
    expect(skill.type === 'skill' && skill.input.name).toBe('cluster-9');
  });
});
