import type { Confirmation } from './confirmations.js';
import type { Link } from './link.js';
import { noisyOr, round } from './score.js';

/**
 * Folds a confirmation into a commit's heuristic link: a confirmed cause takes the confirmation's method and at least
 * its score; weak evidence only raises the suspicion. Its reasons come first, with the blamed lines.
 */
export function applyConfirmation(link: Link, conf: Confirmation): void {
  if (conf.confirmed) {
    link.status = 'confirmed';
    link.method = conf.method;
    link.score = round(Math.max(link.score, conf.score));
    link.evidence.reasons.unshift(...conf.reasons);
    link.evidence.factors['confirmation'] = round(conf.score);
    if (conf.blamed) link.evidence.blamed = conf.blamed;
  } else {
    // Weak blame evidence (only lines next to an addition, or a small share) raises suspicion, no more.
    link.score = round(noisyOr([link.score, conf.score]));
    link.evidence.reasons.unshift(...conf.reasons);
    link.evidence.factors['blame'] = round(conf.score);
    if (conf.blamed) link.evidence.blamed = conf.blamed;
  }
}
