import { describe, expect, it } from 'vitest';
import { rejectCause } from '../../src/attribution/reject.js';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { UserInputError } from '../../src/errors.js';
import { incidentLinks } from '../../src/store/links.js';
import { PAYMENTS_INCIDENT, importJson, paymentsStory } from '../helpers/stories.js';

// A person's verdict that a suspect is not the cause: it sticks through every later attribution.
async function attributed() {
  const story = await paymentsStory();
  importJson(story.ctx, [{ ...PAYMENTS_INCIDENT, fix_sha: story.fix }]);
  await refreshAttribution(story.ctx);
  const id = (story.ctx.store.prepare("SELECT id FROM incidents WHERE external_id = 'INC-7'").get() as { id: number })
    .id;
  const linkOf = (sha: string) => incidentLinks(story.ctx.store, id).find((l) => l.target === sha);
  return { ...story, id, linkOf };
}

describe('hindsight reject', () => {
  it('turns the confirmed cause rejected for good, with the reason, and re-attributes the incident', async () => {
    const { ctx, inducing, linkOf } = await attributed();
    expect(linkOf(inducing)?.status).toBe('confirmed');
    const res = await rejectCause(ctx, { incident: 'INC-7', commit: inducing.slice(0, 8), reason: 'ops changed it' });
    expect(res).toMatchObject({ incident: 'INC-7', commit: inducing, outcome: 'rejected' });
    await refreshAttribution(ctx, { all: true });
    expect(linkOf(inducing)).toBeUndefined(); // the answers never show it again
    const stored = ctx.store
      .prepare("SELECT status, evidence FROM incident_links WHERE kind = 'commit' AND target = ?")
      .get(inducing) as { status: string; evidence: string };
    expect(stored.status).toBe('rejected');
    expect(JSON.parse(stored.evidence).reasons[0]).toBe('rejected by a person: ops changed it');
    expect((await rejectCause(ctx, { incident: 'INC-7', commit: inducing, reason: 'again' })).outcome).toBe('already');
  });

  it('records a commit that was not a suspect, so attribution never proposes it', async () => {
    const { ctx, fix } = await attributed();
    const res = await rejectCause(ctx, { incident: 'INC-7', commit: fix, reason: 'this is the fix' });
    expect(res.outcome).toBe('recorded');
  });

  it('refuses what it cannot act on, naming the field, and stores no secret', async () => {
    const { ctx, inducing } = await attributed();
    await expect(rejectCause(ctx, { incident: 'INC-7', commit: 'abcd1234', reason: 'x' })).rejects.toMatchObject({
      field: 'commit',
    });
    await expect(rejectCause(ctx, { incident: 'INC-7', commit: inducing, reason: '  ' })).rejects.toBeInstanceOf(
      UserInputError,
    );
    await expect(rejectCause(ctx, { incident: 'NOPE-1', commit: inducing, reason: 'x' })).rejects.toBeInstanceOf(
      UserInputError,
    );
    const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    await rejectCause(ctx, { incident: 'INC-7', commit: inducing, reason: `token ${secret} leaked` });
    const text = JSON.stringify(ctx.store.prepare('SELECT evidence FROM incident_links').all());
    expect(text).not.toContain(secret);
  });
});
