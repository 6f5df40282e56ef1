import { commitPaths, szzCommitRow } from '../store/commit-facts.js';
import type { Db } from '../store/open.js';
import {
  FOLLOW_BLAME,
  PLAIN_BLAME,
  blameRanges,
  fileLines,
  runGit,
  type BlameEntry,
  type BlameOptions,
  type GitCache,
} from './blame.js';
import { fixHunks, type FixHunk } from './diff.js';
import {
  cosmeticChange,
  enclosingFunction,
  isDocPath,
  isTestPath,
  metaChangeReason,
  parseIgnoreRevs,
} from './filters.js';
import { classifyLines, type LineKind } from './line-kind.js';
import { cosine, subjectArea, tokens } from './similarity.js';
import {
  DEFAULT_WEIGHTS,
  FEATURES,
  logistic,
  zeroFeatures,
  type Feature,
  type FeatureVector,
  type Weights,
} from './weights.js';

/** One SZZ variant: how blame follows history, what is filtered out, and how the blamed commits are picked. */
export interface SzzConfig {
  name: string;
  blame: Pick<BlameOptions, 'ignoreWhitespace' | 'moves'>;
  /** a fix hunk that only re-indents is not a change to blame */
  diffIgnoreWhitespace: boolean;
  /** kinds of lines that are not blamed: comments, layout (blank, brace-only), by the file's comment syntax */
  skipLines: readonly LineKind[];
  /**
   * documentation files are not blamed (B-SZZ too: it blames source files only); 'unless-only': a fix that
   * changed nothing but documentation blames it rather than nothing
   */
  skipDocs: 'always' | 'unless-only' | 'never';
  /** test files are not blamed, unless the fix changed nothing else */
  skipTests: boolean;
  /**
   * a hunk that only adds code: give up, blame its neighbours, or also the enclosing function — when the fix
   * changed no existing line at all ('function'), or always ('function-always')
   */
  addOnly: 'none' | 'adjacent' | 'function' | 'function-always';
  /** look through merges, sweeping changes (≥ 100 files) and `.git-blame-ignore-revs` (MA-SZZ) */
  lookThroughMeta: boolean;
  /** look through changes made after the incident began: they cannot have caused it */
  lookThroughNewer: boolean;
  /** look through a commit whose change to the file is cosmetic by its diff (layout only, reordered lines) */
  lookThroughCosmetic?: boolean;
  /** all blamed commits (B-SZZ), the most recent (R-SZZ), the one blamed for most lines (L-SZZ), or the best by score */
  pick: 'all' | 'latest' | 'most-lines' | 'scored';
  /** features left out of the score (for ablation) */
  disabledFeatures?: readonly Feature[];
}

/** What hindsight uses: every filter that measured as helping, and a scored pick. */
export const HINDSIGHT_SZZ: SzzConfig = {
  name: 'hindsight',
  blame: { ignoreWhitespace: FOLLOW_BLAME.ignoreWhitespace, moves: FOLLOW_BLAME.moves },
  diffIgnoreWhitespace: true,
  // Measured (issue 16, 4 repositories): blaming the blank/brace lines a fix changed names the cause more often
  // (F1 −0.004 to +0.028; a brace often marks the block a fix restructured). Comment lines stay skipped: blaming
  // them too measured higher on average (−0.013 to +0.059) but blames commits that only reworded a comment.
  skipLines: ['comment'],
  // Measured: a fix that changed only documentation blames it (+0.003 to +0.021 F1) rather than nothing.
  skipDocs: 'unless-only',
  skipTests: true,
  // Measured: blaming the enclosing function of an addition dilutes the evidence (ovs −0.05 F1); neighbours win.
  addOnly: 'adjacent',
  lookThroughMeta: true,
  lookThroughNewer: true,
  pick: 'scored',
};

/** Reference B-SZZ: plain blame of every line the fix removed or changed in source files; all blamed commits. */
export const B_SZZ: SzzConfig = {
  name: 'B-SZZ',
  blame: { ignoreWhitespace: PLAIN_BLAME.ignoreWhitespace, moves: PLAIN_BLAME.moves },
  diffIgnoreWhitespace: false,
  skipLines: [],
  skipDocs: 'always',
  skipTests: false,
  addOnly: 'none',
  lookThroughMeta: false,
  lookThroughNewer: false,
  pick: 'all',
};

