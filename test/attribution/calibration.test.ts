import { describe, expect, it } from 'vitest';
import {
  C_MIN,
  GLOBAL_CALIBRATION,
  MIN_PAIRS,
  REPLAY_MODEL,
  calibrate,
  calibrationFor,
  confirmedIncidentsBefore,
  fitPlatt,
  replayKey,
  type CalibrationPoint,
  type ConfirmedIncident,
} from '../../src/attribution/calibration.js';
import type { SuspectQuery } from '../../src/attribution/candidates.js';
import { refreshAttribution } from '../../src/attribution/refresh.js';
import { replayPoints, suspectCalibration } from '../../src/attribution/score-suspects.js';
import { AttributionMemo, attributeIncident, rankSuspects } from '../../src/attribution/suspects.js';
import { ingestGit } from '../../src/ingest/git.js';
import { replayWatermark, saveReplays, storedReplays } from '../../src/store/calibration-replays.js';
import { incidentLinks } from '../../src/store/links.js';
import { testContext } from '../helpers/context.js';
import { gitdir } from '../helpers/gitdir.js';
import { importJson, shipEach } from '../helpers/stories.js';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T09:00:00Z');
const at = (days: number, hours = 0) => new Date(START + days * DAY + hours * 3_600_000).toISOString();
const source = (n: number) => `int f(int x)\n{\n    return x + ${n};\n}\n`;

/**
 * A repository whose history confirms causes: `pairs` changes to src/db/f<k>.c, each shipped and then fixed by a
 * shipped commit with a Linux-style `Fixes:` trailer naming it, two days per pair.
 */
async function confirmedHistory(pairs: number) {
  const g = gitdir();
  let n = 0;
  const commit = (file: string, message: string, day: number) =>
    g.commit({ files: { [file]: source(n++) }, message, date: at(day) });
  const ships: [string, string][] = [];
  for (let i = 0; i < pairs; i++) {
    const file = `src/db/f${i % 4}.c`;
    const cause = commit(file, `db: change ${i}`, 2 * i);
    const fix = commit(file, `db: repair change ${i}\n\nFixes: ${cause.slice(0, 12)} ("db: change ${i}")\n`, 2 * i + 1);
    ships.push([cause, at(2 * i, 3)], [fix, at(2 * i + 1, 3)]);
  }
  const ctx = testContext(g.path);
  await ingestGit(ctx);
  await shipEach(ctx, ships);
  return { g, ctx, commit };
}

const query = (startedAt: number, path = 'src/db/f0.c'): SuspectQuery => ({
  startedAt,
  env: 'production',
  service: null,
  module: null,
  files: [{ path, module: 'db' }],
});

/** An incident whose stack names src/db/f0.c, stored as the product imports it. */
function wrongSum(ctx: ReturnType<typeof testContext>, startedAt: number): number {
  const row = { id: 'INC-1', title: 'wrong sum', started_at: new Date(startedAt).toISOString() };
  return importJson(ctx, [{ ...row, stack_frames: ['at f (/build/src/db/f0.c:3:5)'] }]).incidentIds[0]!;
}

