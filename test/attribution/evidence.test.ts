import { describe, expect, it } from 'vitest';
import { attributeIncident } from '../../src/attribution/suspects.js';
import { recordDeploy } from '../../src/ingest/deploys.js';
import { ingestGit } from '../../src/ingest/git.js';
import { gitdir } from '../helpers/gitdir.js';
import { testContext } from '../helpers/context.js';
import { importJson } from '../helpers/stories.js';

const source = (cond: string, comment: string, indent = '    ') => `// ${comment}
export function check(len: number, max: number): number {
${indent}if (${cond}) {
${indent}${indent}return -1;
${indent}}
${indent}return 0;
}
`;

describe('attribution evidence for a fixed incident', () => {
  it('says which lines were blamed, what the filters dropped, and why the winner won', async () => {
    const g = gitdir();
    const initial = g.commit({
      files: { 'src/limits/check.ts': source('len > max', 'limits'), 'src/limits/other.ts': 'export const x = 1;\n' },
      message: 'limits: add length check',
      date: '2026-01-01T10:00:00Z',
    });
    const inducing = g.commit({
      files: { 'src/limits/check.ts': source('len >= max + 1', 'limits') },
      message: 'limits: allow one more byte in the length check',
      date: '2026-01-05T10:00:00Z',
    });
    const noise = g.commit({
      files: { 'src/limits/check.ts': source('len >= max + 1', 'length limits', '  ') },
      message: 'style: two-space indent, comment wording',
      date: '2026-01-06T10:00:00Z',
    });
    const fix = g.commit({
      files: { 'src/limits/check.ts': source('len > max', 'length limits (inclusive)', '  ') },
      message: `limits: fix off-by-one in the length check\n\nFixes: ${inducing.slice(0, 12)} ("limits: allow one more byte in the length check")\n`,
      date: '2026-01-10T10:00:00Z',
    });
    const ctx = testContext(g.path);
    await ingestGit(ctx);
    for (const [sha, at] of [
      [initial, '2026-01-01T12:00:00Z'],
      [inducing, '2026-01-05T12:00:00Z'],
      [noise, '2026-01-06T12:00:00Z'],
    ] as const) {
      await recordDeploy(ctx, { ref: sha, status: 'success', finishedAt: Date.parse(at) });
    }
    const { incidentIds } = importJson(ctx, [
      {
        id: 'INC-9',
        title: 'uploads rejected',
        started_at: '2026-01-07T08:00:00Z',
        files: ['src/limits/check.ts'],
        fix_sha: fix,
      },
    ]);
    const links = await attributeIncident(ctx, incidentIds[0]!);
    const top = links[0]!;
    expect(top).toMatchObject({ kind: 'commit', target: inducing, status: 'confirmed' });
    const reasons = top.evidence.reasons.join('\n');
    // the fix's own trailer names the cause, and blame agrees
    expect(reasons).toMatch(/named by the fix .* itself \(Fixes: /);
    expect(reasons).toMatch(/last changed 1 line\(s\) that fix .* changed \(100% of the blamed lines\)/);
    expect(reasons).toMatch(/why this one: only commit the blame points at/);
    expect(top.evidence.blamed?.join('\n')).toMatch(/src\/limits\/check\.ts:3 {2}if \(len >= max \+ 1\) \{/);
    // the re-indent and the comment edit were filtered, and the answer says so
    expect(reasons).toMatch(/note: 1 blank or comment-only line\(s\) the fix changed were not blamed/);
    expect(links.some((l) => l.target === noise && l.status === 'confirmed')).toBe(false);
  });
});