/** Reference R-SZZ: MA-SZZ's filtered blame (whitespace, comments, meta-changes), then the most recent commit. */
export const R_SZZ: SzzConfig = {
  name: 'R-SZZ',
  blame: { ignoreWhitespace: true, moves: 'M' },
  diffIgnoreWhitespace: true,
  skipLines: ['comment', 'layout'],
  skipDocs: 'always',
  skipTests: false,
  addOnly: 'none',
  lookThroughMeta: true,
  lookThroughNewer: false,
  pick: 'latest',
};

/**
 * Reference L-SZZ: the same filtered blame as R-SZZ, then the commit blamed for the most lines (ties: the most
 * recent). Davies et al.'s L-SZZ picks the largest commit; issue 16 defines it by blamed lines, the stronger rule.
 */
export const L_SZZ: SzzConfig = { ...R_SZZ, name: 'L-SZZ', pick: 'most-lines' };

/** What SZZ needs to know about a commit; read from the store. */
export interface CommitFacts {
  sha: string;
  authoredAt: number;
  subject: string;
  /** subject and body, for similarity */
  message: string;
  files: string[];
  /** lines added + deleted */
  size: number;
  parents: number;
}

export type FactsLookup = (sha: string) => CommitFacts | undefined;

/** Commit facts from the store, memoised (a run asks about the same commits many times). */
export function storeFacts(db: Db): FactsLookup {
  const memo = new Map<string, CommitFacts | undefined>();
  return (sha) => {
    if (memo.has(sha)) return memo.get(sha);
    const r = szzCommitRow(db, sha);
    const facts = r && {
      sha: r.sha,
      authoredAt: r.authoredAt,
      subject: r.subject,
      message: `${r.subject}\n${r.body}`,
      files: commitPaths(db, sha),
      size: r.size,
      parents: r.parents.split(' ').filter(Boolean).length,
    };
    memo.set(sha, facts);
    return facts;
  };
}

/** The fix as the algorithm may see it: its message is masked before it gets here. */
export interface FixFacts {
  sha: string;
  /** unix ms; the incident's start (for the evaluation: the fix's author date) */
  startedAt: number;
  /** the fix's message with every pointer to another commit removed (`maskFixMessage`) */
  maskedMessage: string;
}

export type LineVia = 'changed' | 'adjacent' | 'function';

export interface BlamedLine {
  path: string;
  line: number;
  text: string;
  sha: string;
  via: LineVia;
  /** index of the fix hunk this line belongs to */
  hunk: number;
}

export interface FixBlame {
  fixSha: string;
  parentSha: string | null;
  lines: BlamedLine[];
  /** number of fix hunks that asked for blame */
  hunks: number;
  /** the fix's files that were blamed */
  files: string[];
  /** readable notes: what each filter left out and what blame looked through */
  notes: string[];
}

const VIA_WEIGHT: Record<LineVia, number> = { changed: 1, adjacent: 0.5, function: 0.25 };
/**
 * Lines blamed around each wanted line: git's move detection (-M/-C) scores a block of lines, and a single
 * changed line rarely has the 20 alphanumerics it needs on its own; only the wanted lines are kept.
 */
const MOVE_CONTEXT = 4;
/** Rounds of re-blaming through meta-changes and newer commits; each round looks further back. */
const LOOK_THROUGH_ROUNDS = 3;

interface Wanted {
  ranges: [number, number][];
  lines: Map<number, { via: LineVia; hunk: number }>;
}

/**
 * SZZ's first step under one configuration: the lines the fix changed, blamed at the fix's parent, with the
 * configured filters. Git reads are memoised in `cache`, so variants of one run share them.
 */
