import { mentionedTerms, termMatchers, type TermMatcher } from '../decisions/records.js';
import { termBag } from './terms.js';

/**
 * Whether a decision record, rule or skill covers an interrupt: an IDF-weighted share of the entry's stemmed
 * terms (stop words out) that the document's title and text hold, plus a scope term when the document names the
 * entry's files, their directory or its module. Measured on test/fixtures/coverage-labelled.json (precision and
 * recall in test/triage/coverage-score.test.ts and bench/FINDINGS.md); tune here only against that set.
 */
export const COVERS_THRESHOLD = 0.35;
/** A term found only in the document's text counts this much of a title hit. */
const BODY_WEIGHT = 0.6;
/** The document names one of the entry's files (a directory or module: half). */
const SCOPE_WEIGHT = 0.2;
/** One shared word ("key", "timeout") is chance, whatever its weight. */
const MIN_SHARED_TERMS = 2;

export interface CoverageDoc {
  title: string;
  body: string;
}

export interface CoverageEntry {
  summary: string;
  detail: string | null;
  paths: readonly string[];
  module: string;
}

export interface CoverageScore {
  score: number;
  /** the entry's words the document holds, heaviest first */
  terms: string[];
  /** the entry's paths, directories or module the document names ("path src/payments/gateway.ts") */
  scope: string[];
}

/** How rare each stem is across the documents an entry is compared with: ln((N + 1) / (df + 0.5)). */
export type Idf = (stem: string) => number;

/** The IDF of a set of documents, counted once per document over its title and text. */
export function documentIdf(docs: readonly CoverageDoc[]): Idf {
  const df = new Map<string, number>();
  for (const d of docs) {
    for (const t of termBag(d.title, d.body).weights.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const n = docs.length;
  return (stem) => Math.log((n + 1) / ((df.get(stem) ?? 0) + 0.5));
}

/** The coverage score of `doc` for `entry` in [0, 1 + SCOPE_WEIGHT], with the terms and scope behind it. */
export function coverageScore(entry: CoverageEntry, doc: CoverageDoc, idf: Idf): CoverageScore {
  const terms = termBag(entry.summary, entry.detail);
  const title = termBag(doc.title).weights;
  const body = termBag(doc.body).weights;
  let total = 0;
  let hit = 0;
  const shared: { word: string; weight: number }[] = [];
  for (const [t, w] of terms.weights) {
    const weight = w * Math.max(idf(t), 0.05);
    total += weight;
    const share = title.has(t) ? 1 : body.has(t) ? BODY_WEIGHT : 0;
    if (share > 0) {
      hit += weight * share;
      shared.push({ word: terms.surface.get(t) ?? t, weight: weight * share });
    }
  }
  if (shared.length < MIN_SHARED_TERMS || total === 0) return { score: 0, terms: [], scope: [] };
  const named = mentionedTerms(`${doc.title}\n${doc.body}`.toLowerCase(), scopeMatchers(entry));
  const scope = named.some((m) => m.kind === 'path') ? 1 : named.length > 0 ? 0.5 : 0;
  return {
    score: hit / total + SCOPE_WEIGHT * scope,
    terms: shared.sort((a, b) => b.weight - a.weight || a.word.localeCompare(b.word)).map((s) => s.word),
    scope: named.map((m) => `${m.kind} ${m.term}`),
  };
}

function scopeMatchers(entry: CoverageEntry): TermMatcher[] {
  return termMatchers({ paths: entry.paths, modules: entry.module ? [entry.module] : [] });
}