describe('suspect calibration per repository', () => {
  it('is fitted only on confirmed incidents whose fix came strictly before the incident began', async () => {
    const { g, ctx, commit } = await confirmedHistory(MIN_PAIRS + 2);
    const startedAt = START + 2 * (MIN_PAIRS + 2) * DAY + DAY;
    const before = suspectCalibration(ctx, query(startedAt), new AttributionMemo(ctx.store));
    expect(before.pairs).toBe(MIN_PAIRS + 2);
    expect(before).not.toEqual({ ...GLOBAL_CALIBRATION, pairs: MIN_PAIRS + 2 }); // this repository moved the map

    // A fix committed exactly when the incident began, and more after it: future information for this incident.
    const cause = commit('src/db/f0.c', 'db: late change', (startedAt - START) / DAY - 1);
    const fixes = [
      commit(
        'src/db/f0.c',
        `db: repair\n\nFixes: ${cause.slice(0, 12)} ("db: late change")\n`,
        (startedAt - START) / DAY,
      ),
      commit('src/db/f0.c', `db: repair again\n\nFixes: ${cause.slice(0, 12)} ("db: late change")\n`, 90),
    ];
    await ingestGit(ctx);
    await shipEach(ctx, [[cause, new Date(startedAt - DAY + 3_600_000).toISOString()]]);
    expect(confirmedIncidentsBefore(ctx.store, startedAt).map((c) => c.fix)).not.toContain(fixes[0]);
    const after = suspectCalibration(ctx, query(startedAt), new AttributionMemo(ctx.store));
    expect(after).toEqual(before);
    // an incident after them does learn from them
    const later = suspectCalibration(ctx, query(START + 100 * DAY), new AttributionMemo(ctx.store));
    expect(later.pairs).toBe(MIN_PAIRS + 4);
    g.git('log', '-1'); // the repository is still there for the next read
  }, 90_000); // 30+ replays of a real git history: ~15 s alone, twice that on a loaded machine

  it('is the score attribute stores and the evaluation ranks by, and says what it was fitted on', async () => {
    const { ctx } = await confirmedHistory(MIN_PAIRS + 2);
    const startedAt = START + 2 * (MIN_PAIRS + 2) * DAY + DAY;
    const incidentId = wrongSum(ctx, startedAt);
    const map = suspectCalibration(ctx, query(startedAt), new AttributionMemo(ctx.store));
    const links = (await attributeIncident(ctx, incidentId)).filter((l) => l.kind === 'commit');
    expect(links.length).toBeGreaterThan(1);
    for (const l of links) {
      expect(l.score).toBeCloseTo(
        calibrate(map, l.evidence.factors['logOdds']!, l.evidence.factors['handSet'] ?? 0),
        4,
      );
      expect(l.evidence.reasons.join(' ')).toMatch(
        new RegExp(`score calibrated on ${MIN_PAIRS + 2} confirmed incidents of this repository`),
      );
    }
    expect(links.some((l) => Math.abs(l.score - l.evidence.factors['model']!) > 0.01)).toBe(true);
    // what incident_suspects reads back, and what the evaluation's headline row ranks: the same calibrated scores
    const stored = new Map(incidentLinks(ctx.store, incidentId).map((l) => [l.target, l.score]));
    const ranked = new Map(rankSuspects(ctx, query(startedAt)).map((l) => [l.target, l.score]));
    for (const l of links) {
      expect(stored.get(l.target)).toBeCloseTo(l.score, 5);
      expect(ranked.get(l.target)).toBeCloseTo(l.score, 5);
    }
    // the uncalibrated ranking (the evaluation's ablation row) carries the model's own scores
    for (const l of rankSuspects(ctx, query(startedAt), { calibrate: false })) {
      expect(l.evidence.factors['model']).toBeUndefined();
      expect(l.score).toBeCloseTo(
        1 / (1 + Math.exp(-(l.evidence.factors['logOdds']! + (l.evidence.factors['handSet'] ?? 0)))),
        2,
      );
    }
  }, 90_000);

  it('falls back to the global map with too little confirmed history, and says so', async () => {
    const { ctx } = await confirmedHistory(3);
    const startedAt = START + 7 * DAY;
    const incidentId = wrongSum(ctx, startedAt);
    const links = (await attributeIncident(ctx, incidentId)).filter((l) => l.kind === 'commit');
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      expect(l.score).toBeCloseTo(
        calibrate(GLOBAL_CALIBRATION, l.evidence.factors['logOdds']!, l.evidence.factors['handSet'] ?? 0),
        4,
      );
      expect(l.evidence.reasons.join(' ')).toMatch(
        new RegExp(
          `global calibration map: only 3 confirmed incident\\(s\\) of this repository before this one, ${MIN_PAIRS} needed`,
        ),
      );
    }
  });
});