export async function blameFix(
  repoPath: string,
  fix: FixFacts,
  config: SzzConfig,
  facts: FactsLookup,
  cache?: GitCache,
): Promise<FixBlame> {
  const parentSha = await firstParent(repoPath, fix.sha, cache);
  const notes: string[] = [];
  if (!parentSha)
    return { fixSha: fix.sha, parentSha, lines: [], hunks: 0, files: [], notes: ['the fix is a root commit'] };
  const all = await fixHunks(repoPath, parentSha, fix.sha, { ignoreWhitespace: config.diffIgnoreWhitespace }, cache);
  const hunks = selectHunks(all, config, notes);

  const wanted = await wantedLines(repoPath, parentSha, hunks, config, notes, cache);

  let ignoreRevs: string[] = [];
  if (config.lookThroughMeta) ignoreRevs = await ignoreRevsFile(repoPath, parentSha, cache);
  const lookedThrough = new Map<string, { reason: string; lines: number }>();
  const lines: BlamedLine[] = [];
  let newer = 0;
  for (const [path, w] of wanted) {
    let revs = ignoreRevs;
    let entries: BlameEntry[] = [];
    for (let round = 0; round <= LOOK_THROUGH_ROUNDS; round++) {
      entries = (await blameWithRevs(repoPath, parentSha, path, w.ranges, config, revs, cache)).filter((e) =>
        w.lines.has(e.line),
      );
      const skip = new Map<string, string>();
      const checked = new Set<string>();
      for (const e of entries) {
        if (!w.lines.has(e.line) || revs.includes(e.sha) || checked.has(e.sha)) continue;
        checked.add(e.sha);
        const reason =
          lookThroughReason(facts(e.sha), fix, config) ??
          (config.lookThroughCosmetic ? await cosmeticReason(repoPath, e.sha, e.origPath, cache) : null);
        if (reason) skip.set(e.sha, reason);
      }
      if (skip.size === 0 || round === LOOK_THROUGH_ROUNDS) break;
      for (const [sha, reason] of skip) {
        const n = entries.filter((e) => e.sha === sha && w.lines.has(e.line)).length;
        const prev = lookedThrough.get(sha);
        lookedThrough.set(sha, { reason, lines: (prev?.lines ?? 0) + n });
      }
      revs = [...revs, ...skip.keys()];
    }
    for (const e of entries) {
      const asked = w.lines.get(e.line);
      if (!asked) continue;
      const f = facts(e.sha);
      // A change made after the incident began cannot have caused it, even when blame found nothing older.
      if (config.lookThroughNewer && f && f.authoredAt > fix.startedAt) {
        newer++;
        continue;
      }
      lines.push({ path, line: e.line, text: e.text, sha: e.sha, via: asked.via, hunk: asked.hunk });
    }
  }
  for (const [sha, { reason, lines: n }] of lookedThrough) {
    notes.push(`looked through ${sha.slice(0, 10)} (${reason}) for ${n} line(s)`);
  }
  if (newer > 0) notes.push(`${newer} line(s) last changed after the incident began were dropped`);
  const blamedHunks = new Set([...wanted.values()].flatMap((w) => [...w.lines.values()].map((l) => l.hunk)));
  return {
    fixSha: fix.sha,
    parentSha,
    lines,
    hunks: blamedHunks.size,
    files: [...new Set(hunks.map((h) => h.oldPath))],
    notes,
  };
}

/** Which old-side lines of the fix's hunks to blame, and how much each one says about the cause. */
async function wantedLines(
  repoPath: string,
  parentSha: string,
  hunks: FixHunk[],
  config: SzzConfig,
  notes: string[],
  cache?: GitCache,
): Promise<Map<string, Wanted>> {
  const wanted = new Map<string, Wanted>();
  const want = (path: string, line: number, via: LineVia, hunk: number) => {
    const w: Wanted = wanted.get(path) ?? { ranges: [], lines: new Map() };
    wanted.set(path, w);
    const had = w.lines.get(line);
    if (!had || VIA_WEIGHT[via] > VIA_WEIGHT[had.via]) w.lines.set(line, { via, hunk });
    w.ranges.push([Math.max(1, line - MOVE_CONTEXT), line + MOVE_CONTEXT]);
  };
  // Each file's lines are classified from its top at the parent, so a block comment's state is known.
  const kindsOf = new Map<string, LineKind[]>();
  const kinds = async (path: string) => {
    let k = kindsOf.get(path);
    if (!k) kindsOf.set(path, (k = classifyLines(path, await fileLines(repoPath, parentSha, path, cache))));
    return k;
  };
  const skipped = (kind: LineKind | undefined) => kind !== undefined && config.skipLines.includes(kind);
  let noise = 0;
  let addOnlySkipped = 0;
  const addOnly: [FixHunk, number][] = [];
  for (const [i, h] of hunks.entries()) {
    const fileKinds = config.skipLines.length > 0 ? await kinds(h.oldPath) : [];
    const changed = h.removed
      .map((text, k) => ({ text, line: h.oldStart + k }))
      .filter((l) => !skipped(fileKinds[l.line - 1]) || (noise++, false));
    for (const l of changed) want(h.oldPath, l.line, 'changed', i);
    // Only added lines (or only noise removed): the code around the insertion is what the fix corrected.
    if (changed.length === 0 && !classifyLines(h.newPath, h.added).every(skipped)) addOnly.push([h, i]);
  }
  // The enclosing function is weak evidence: used when the fix changed no line at all (or when asked always).
  const withFunction = config.addOnly === 'function-always' || (config.addOnly === 'function' && wanted.size === 0);
  for (const [h, i] of addOnly) {
    if (config.addOnly === 'none') {
      addOnlySkipped++;
      continue;
    }
    const at = h.oldCount === 0 ? h.oldStart : h.oldStart + h.oldCount - 1;
    const lines = await fileLines(repoPath, parentSha, h.oldPath, cache);
    const fileKinds = await kinds(h.oldPath);
    for (const n of [at, at + 1]) {
      if (n >= 1 && n <= lines.length && !skipped(fileKinds[n - 1])) want(h.oldPath, n, 'adjacent', i);
    }
    const fn = withFunction ? enclosingFunction(lines, Math.max(1, at), h.context) : null;
    for (let n = fn?.[0] ?? 1; fn && n <= fn[1]; n++) {
      if (!skipped(fileKinds[n - 1])) want(h.oldPath, n, 'function', i);
    }
  }
  if (noise > 0) notes.push(`${noise} blank or comment-only line(s) the fix changed were not blamed`);
  if (addOnlySkipped > 0)
    notes.push(`${addOnlySkipped} hunk(s) only added code: nothing to blame (add-only not followed)`);
  return wanted;
}

