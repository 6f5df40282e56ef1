import { withoutMarks } from '../redact.js';
import { stem } from './stem.js';

/** An entry's text as compared for clustering: stemmed terms (stop-words out) with the word each came from. */
export interface TermBag {
  /** stem → weight (summary terms 1, detail-only terms 0.5); shared by callers, never mutate */
  readonly weights: ReadonlyMap<string, number>;
  /** stem → the first surface word seen, for readable labels */
  readonly surface: ReadonlyMap<string, string>;
}

// Phrases engineers write in several ways, folded before splitting so "end-to-end" and "e2e" meet.
const PHRASES: [RegExp, string][] = [
  [/\bend[\s-]to[\s-]end\b/g, 'e2e'],
  [/\btim(?:ed|es|ing)?[\s-]out\b/g, 'timeout'],
  [/\bsign[\s-]?off\b/g, 'approval'],
  [/\bsigned[\s-]off\b/g, 'approved'],
  [/\bre-?tr(?:y|ies|ied|ying)\b/g, 'retry'],
  [/\bci\/cd\b/g, 'ci'],
  [/\bout[\s-]of[\s-]memory\b/g, 'oom'],
  [/\btype[\s-]?check(?:s|ed|ing|er)?\b/g, 'typecheck'],
];

// Abbreviations and near-synonyms → one word. Small on purpose: each entry must be obvious to a reader.
const SYNONYMS: Record<string, string> = {
  prod: 'production',
  db: 'database',
  dbs: 'database',
  repo: 'repository',
  repos: 'repository',
  env: 'environment',
  envs: 'environment',
  config: 'configuration',
  cfg: 'configuration',
  creds: 'credentials',
  deps: 'dependencies',
  dep: 'dependency',
  pr: 'pull',
  prs: 'pull',
  flake: 'flaky',
  flakes: 'flaky',
  flakey: 'flaky',
  intermittent: 'flaky',
  intermittently: 'flaky',
  sporadic: 'flaky',
  sporadically: 'flaky',
  idempotent: 'idempotency',
  idempotence: 'idempotency',
  approve: 'approval',
  approved: 'approval',
  approver: 'approval',
  authn: 'authentication',
  authz: 'authorization',
  msg: 'message',
  msgs: 'message',
  perms: 'permission',
  tsc: 'typecheck',
};

const STOP = new Set(
  // English function words
  (
    'a about above after again against all almost along already also although always am among an and any are ' +
    'around as at be because been before being below between both but by can cannot could did do does doing done ' +
    'down during each either else enough even ever every few for from further had has have having he her here hers ' +
    'him his how however i if in into is it its itself just least less let like may me might more most much must my ' +
    'neither no nor not now of off often on once one only or other our ours out over own per quite rather really ' +
    'same shall she should since so some still such than that the their theirs them then there these they this ' +
    'those though through thus to too under until up upon us very via was we well were what when where whether ' +
    'which while who whom whose why will with within without would yet you your yours ' +
    // contractions with the apostrophe dropped
    'didnt dont doesnt isnt wasnt werent cant couldnt wouldnt shouldnt wont hasnt havent hadnt im ive id its thats ' +
    // words every interrupt uses, which say nothing about which problem it is
    'agent agents ask asked asking asks human humans user users please need needed needs know knew known knows ' +
    'tried try trying got get gets getting use used uses using want wanted wants make made makes said told tell ' +
    'instead thing things way just sure again went go going see seen saw look looked looking think thought ' +
    'new old first last time times today yesterday ok okay yes also etc e g ie eg ' +
    // command-line noise: every tool failure runs something
    'npm npx yarn pnpm run runs ran running command ' +
    // path noise
    'src lib ts tsx js jsx mjs py go rb md json yaml yml'
  ).split(' '),
);

/** Lower-cased words of a text, phrases folded, synonyms mapped; apostrophes dropped (didn't → didnt). */
export function words(text: string): string[] {
  let t = withoutMarks(text).toLowerCase().replace(/['’]/g, '');
  for (const [re, to] of PHRASES) t = t.replace(re, to);
  const out: string[] = [];
  for (const raw of t.split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || /^\d+$/.test(raw)) continue;
    const w = SYNONYMS[raw] ?? raw;
    if (!STOP.has(w)) out.push(w);
  }
  return out;
}

/**
 * The FTS5 query words for a text: its longest distinct words (longer words are rarer, so they find the same
 * problem with fewer matches to walk), each with its canonical form when a synonym maps it. FTS stems them.
 */
export function searchWords(text: string, max = 6): string[] {
  const lower = withoutMarks(text).toLowerCase().replace(/['’]/g, '');
  const byStem = new Map<string, string[]>();
  const add = (stemOf: string, w: string) => {
    const list = byStem.get(stemOf) ?? [];
    if (!list.includes(w)) list.push(w);
    byStem.set(stemOf, list);
  };
  for (const raw of lower.split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || /^\d+$/.test(raw) || STOP.has(raw)) continue;
    const canonical = SYNONYMS[raw];
    if (canonical !== undefined && STOP.has(canonical)) continue;
    add(stem(canonical ?? raw), raw);
    if (canonical !== undefined) add(stem(canonical), canonical);
  }
  for (const w of words(text)) add(stem(w), w); // folded phrases (e2e, timeout)
  const picked = [...byStem.entries()]
    .sort(
      (a, b) =>
        Math.max(...b[1].map((w) => w.length)) - Math.max(...a[1].map((w) => w.length)) || a[0].localeCompare(b[0]),
    )
    .slice(0, max);
  return picked.flatMap(([, ws]) => ws);
}

// Clustering compares each new entry with the same recent entries again and again: keep their bags.
const bags = new Map<string, TermBag>();
const MAX_BAGS = 5000;

/** The stemmed terms of a summary (weight 1) and a detail (weight 0.5 for terms the summary lacks). */
export function termBag(summary: string, detail?: string | null): TermBag {
  const key = `${summary}\0${detail ?? ''}`;
  const hit = bags.get(key);
  if (hit) return hit;
  const weights = new Map<string, number>();
  const surface = new Map<string, string>();
  const add = (text: string, weight: number) => {
    for (const w of words(text)) {
      const s = stem(w);
      if (s.length < 2) continue;
      if (!surface.has(s)) surface.set(s, w);
      weights.set(s, Math.max(weights.get(s) ?? 0, weight));
    }
  };
  add(summary, 1);
  if (detail) add(detail, 0.5);
  const bag = { weights, surface };
  if (bags.size >= MAX_BAGS) bags.delete(bags.keys().next().value!);
  bags.set(key, bag);
  return bag;
}

/** Cosine similarity of two weighted term sets, in [0, 1]. */
export function cosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, w] of a) {
    na += w * w;
    const v = b.get(t);
    if (v !== undefined) dot += w * v;
  }
  for (const w of b.values()) nb += w * w;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
