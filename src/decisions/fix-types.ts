/** The categories of an interrupt or correction (what was missing when the agent had to stop or was redirected). */
export const CATEGORIES = ['missing_context', 'policy_gap', 'tool_failure', 'ambiguous_spec', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** The kinds of structural fix a decision record can be. */
export type FixType = 'adr' | 'rule' | 'skill';

/** The structural fix that stops a category: missing context → ADR, policy gap → rule, tool failure → skill. */
export const FIX_TYPE: Readonly<Record<Category, FixType>> = {
  missing_context: 'adr',
  policy_gap: 'rule',
  tool_failure: 'skill',
  ambiguous_spec: 'adr',
  other: 'rule',
};