function selectHunks(all: FixHunk[], config: SzzConfig, notes: string[]): FixHunk[] {
  let docs = config.skipDocs === 'never' ? [] : all.filter((h) => isDocPath(h.oldPath));
  // A fix that changed only documentation (a wrong man page) still says something: blame it rather than nothing.
  if (config.skipDocs === 'unless-only' && docs.length === all.length) docs = [];
  let code = all.filter((h) => !docs.includes(h));
  if (docs.length > 0) notes.push(`${new Set(docs.map((h) => h.oldPath)).size} documentation file(s) not blamed`);
  if (config.skipTests) {
    const tests = code.filter((h) => isTestPath(h.oldPath));
    // A fix that changed only tests still says something: blame them rather than nothing.
    if (tests.length > 0 && tests.length < code.length) {
      code = code.filter((h) => !tests.includes(h));
      notes.push(`${new Set(tests.map((h) => h.oldPath)).size} test file(s) not blamed`);
    }
  }
  return code;
}

function lookThroughReason(f: CommitFacts | undefined, fix: FixFacts, config: SzzConfig): string | null {
  if (!f) return null;
  if (config.lookThroughNewer && f.authoredAt > fix.startedAt) return 'newer than the incident';
  if (config.lookThroughMeta) return metaChangeReason({ parents: f.parents, filesChanged: f.files.length });
  return null;
}

/** Why `sha`'s change to `path` is cosmetic by its diff (whitespace ignored), or null. */
async function cosmeticReason(repoPath: string, sha: string, path: string, cache?: GitCache): Promise<string | null> {
  const parent = await firstParent(repoPath, sha, cache);
  if (!parent) return null;
  const hunks = (await fixHunks(repoPath, parent, sha, { ignoreWhitespace: true }, cache)).filter(
    (h) => h.newPath === path,
  );
  const why = cosmeticChange(hunks);
  return why && `cosmetic change: ${why}`;
}

async function blameWithRevs(
  repoPath: string,
  rev: string,
  path: string,
  ranges: [number, number][],
  config: SzzConfig,
  ignoreRevs: string[],
  cache?: GitCache,
): Promise<BlameEntry[]> {
  const options: BlameOptions = { ...config.blame, ignoreRevs };
  const withoutRevs = () => blameRanges(repoPath, rev, path, ranges, { ...config.blame }, cache);
  if (cache && ignoreRevs.some((r) => cache.missingRevs.has(r))) return withoutRevs();
  try {
    return await blameRanges(repoPath, rev, path, ranges, options, cache);
  } catch (err) {
    // An ignore-revs file may list commits this clone does not have; blame without it rather than fail.
    const message = (err as Error).message;
    if (ignoreRevs.length > 0 && /cannot find revision|bad revision|not a valid/i.test(message)) {
      const missing = /cannot find revision ([0-9a-f]{40,64}) to ignore/i.exec(message)?.[1];
      if (missing) cache?.missingRevs.add(missing);
      return withoutRevs();
    }
    throw err;
  }
}

