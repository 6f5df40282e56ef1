import { confirmedCauses } from '../store/links.js';
import type { Db } from '../store/open.js';
import { failureRows, firstShippedAt, incidentPaths, type FailureRow } from '../store/suspect-facts.js';
import { pathsMatch } from './paths.js';
import { round } from './score.js';

/** How far apart two occurrences of the same failure may be. */
export const RECURRENCE_WINDOW_MS = 180 * 24 * 3600 * 1000;

/** Normalised title: the same failure is often filed again with a different number or date in its title. */
export function titleKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/[0-9]+/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

interface FailureShape {
  title: string;
  module: string | null;
  files: { path: string }[];
}

/** Same failure: the same title once numbers are dropped, or the same module with most files in common. */
function sameFailure(a: FailureShape, b: FailureShape): boolean {
  const key = titleKey(a.title);
  if (key.length > 0 && key === titleKey(b.title)) return true;
  if (!a.module || a.module !== b.module || a.files.length === 0 || b.files.length === 0) return false;
  const shared = a.files.filter((f) => b.files.some((g) => pathsMatch(f.path, g.path))).length;
  return shared / a.files.length >= 0.5;
}

/** An incident looking for other occurrences of its failure. */
export interface FailureQuery extends FailureShape {
  id: number;
  env: string;
  startedAt: number;
}

/** A commit that another occurrence's fix confirmed, as evidence for this one. */
export interface RecurrenceCause {
  sha: string;
  score: number;
  reasons: string[];
}

/**
 * The other occurrences of a failure, found through buckets instead of a scan. Same failure means the same title
 * key or the same module (see sameFailure), so only incidents of the same environment with the same title key or
 * module can match, and a search wants either those with a fix or those without: each bucket is a list sorted by
 * start, and a window is a binary search plus the matches. Scanning
 * every incident of the 180-day window for each incident was quadratic (54% of the CPU at 10k incidents).
 * Built on first use and kept for one attribution run, during which incidents do not change (links do: the causes
 * of an incident are read again after it is attributed).
 */
export class FailureIndex {
  private byTitle: Map<string, FailureRow[]> | undefined;
  private byModule = new Map<string, FailureRow[]>();
  private readonly shapes = new Map<number, FailureShape>();
  private readonly causes = new Map<number, { sha: string; score: number; authoredAt: number }[]>();
  private readonly shipped = new Map<string, number | undefined>();

  constructor(private readonly db: Db) {}

  /** Forget what an incident's links said (it was attributed again). */
  linksChanged(incidentId: number): void {
    this.causes.delete(incidentId);
  }

  /** Earlier incidents of the same failure without a fix of their own, in the same environment. */
  earlierOccurrences(inc: FailureQuery): FailureRow[] {
    return this.window(inc, 0, inc.startedAt - RECURRENCE_WINDOW_MS, inc.startedAt, false).filter((r) =>
      sameFailure(inc, this.shapeOf(r)),
    );
  }

  /**
   * A later occurrence of the same failure whose fix confirmed a cause: if that cause had shipped before this
   * incident began, it explains this one too (the failure recurred until the fix shipped).
   */
  recurrenceCauses(inc: FailureQuery): RecurrenceCause[] {
    const out: RecurrenceCause[] = [];
    const seen = new Set<string>();
    for (const s of this.window(inc, 1, inc.startedAt, inc.startedAt + RECURRENCE_WINDOW_MS, true)) {
      if (!sameFailure(inc, this.shapeOf(s))) continue;
      for (const c of this.causesOf(s.id)) {
        if (c.authoredAt > inc.startedAt || seen.has(c.sha)) continue;
        const shippedAt = this.shippedAt(c.sha, inc.env);
        if (shippedAt === undefined || shippedAt >= inc.startedAt) continue;
        seen.add(c.sha);
        out.push({
          sha: c.sha,
          score: round(c.score * 0.95),
          reasons: [
            `same failure as ${s.externalId} ("${s.title.slice(0, 60)}"), whose fix confirmed this commit; it recurred until that fix shipped`,
          ],
        });
      }
    }
    return out;
  }

  /**
   * Incidents of `inc`'s environment that may be the same failure, other than `inc`, with a fix or root cause
   * (`known` 1) or without (0), started in [from, to) (`later`: in (from, to]), by start then id.
   */
  private window(inc: FailureQuery, known: number, from: number, to: number, later: boolean): FailureRow[] {
    this.byTitle ??= this.build();
    const lists: FailureRow[][] = [];
    const key = titleKey(inc.title);
    if (key.length > 0) lists.push(this.byTitle.get(`${known}\0${inc.env}\0${key}`) ?? []);
    if (inc.module && inc.files.length > 0) lists.push(this.byModule.get(`${known}\0${inc.env}\0${inc.module}`) ?? []);
    const inside = (t: number) => (later ? t > from && t <= to : t >= from && t < to);
    const out = new Map<number, FailureRow>();
    for (const list of lists) {
      for (let i = lowerBound(list, from); i < list.length && list[i]!.startedAt <= to; i++) {
        const r = list[i]!;
        if (r.id !== inc.id && inside(r.startedAt)) out.set(r.id, r);
      }
    }
    return lists.length < 2
      ? [...out.values()]
      : [...out.values()].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  }

  private build(): Map<string, FailureRow[]> {
    const byTitle = new Map<string, FailureRow[]>();
    const push = (map: Map<string, FailureRow[]>, key: string, r: FailureRow) => {
      const list = map.get(key);
      if (list) list.push(r);
      else map.set(key, [r]);
    };
    // Sorted by start, id: so is every bucket.
    for (const r of failureRows(this.db)) {
      const key = titleKey(r.title);
      if (key.length > 0) push(byTitle, `${r.known}\0${r.env}\0${key}`, r);
      if (r.module) push(this.byModule, `${r.known}\0${r.env}\0${r.module}`, r);
    }
    return byTitle;
  }

  private shapeOf(r: FailureRow): FailureShape {
    let shape = this.shapes.get(r.id);
    if (!shape) {
      shape = { title: r.title, module: r.module, files: incidentPaths(this.db, r.id).map((path) => ({ path })) };
      this.shapes.set(r.id, shape);
    }
    return shape;
  }

  private causesOf(id: number): { sha: string; score: number; authoredAt: number }[] {
    let list = this.causes.get(id);
    if (!list) this.causes.set(id, (list = confirmedCauses(this.db, id)));
    return list;
  }

  private shippedAt(sha: string, env: string): number | undefined {
    const key = `${env}\0${sha}`;
    if (!this.shipped.has(key)) this.shipped.set(key, firstShippedAt(this.db, sha, env));
    return this.shipped.get(key);
  }
}

/** The first index whose start is at or after `t`. */
function lowerBound(list: readonly FailureRow[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.startedAt < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
