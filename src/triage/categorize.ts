import type { Category } from '../decisions/fix-types.js';

// The taxonomy lives with the decisions that fix each category (decisions/ sits below triage, which proposes them).
export { CATEGORIES, FIX_TYPE, type Category, type FixType } from '../decisions/fix-types.js';

export interface CategorySuggestion {
  category: Category;
  /** the phrases that decided it, for the answer ("matched: where is, undocumented") */
  matched: string[];
}

// Phrase cues per category; the category with the most cue hits wins, ties in this order (missing context,
// the most common, first: "where is the retry policy documented" asks for context, not for a rule).
const CUES: [Exclude<Category, 'other'>, RegExp[]][] = [
  [
    'missing_context',
    [
      /\bdid ?n[o']?t know\b/,
      /\bdoes ?n[o']?t know\b/,
      /\bwhere (?:is|are|do|does)\b/,
      /\bwhich convention\b/,
      /\bconvention\b/,
      /\bundocumented\b/,
      /\bdocumented\b/,
      /\bno (?:docs|documentation|adr|decision record)\b/,
      /\bdecision\b/,
      /\bwhy (?:do|does|did) we\b/,
      /\bunaware\b/,
      /\bhow (?:do|does|should) we\b/,
      /\bwas not told\b/,
      /\bmissing context\b/,
      /\bnot sure (?:whether|if|where|which|how)\b/,
      /\bis it (?:safe|ok|okay|fine) to\b/,
    ],
  ],
  [
    'policy_gap',
    [
      /\bnot allowed\b/,
      /\bmust not\b/,
      /\bmustn'?t\b/,
      /\bnever (?:allowed|permitted)\b/,
      /\bpolicy\b/,
      /\bapprov(?:al|e|ed)\b/,
      /\bsign[\s-]?off\b/,
      /\bpermission\b/,
      /\bforbidden\b/,
      /\bcompliance\b/,
      /\bsecrets?\b/,
      /\bcredentials?\b/,
      /\bprod(?:uction)? (?:data|database|db)\b/,
      /\bpii\b/,
      /\bwithout (?:asking|review|approval)\b/,
      /\bshould not have\b/,
      /\bshouldn'?t have\b/,
    ],
  ],
  [
    'tool_failure',
    [
      /\bcommand failed\b/,
      /\btool (?:error|failed|failure)\b/,
      /\btim(?:e|ed|es)[\s-]?out\b/,
      /\bflak(?:y|ey|e|iness)\b/,
      /\bcrash(?:ed|es|ing)?\b/,
      /\bwrong output\b/,
      /\bexit(?:ed)? (?:code|status) [1-9]\d*\b/,
      /\bnon-?zero exit\b/,
      /\bhangs?\b|\bhung\b/,
      /\bstack ?trace\b/,
      /\b(?:enoent|eaccess|econnrefused|oom|out of memory|segfault)\b/,
      /\bbroken (?:script|tool|command|build)\b/,
      /\bintermittent(?:ly)?\b/,
    ],
  ],
  [
    'ambiguous_spec',
    [
      /\bunclear\b/,
      /\bambiguous\b/,
      /\bwhich of\b/,
      /\bcontradict(?:s|ory|ing)?\b/,
      /\bspec (?:says|does not say|doesn'?t say)\b/,
      /\bacceptance criteria\b/,
      /\beither .{1,40} or\b/,
      /\bwhat (?:did|does) (?:the (?:ticket|issue|spec)|they) mean\b/,
      /\bunderspecified\b/,
    ],
  ],
];

/** Suggests a category from the text by phrase cues; `other` when none fires. */
export function suggestCategory(text: string): CategorySuggestion {
  const lower = text.toLowerCase();
  let best: CategorySuggestion = { category: 'other', matched: [] };
  for (const [category, cues] of CUES) {
    const matched = cues.map((re) => re.exec(lower)?.[0]).filter((m): m is string => m !== undefined);
    if (matched.length > best.matched.length) best = { category, matched };
  }
  return best;
}
