import { describe, expect, it } from 'vitest';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { mcpClient } from '../helpers/mcp.js';
import { seeder } from '../helpers/seed.js';

describe('ui://hindsight/dashboard', () => {
  it('is listed as an MCP App resource and reads as the dashboard page, escaped', async () => {
    const ctx = testContext(gitdir().path, { now: Date.parse('2026-03-01T00:00:00Z') });
    seeder(ctx).incident({
      externalId: 'INC-7',
      title: '<script>alert(1)</script>',
      startedAt: '2026-02-20T10:00:00Z',
    });
    const client = await mcpClient(ctx);
    try {
      const { resources } = await client.listResources();
      expect(resources.find((r) => r.uri === 'ui://hindsight/dashboard')).toMatchObject({
        name: 'dashboard',
        mimeType: 'text/html;profile=mcp-app',
      });
      const read = await client.readResource({ uri: 'ui://hindsight/dashboard' });
      const page = read.contents[0] as { mimeType: string; text: string };
      expect(page.mimeType).toBe('text/html;profile=mcp-app');
      expect(page.text).toMatch(/^<!doctype html>/);
      expect(page.text).toContain('INC-7 &#60;script&#62;alert(1)&#60;/script&#62;');
      expect(page.text).not.toContain('<script');
    } finally {
      await client.close();
    }
  });
});