async function firstParent(repoPath: string, sha: string, cache?: GitCache): Promise<string | null> {
  const load = async () =>
    (await runGit(repoPath, ['rev-list', '--parents', '-n', '1', sha])).trim().split(' ')[1] ?? null;
  return cache ? cache.get(`parent\0${sha}`, load) : load();
}

/**
 * The commits `.git-blame-ignore-revs` lists that this clone has. git refuses the whole list for one missing commit
 * (frr's names one its own history lacks: 18 of 19 present), and blame then fell back to no list at all — dropping
 * the commits being looked through with it. One `rev-list --no-walk --ignore-missing` keeps the present ones.
 */
async function ignoreRevsFile(repoPath: string, rev: string, cache?: GitCache): Promise<string[]> {
  const lines = await fileLines(repoPath, rev, '.git-blame-ignore-revs', cache);
  const listed = parseIgnoreRevs(lines.join('\n')).filter((r) => /^[0-9a-f]{40,64}$/i.test(r));
  if (listed.length === 0) return [];
  const load = async () =>
    (await runGit(repoPath, ['rev-list', '--no-walk', '--ignore-missing', ...listed])).split('\n').filter(Boolean);
  const present = new Set(cache ? await cache.get(`present\0${listed.join(',')}`, load) : await load());
  return listed.filter((r) => present.has(r.toLowerCase()));
}

/** A blamed commit, its features and score. */
export interface Candidate {
  sha: string;
  lines: BlamedLine[];
  features: FeatureVector;
  score: number;
}

export interface SzzResult {
  fixSha: string;
  /** best first */
  candidates: Candidate[];
  /** the commits this variant names as the cause */
  chosen: string[];
  /** why the first chosen commit won, readable */
  why: string | null;
  notes: string[];
}

/** A second commit is named too when its score is at least this high and this close to the winner's. */
const SECOND_MIN = 0.6;
const SECOND_RATIO = 0.9;

/** SZZ's second step: turns the blamed lines into ranked candidates and picks the cause(s). */
export function rankBlame(
  blame: FixBlame,
  fix: FixFacts,
  config: SzzConfig,
  facts: FactsLookup,
  options: { weights?: Weights; keep?: (sha: string) => boolean } = {},
): SzzResult {
  const weights = options.weights ?? DEFAULT_WEIGHTS;
  const bySha = new Map<string, BlamedLine[]>();
  const notes = [...blame.notes];
  let dropped = 0;
  for (const l of blame.lines) {
    if (options.keep && !options.keep(l.sha)) dropped++;
    else bySha.set(l.sha, [...(bySha.get(l.sha) ?? []), l]);
  }
  if (dropped > 0) notes.push(`${dropped} blamed line(s) from commits not shipped before the incident were dropped`);
  const feats = candidateFeatures(bySha, blame, fix, facts, config.disabledFeatures ?? []);
  const candidates = [...bySha.entries()]
    .map(([sha, lines]) => ({ sha, lines, features: feats.get(sha)!, score: logistic(weights, feats.get(sha)!) }))
    .sort((a, b) => b.score - a.score || a.sha.localeCompare(b.sha));
  let chosen: string[] = [];
  if (candidates.length > 0) {
    if (config.pick === 'all') chosen = candidates.map((c) => c.sha);
    else if (config.pick === 'latest') chosen = [newest(candidates, facts)];
    else if (config.pick === 'most-lines') chosen = [mostLines(candidates, facts)];
    else {
      const top = candidates[0]!;
      chosen = candidates
        .filter((c) => c === top || (c.score >= SECOND_MIN && c.score >= SECOND_RATIO * top.score))
        .map((c) => c.sha);
    }
  }
  const why = config.pick === 'scored' ? explainWinner(candidates, weights) : null;
  return { fixSha: blame.fixSha, candidates, chosen, why, notes };
}

function mostLines(candidates: Candidate[], facts: FactsLookup): string {
  const at = (c: Candidate) => facts(c.sha)?.authoredAt ?? 0;
  return [...candidates].sort((a, b) => b.lines.length - a.lines.length || at(b) - at(a))[0]!.sha;
}

function newest(candidates: Candidate[], facts: FactsLookup): string {
  return [...candidates].sort((a, b) => (facts(b.sha)?.authoredAt ?? 0) - (facts(a.sha)?.authoredAt ?? 0))[0]!.sha;
}

