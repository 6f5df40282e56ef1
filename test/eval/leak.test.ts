import { describe, expect, it } from 'vitest';
import { maskFixMessage } from '../../src/attribution/similarity.js';
import { findLeak, maskForEval } from '../../src/eval/leak.js';

const cause = { sha: '3f9a1c27d0b54e8e9a6b1f0c2d3e4f5a6b7c8d9e', subject: 'netdev-dpdk: Add vhost queue mapping' };
const other = { sha: '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d', subject: 'ofproto: Refactor flow translation' };

/** Ways real fix messages point at the commit they fix; the masked text must name none of them. */
const MESSAGES = [
  `netdev-dpdk: Fix queue mapping leak.\n\nThe mapping is never freed.\n\nFixes: 3f9a1c27d0b5 ("netdev-dpdk: Add vhost queue mapping")\nSigned-off-by: A <a@b.c>\n`,
  `netdev-dpdk: Fix queue mapping leak.\n\nCommit 3f9a1c27d0b5 ("netdev-dpdk: Add vhost queue mapping") added a map\nthat is never freed.\n`,
  `netdev-dpdk: Fix leak.\n\nFixes: 3f9a1c27d0b54e8e ("netdev-dpdk: Add vhost\n queue mapping")\n`,
  `Revert "netdev-dpdk: Add vhost queue mapping"\n\nThis reverts commit 3f9a1c27d0b54e8e9a6b1f0c2d3e4f5a6b7c8d9e.\n\nIt leaks.\n`,
  `netdev-dpdk: Fix leak.\n\nFixes: 3f9a1c2 ('netdev-dpdk: Add vhost queue mapping')\nFixes: 0c1d2e3f4a5b ("ofproto: Refactor flow translation")\n`,
  `netdev-dpdk: Fix leak.\n\nIntroduced-by: 3F9A1C27D0B5\nLink: https://example.com/3f9a1c27d0b5\n`,
];

describe('masking the fix message (no leakage)', () => {
  it.each(MESSAGES.map((m, i) => [i, m] as const))(
    'message %i names neither the sha nor the subject once masked',
    (_, msg) => {
      const masked = maskFixMessage(msg);
      expect(findLeak(masked, [cause, other])).toBeNull();
      // what the fix says about itself survives, so similarity has something honest to read
      expect(masked.toLowerCase()).toMatch(/leak|freed/);
    },
  );

  it('the leak check itself catches an unquoted subject, and the eval scrubs it and counts it', () => {
    const msg = `netdev-dpdk: Fix leak.\n\nSince netdev-dpdk: Add vhost queue mapping the map leaks.\n`;
    expect(findLeak(maskFixMessage(msg), [cause])).toMatch(/subject/);
    const res = maskForEval(msg, [cause]);
    expect(res.leaked).toMatch(/subject/);
    expect(findLeak(res.text, [cause])).toBeNull();
  });
});
