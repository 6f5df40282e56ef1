import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COVERS_THRESHOLD, coverageScore, documentIdf } from '../../src/triage/coverage-score.js';

interface Labelled {
  records: { id: string; kind: string; title: string; body: string }[];
  pairs: {
    summary: string;
    detail: string | null;
    paths: string[];
    module: string;
    record: string;
    covered: boolean;
  }[];
}

const set = JSON.parse(
  readFileSync(new URL('../fixtures/coverage-labelled.json', import.meta.url), 'utf8'),
) as Labelled;
const idf = documentIdf(set.records);
const byId = new Map(set.records.map((r) => [r.id, r]));
const scored = set.pairs.map((p) => ({ ...p, result: coverageScore(p, byId.get(p.record)!, idf) }));

describe('coverage score on the labelled set', () => {
  it('is a real labelled set: ≥ 40 pairs, roughly half covered', () => {
    expect(set.pairs.length).toBeGreaterThanOrEqual(40);
    const covered = set.pairs.filter((p) => p.covered).length;
    expect(covered / set.pairs.length).toBeGreaterThan(0.35);
    expect(covered / set.pairs.length).toBeLessThan(0.65);
  });

  it(`reaches precision ≥ 0.9 and recall ≥ 0.7 at the threshold ${COVERS_THRESHOLD}`, () => {
    const said = scored.filter((s) => s.result.score >= COVERS_THRESHOLD);
    const tp = said.filter((s) => s.covered).length;
    const precision = tp / said.length;
    const recall = tp / scored.filter((s) => s.covered).length;
    if (process.env['COVERAGE_SCORES']) {
      for (const s of scored) console.log(s.covered ? 'Y' : 'n', s.result.score.toFixed(3), s.record, s.summary);
      console.log({ precision, recall, threshold: COVERS_THRESHOLD });
    }
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.7);
  });

  it('does not let one shared word ("key") cover an e2e failure', () => {
    const miss = scored.find((s) => s.summary.startsWith('e2e checkout spec timed out'))!;
    expect(miss.result.score).toBeLessThan(COVERS_THRESHOLD);
  });

  it('says why it matched: the shared terms and the paths or module the record names', () => {
    const hit = scored.find((s) => s.summary.startsWith("Didn't know whether a gateway retry"))!;
    expect(hit.result.terms).toEqual(expect.arrayContaining(['idempotency', 'key', 'retry', 'gateway', 'charges']));
    expect(hit.result.scope).toEqual(['directory src/payments', 'module payments']);
  });
});