describe('calibration replays kept in the store', () => {
  const stored = (ctx: ReturnType<typeof testContext>, incs: readonly ConfirmedIncident[]) =>
    storedReplays(ctx.store, 'production', REPLAY_MODEL, incs.map(replayKey));
  const noReplay = (): CalibrationPoint[] => {
    throw new Error('replayed although stored');
  };

  it('an attribution run stores its replays; a later process reads them instead of replaying', async () => {
    const { ctx } = await confirmedHistory(MIN_PAIRS + 2);
    const startedAt = START + 2 * (MIN_PAIRS + 2) * DAY + DAY;
    wrongSum(ctx, startedAt);
    await refreshAttribution(ctx);
    const earlier = confirmedIncidentsBefore(ctx.store, startedAt);
    expect(stored(ctx, earlier).size).toBe(earlier.length);

    const fresh = new AttributionMemo(ctx.store).calibrationPoints('production', earlier, noReplay);
    const replayed = new AttributionMemo(ctx.store);
    for (const inc of earlier) expect(fresh.get(inc)).toEqual(replayPoints(ctx, 'production', inc, replayed));
    expect(suspectCalibration(ctx, query(startedAt), new AttributionMemo(ctx.store))).toEqual(
      calibrationFor(earlier, (inc) => replayPoints(ctx, 'production', inc, replayed)),
    );
    // a read-only caller (incident_suspects) computes what is missing but writes nothing
    new AttributionMemo(ctx.store).calibrationPoints('staging', earlier.slice(0, 2), () => []);
    expect(storedReplays(ctx.store, 'staging', REPLAY_MODEL, earlier.map(replayKey)).size).toBe(0);
  }, 90_000);

  it('an older deploy or commit deletes exactly the replays it can change; newer data deletes none', async () => {
    const { g, ctx } = await confirmedHistory(MIN_PAIRS + 2);
    const startedAt = START + 2 * (MIN_PAIRS + 2) * DAY + DAY;
    wrongSum(ctx, startedAt);
    await refreshAttribution(ctx);
    const earlier = confirmedIncidentsBefore(ctx.store, startedAt);
    const all = stored(ctx, earlier).size;
    expect(all).toBe(earlier.length);

    // a deploy and a commit newer than every fix
    const head = g.git('rev-parse', 'HEAD').trim();
    await shipEach(ctx, [[head, at(200)]]);
    g.commit({ files: { 'src/db/new.c': source(999) }, message: 'db: new', date: at(201) });
    await ingestGit(ctx);
    expect(stored(ctx, earlier).size).toBe(all);

    // a deploy recorded late, finished on day 20: the replays of fixes after it are gone, those before it kept
    const cut = START + 20 * DAY;
    await shipEach(ctx, [[earlier.at(-1)!.fix, new Date(cut).toISOString()]]);
    // (the deploy may also restructure others — what they carried, what they rolled back — each deleting after itself)
    const kept = stored(ctx, earlier);
    expect(kept.size).toBeGreaterThan(0);
    const scratch = new AttributionMemo(ctx.store);
    for (const inc of earlier) {
      if (inc.startedAt > cut) expect(kept.has(replayKey(inc))).toBe(false);
      else if (kept.has(replayKey(inc)))
        expect(JSON.parse(kept.get(replayKey(inc))!)).toEqual(replayPoints(ctx, 'production', inc, scratch));
    }
    // …and what is recomputed is what a replay from scratch gives now
    const memo = new AttributionMemo(ctx.store, { keepReplays: true });
    const points = memo.calibrationPoints('production', earlier, (inc) => replayPoints(ctx, 'production', inc, memo));
    for (const inc of earlier) expect(points.get(inc)).toEqual(replayPoints(ctx, 'production', inc, scratch));
    expect(stored(ctx, earlier).size).toBe(all);

    // a commit dated day 10 ingested late (a branch fetched now): replays after day 10 are gone
    g.git('checkout', '-q', '-b', 'old', earlier.at(-1)!.fix);
    g.commit({ files: { 'src/db/f9.c': source(998) }, message: 'db: old branch', date: at(10) });
    await ingestGit(ctx);
    const left = stored(ctx, earlier);
    expect(left.size).toBeGreaterThan(0);
    for (const inc of earlier) expect(left.has(replayKey(inc))).toBe(inc.startedAt <= START + 10 * DAY);
  }, 90_000);

  it('keeps no replay computed while another writer stored a deploy or commit', async () => {
    const { ctx } = await confirmedHistory(2);
    const row = { fixKey: 'f:c', startedAt: START, points: '[[0.5,0,1]]' };
    const before = replayWatermark(ctx.store);
    await shipEach(ctx, [[confirmedIncidentsBefore(ctx.store, START + 10 * DAY)[0]!.fix, at(30)]]);
    expect(saveReplays(ctx.store, 'production', REPLAY_MODEL, [row], before)).toBe(0);
    expect(saveReplays(ctx.store, 'production', REPLAY_MODEL, [row], replayWatermark(ctx.store))).toBe(1);
    expect(storedReplays(ctx.store, 'production', REPLAY_MODEL, ['f:c']).get('f:c')).toBe(row.points);
    expect(storedReplays(ctx.store, 'production', `${REPLAY_MODEL}x`, ['f:c']).size).toBe(0);
  });
});