function candidateFeatures(
  bySha: Map<string, BlamedLine[]>,
  blame: FixBlame,
  fix: FixFacts,
  facts: FactsLookup,
  disabled: readonly Feature[],
): Map<string, FeatureVector> {
  const total = blame.lines.reduce((n, l) => n + VIA_WEIGHT[l.via], 0);
  const hunks = new Set(blame.lines.map((l) => l.hunk)).size;
  const byRecency = [...bySha.keys()].sort((a, b) => (facts(b)?.authoredAt ?? 0) - (facts(a)?.authoredAt ?? 0));
  const fixTokens = tokens(fix.maskedMessage);
  const fixArea = subjectArea(fix.maskedMessage.split('\n')[0] ?? '');
  const out = new Map<string, FeatureVector>();
  for (const [sha, lines] of bySha) {
    const f = facts(sha);
    const x = zeroFeatures();
    x.share = total > 0 ? lines.reduce((n, l) => n + VIA_WEIGHT[l.via], 0) / total : 0;
    x.changed = lines.some((l) => l.via === 'changed') ? 1 : 0;
    x.hunks = hunks > 0 ? new Set(lines.map((l) => l.hunk)).size / hunks : 0;
    const rank = byRecency.indexOf(sha);
    x.latest = rank === 0 ? 1 : 0;
    x.recency = 1 / (1 + rank);
    if (f) {
      const days = Math.max(0, fix.startedAt - f.authoredAt) / 86_400_000;
      x.age = Math.min(1, Math.log10(1 + days) / 4);
      x.files = blame.files.length > 0 ? blame.files.filter((p) => f.files.includes(p)).length / blame.files.length : 0;
      x.size = Math.min(1, Math.log10(1 + f.size) / 4);
      x.message = cosine(fixTokens, tokens(f.message));
      x.area = fixArea !== '' && fixArea === subjectArea(f.subject) ? 1 : 0;
    }
    for (const d of disabled) x[d] = 0;
    out.set(sha, x);
  }
  return out;
}

const FEATURE_TEXT: Record<Feature, (x: FeatureVector) => string> = {
  share: (x) => `last touched ${Math.round(x.share * 100)}% of the blamed lines`,
  changed: () => 'wrote lines the fix changed',
  hunks: (x) => `appears in ${Math.round(x.hunks * 100)}% of the fix's hunks`,
  latest: () => 'is the most recent blamed commit',
  recency: (x) => `recency rank ${Math.round(1 / x.recency)}`,
  age: (x) => `was ${Math.round(10 ** (x.age * 4) - 1)} day(s) old at the fix`,
  files: (x) => `touched ${Math.round(x.files * 100)}% of the fix's files`,
  size: (x) => `size ${Math.round(10 ** (x.size * 4) - 1)} lines`,
  message: (x) => `its message resembles the fix's (similarity ${x.message.toFixed(2)})`,
  area: () => "same area in its subject as the fix's",
};

/** The features that put the winner ahead of the runner-up, largest contribution first. */
export function explainWinner(candidates: readonly Candidate[], weights: Weights): string | null {
  const [top, second] = candidates;
  if (!top) return null;
  if (!second) return `only commit the blame points at; it ${FEATURE_TEXT.share(top.features)}`;
  const gains = FEATURES.map((f) => ({ f, gain: weights.w[f] * (top.features[f] - second.features[f]) }))
    .filter((g) => g.gain > 0.05)
    .sort((a, b) => b.gain - a.gain)
    .slice(0, 3);
  const parts = gains.map((g) => FEATURE_TEXT[g.f](top.features));
  return `ahead of ${second.sha.slice(0, 10)} (${top.score.toFixed(2)} vs ${second.score.toFixed(2)}): ${
    parts.length > 0 ? parts.join('; ') : 'a sum of small differences'
  }`;
}

/** Both steps: blame the fix under `config`, then rank and pick. */
export async function runSzz(
  repoPath: string,
  fix: FixFacts,
  config: SzzConfig,
  facts: FactsLookup,
  options: { weights?: Weights; cache?: GitCache; keep?: (sha: string) => boolean } = {},
): Promise<SzzResult> {
  const blame = await blameFix(repoPath, fix, config, facts, options.cache);
  return rankBlame(blame, fix, config, facts, options);
}
