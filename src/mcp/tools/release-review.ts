import { z } from 'zod';
import { LIMITS } from '../../limits.js';
import { defineTool } from '../define-tool.js';

const num = z.number().nullable();

export const releaseReviewTool = defineTool({
  name: 'release_review',
  title: 'Release review',
  description:
    'Call after a delivery: lead time, failed CI runs and why, approval waits, manual steps, checks that never fail ' +
    'or missed an incident, incidents, signal steps, deltas vs the previous release, one suggested change.',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: {
    deploy: z.string().min(1).max(LIMITS.name).optional().describe('deploy id, sha or tag; default the latest'),
    releases: z.number().int().min(2).max(50).default(10).describe('releases read for check history'),
  },
  output: {
    deploy: z.object({
      id: z.number(),
      env: z.string(),
      service: z.string(),
      sha: z.string(),
      ref: z.string().nullable(),
      status: z.string(),
      finishedAt: z.string(),
    }),
    previous: z.object({ id: z.number(), finishedAt: z.string() }).nullable(),
    figures: z.object({
      commits: z.number(),
      leadMedianH: num,
      leadP90H: num,
      failedBuilds: z.number(),
      approvalWaitH: num,
      manualRuns: z.number(),
      incidents: z.number(),
    }),
    findings: z.array(z.object({ topic: z.string(), text: z.string(), basis: z.string() })),
    better: z.array(z.string()),
    worse: z.array(z.string()),
    suggestion: z.object({ change: z.string(), rule: z.string() }).nullable(),
  },
  async handler(input, ctx) {
    const { reviewRelease } = await import('../../delivery/release-review.js');
    return reviewRelease(ctx, {
      ...(input.deploy !== undefined ? { deploy: input.deploy } : {}),
      releases: input.releases,
    });
  },
  async render(out) {
    const { renderReleaseReview } = await import('../../delivery/release-review.js');
    return renderReleaseReview(out);
  },
});