describe('the Platt fit', () => {
  it('recovers the map that generated the outcomes, and stays at the prior with nothing to learn from', () => {
    const truth = { a: 0.6, b: -1.2, c: 1 };
    const points: CalibrationPoint[] = [];
    // deterministic outcomes at the true rate of each log-odds (a low-discrepancy sequence); some with hand-set evidence
    for (let i = 0; i < 4000; i++) {
      const z = -6 + (8 * (i % 97)) / 96;
      const hand = i % 5 === 0 ? 2 : 0;
      const p = calibrate({ ...truth, pairs: 0 }, z, hand);
      points.push([z, hand, (i * 0.618034) % 1 < p ? 1 : 0]);
    }
    const fit = fitPlatt(points, GLOBAL_CALIBRATION);
    expect(fit.a).toBeCloseTo(truth.a, 1);
    expect(fit.b).toBeCloseTo(truth.b, 1);
    expect(fit.c).toBeCloseTo(1, 1);
    expect(fitPlatt([], GLOBAL_CALIBRATION)).toEqual({
      a: GLOBAL_CALIBRATION.a,
      b: GLOBAL_CALIBRATION.b,
      c: GLOBAL_CALIBRATION.c,
    });
    expect(fitPlatt(points, GLOBAL_CALIBRATION)).toEqual(fit); // deterministic
  });

  it('discounts hand-set evidence the repository shows to be over-confident, but never below C_MIN', () => {
    // Suspects with a deploy just before (hand-set +4) are causes no more often than the model's log-odds say.
    const points = (c: number): CalibrationPoint[] =>
      Array.from({ length: 4000 }, (_, i) => {
        const z = -6 + (8 * (i % 97)) / 96;
        const hand = i % 3 === 0 ? 4 : 0;
        const p = calibrate({ a: 0.6, b: -1.2, c, pairs: 0 }, z, hand);
        return [z, hand, (i * 0.618034) % 1 < p ? 1 : 0];
      });
    const fit = fitPlatt(points(0.7), GLOBAL_CALIBRATION);
    expect(fit.c).toBeCloseTo(0.7, 1);
    // a suspect scored 0.45 by the first-round map (hand-set added whole) reads lower now
    const overConfident = calibrate({ ...fit, c: 1, pairs: 0 }, -4, 4);
    expect(calibrate({ ...fit, pairs: 0 }, -4, 4)).toBeLessThan(overConfident - 0.05);
    expect(fitPlatt(points(0), GLOBAL_CALIBRATION).c).toBe(C_MIN);
  });
});
