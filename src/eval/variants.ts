import { B_SZZ, HINDSIGHT_SZZ, L_SZZ, R_SZZ, type SzzConfig } from '../attribution/szz.js';

/** One line of the report: an SZZ configuration, whether it learns weights, and whether it is a reference. */
export interface Variant {
  name: string;
  config: SzzConfig;
  /** weights trained on the repository's older pairs (never the pair under test) */
  learn: boolean;
  /** candidates must have shipped in a release before the incident */
  shippedOnly?: boolean;
  role: 'reference' | 'ours' | 'ablation';
  /** ablations that change how git blame runs cost one more blame per file */
  costsBlame?: boolean;
}

const H = HINDSIGHT_SZZ;
// Ablations use the shipped default weights, like the headline row they are compared with.
const ablate = (name: string, change: Partial<SzzConfig>, extra: Partial<Variant> = {}): Variant => ({
  name,
  config: { ...H, ...change, name },
  learn: false,
  role: 'ablation',
  ...extra,
});

/** The headline row: exactly what `attribute` and `incident_suspects` run (HINDSIGHT_SZZ, default weights). */
export const HEADLINE = 'hindsight (what ships)';
/** Weights trained on the repository's older pairs: an evaluation-only row, the product does not learn. */
export const LEARNED = 'hindsight, learned weights (eval only, not shipped)';

/** The reference SZZ variants, ours, and one ablation per idea (each turns one thing off, or on). */
export const VARIANTS: readonly Variant[] = [
  { name: B_SZZ.name, config: B_SZZ, learn: false, role: 'reference' },
  { name: R_SZZ.name, config: R_SZZ, learn: false, role: 'reference' },
  { name: L_SZZ.name, config: L_SZZ, learn: false, role: 'reference' },
  { name: HEADLINE, config: H, learn: false, role: 'ours' },
  ablate(LEARNED, {}, { learn: true }),
  ablate('− look through meta-changes (merges, sweeps, ignore-revs)', { lookThroughMeta: false }),
  ablate('− look through changes newer than the incident', { lookThroughNewer: false }),
  ablate('+ look through cosmetic changes by their diff (layout only, reordered lines)', { lookThroughCosmetic: true }),
  ablate('+ skip blank/brace lines too (MA-SZZ)', { skipLines: ['comment', 'layout'] }),
  ablate('− skip comment lines (blame every changed line)', { skipLines: [] }),
  ablate('− blame documentation when the fix changed nothing else', { skipDocs: 'always' }),
  ablate('− skip test files', { skipTests: false }),
  ablate('+ enclosing function when the fix changes no line', { addOnly: 'function' }),
  ablate('+ enclosing function of every add-only hunk', { addOnly: 'function-always' }),
  ablate('− add-only hunks (blame nothing for them)', { addOnly: 'none' }),
  ablate('− message similarity (masked)', { disabledFeatures: ['message', 'area'] }),
  ablate('− file coverage feature', { disabledFeatures: ['files'] }),
  ablate('− line share features', { disabledFeatures: ['share', 'hunks', 'changed'] }),
  ablate('− recency features', { disabledFeatures: ['latest', 'recency', 'age'] }),
  ablate('pick: most recent (R rule) over our blame', { pick: 'latest' }),
  ablate('pick: all blamed (B rule) over our blame', { pick: 'all' }),
  ablate('pick: most blamed lines (L rule) over our blame', { pick: 'most-lines' }),
  ablate('+ only commits shipped before the incident', {}, { shippedOnly: true }),
  ablate(
    '− ignore whitespace (-w)',
    { blame: { ...H.blame, ignoreWhitespace: false }, diffIgnoreWhitespace: false },
    { costsBlame: true },
  ),
  ablate('− move detection (-M)', { blame: { ...H.blame, moves: 'none' } }, { costsBlame: true }),
  ablate('+ copy detection across files (-C)', { blame: { ...H.blame, moves: 'C' } }, { costsBlame: true }),
];
