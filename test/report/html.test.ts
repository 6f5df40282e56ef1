import { describe, expect, it } from 'vitest';
import { dashboardData } from '../../src/report/data.js';
import { renderDashboard } from '../../src/report/html.js';
import { esc, niceMax } from '../../src/report/svg.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { seeder } from '../helpers/seed.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');

describe('the dashboard page', () => {
  it('says, section by section, what set-up is missing on an empty database', async () => {
    const ctx = testContext(gitdir().path, { now: NOW });
    const html = renderDashboard(await dashboardData(ctx, { now: NOW, windowDays: 90 }));
    expect(html).toContain(
      'No deploys in this span. Record them from your CD step with <code>hindsight deploy record</code>',
    );
    expect(html).toContain('No incidents in this span. Import them with <code>hindsight ingest incidents FILE</code>');
    expect(html).toContain('No commits in this span. Ingest the repository with <code>hindsight ingest git</code>');
    expect(html).toContain('No agent tasks or interrupts yet.');
    expect(html).toContain('No incidents recorded.');
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=/);
  });

  it('escapes every stored text: incident titles and modules, commit subjects', async () => {
    const ctx = testContext(gitdir().path, { now: NOW });
    const seed = seeder(ctx);
    const sha = seed.commit({
      at: NOW - 3 * 86_400_000,
      files: ['src/pay/a.ts'],
      subject: '<img src=x onerror=alert(1)>',
    });
    const incidentId = seed.incident({
      externalId: 'INC-1',
      title: '</title><script>alert(2)</script>',
      module: '"><svg onload=alert(3)>',
      startedAt: NOW - 86_400_000,
    });
    seed.link({ incidentId, sha, score: 0.8 });
    const html = renderDashboard(await dashboardData(ctx, { now: NOW, windowDays: 90 }));
    expect(html).toContain('&#60;/title&#62;&#60;script&#62;alert(2)&#60;/script&#62;');
    expect(html).toContain('&#34;&#62;&#60;svg onload=alert(3)&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toMatch(/<script|<img|<svg onload/);
  });

  it('escapes the five characters that matter in text and attributes; axes end on round numbers', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect([0, 0.3, 3.2, 17, 120, 2400].map(niceMax)).toEqual([1, 0.5, 5, 20, 200, 2500]);
  });
});
